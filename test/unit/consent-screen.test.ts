/**
 * A question asked while a remote shell is mirrored: the mirror pauses (the shell's
 * output is held, bounded, never written over the question), the question gets a
 * screen of its own on a terminal, and once answered the shell's screen comes back
 * with a notice and what was held. Real PersonTerminal and ConsentQueue on in-memory
 * streams, fake timers; and the take-over question's words.
 */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsentQueue, type ConsentOutcome } from '../../agent/consent/consent.js';
import { MirrorGate } from '../../agent/person/consent-screen.js';
import { PersonTerminal } from '../../agent/person/person-terminal.js';
import { viewerChanges } from '../../agent/person/viewer-notices.js';

const TIMEOUT_MS = 60_000;
beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => void vi.useRealTimers());

const settle = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
};

const SAM = { username: 'sam', name: 'Sam Lee' };
const KIM = { username: 'kim', name: 'Kim Roy' };

/** A person at a real-looking terminal (TTY in and out), with everything printed kept. */
function atTerminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true });
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const terminal = new PersonTerminal({ input, output, errors: new PassThrough() }, () => undefined);
  terminal.start();
  const queue = new ConsentQueue(terminal, TIMEOUT_MS);
  queue.release();
  return {
    terminal, queue, printed: () => printed,
    type: async (text: string) => {
      input.write(text);
      await settle();
    },
  };
}

describe('the mirror gate', () => {
  const screen = () => {
    const writes: string[] = [];
    return { writes, write: (d: Uint8Array | string) => void writes.push(typeof d === 'string' ? d : Buffer.from(d).toString('latin1')), text: () => writes.join('') };
  };

  it('passes output through until paused, holds it (newest bytes, bounded) while paused, and replays it after the notice', () => {
    const s = screen();
    const gate = new MirrorGate(s, true, 10);
    gate.shellOpened();
    gate.mirror(Buffer.from('prompt$ '));
    gate.pause();
    expect(gate.isPaused).toBe(true);
    gate.mirror(Buffer.from('0123456789'));
    gate.mirror(Buffer.from('ABCDE'));
    expect(gate.holding).toEqual({ bytes: 10, dropped: 5 });
    expect(s.text()).not.toContain('ABCDE');
    gate.resume('→ answered');
    const text = s.text();
    // Question on the alternate screen, then back to the shell's own screen, the answer, the notice with what was lost, the newest bytes.
    expect(text.indexOf('\x1b[?1049h')).toBeGreaterThan(text.indexOf('prompt$ '));
    expect(text.indexOf('\x1b[?1049l')).toBeLessThan(text.indexOf('→ answered'));
    expect(text).toMatch(/→ answered\n── Back to the remote shell\. 5\sB of what it printed/);
    expect(text.endsWith('56789ABCDE')).toBe(true);
    expect(gate.holding).toEqual({ bytes: 0, dropped: 0 });
  });

  it('does nothing when no shell is mirrored, and draws no escape sequences where the output is not a terminal', () => {
    const idle = screen();
    const gate = new MirrorGate(idle, true);
    gate.pause();
    expect(gate.isPaused).toBe(false);
    expect(idle.writes).toEqual([]);

    const piped = screen();
    const plain = new MirrorGate(piped, false);
    plain.shellOpened();
    plain.pause();
    plain.mirror(Buffer.from('held'));
    plain.resume('→ no');
    expect(piped.text()).not.toContain('\x1b');
    expect(piped.text()).toMatch(/→ no\n── Back to the remote shell: what it printed while you answered follows\. ──\nheld$/);
  });

  it('a full-screen program already on the alternate screen gets a cleared screen, not a second switch', () => {
    const s = screen();
    const gate = new MirrorGate(s, true);
    gate.shellOpened();
    // The switch split across two reads is still seen.
    gate.mirror(Buffer.from('\x1b[?10'));
    gate.mirror(Buffer.from('49h vim'));
    gate.pause();
    gate.resume('→ yes');
    const after = s.text().slice(s.text().indexOf('vim'));
    expect(after).not.toContain('\x1b[?1049');
    expect(after).toContain('\x1b[2J');
    // Once the program left it (and when the shell ends), the next question uses the alternate screen again.
    gate.mirror(Buffer.from('\x1b[?1049l$ '));
    gate.pause();
    expect(s.writes.at(-2)).toContain('\x1b[?1049h');
  });

  it('knows the screen a program is on however its output is cut into reads', () => {
    const piece = fc.oneof(
      fc.constantFrom('\x1b[?1049h', '\x1b[?1049l', '\x1b[?1047h', '\x1b[?47l', '\x1b[?47h', '\x1b[0m', '\x1b[?25h', '\x1b', '[?'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(60), { maxLength: 12 }), (pieces, cuts) => {
      const bytes = Buffer.from(pieces.join(''), 'latin1');
      let expectedAlt = false;
      for (const match of bytes.toString('latin1').matchAll(/\x1b\[\?(?:1049|1047|47)([hl])/g)) expectedAlt = match[1] === 'h';
      const s = screen();
      const gate = new MirrorGate(s, true);
      gate.shellOpened();
      let at = 0;
      for (const cut of [...cuts.map((c) => Math.min(c, bytes.byteLength)).sort((a, b) => a - b), bytes.byteLength]) {
        gate.mirror(bytes.subarray(at, Math.max(at, cut)));
        at = Math.max(at, cut);
      }
      gate.pause();
      // Already on the alternate screen: only cleared; otherwise switched to it.
      expect(s.writes.at(-2)?.includes('\x1b[?1049h')).toBe(!expectedAlt);
    }), { numRuns: 500 });
  });
});

describe('a question while a shell is mirrored', () => {
  it('stays on its own screen while the shell prints, and the shell comes back after the answer, with what it printed meanwhile', async () => {
    const p = atTerminal();
    p.terminal.shellOpened();
    p.terminal.mirror(Buffer.from('$ seq 1 100000\r\n'));
    let outcome: ConsentOutcome | null = null;
    void p.queue.ask({ channel: 1, requestedBy: KIM, localUser: 'pat', shell: '/bin/bash', takeover: { holder: SAM } }).then((o) => (outcome = o));
    await settle();
    expect(p.terminal.mirrorPaused).toBe(true);
    const question = p.printed().lastIndexOf('Kim Roy (kim) asks to TAKE THE KEYBOARD of the remote shell that Sam Lee (sam) is using.');
    expect(question).toBeGreaterThan(p.printed().lastIndexOf('\x1b[?1049h'));
    for (let i = 0; i < 50; i++) p.terminal.mirror(Buffer.from(`line ${i}\r\n`));
    await settle();
    // Nothing the shell printed reached the screen after the question.
    expect(p.printed().slice(question)).not.toContain('line ');
    await p.type('y');
    expect(outcome).toBe('granted');
    const after = p.printed().slice(question);
    expect(after.indexOf('\x1b[?1049l')).toBeLessThan(after.indexOf('→ You allowed it. Kim Roy (kim) now has the keyboard of the remote shell.'));
    expect(after).toContain('── Back to the remote shell: what it printed while you answered follows. ──');
    expect(after.indexOf('line 0')).toBeGreaterThan(after.indexOf('── Back to the remote shell'));
    expect(after).toContain('line 49');
    expect(p.terminal.mirrorPaused).toBe(false);
  });

  it('no answer in time is no, and the mirror resumes all the same', async () => {
    const p = atTerminal();
    p.terminal.shellOpened();
    let outcome: ConsentOutcome | null = null;
    void p.queue.ask({ channel: 1, requestedBy: KIM, localUser: 'pat', shell: '/bin/bash', takeover: { holder: SAM } }).then((o) => (outcome = o));
    await settle();
    p.terminal.mirror(Buffer.from('meanwhile'));
    vi.advanceTimersByTime(TIMEOUT_MS);
    await settle();
    expect(outcome).toBe('timeout');
    expect(p.printed()).toContain('→ No answer within 60 s, so the answer is no. The keyboard stays with Sam Lee (sam).');
    expect(p.printed().endsWith('meanwhile')).toBe(true);
    expect(p.terminal.mirrorPaused).toBe(false);
  });

  it('two questions in a row keep the question screen until the last is answered', async () => {
    const p = atTerminal();
    p.terminal.shellOpened();
    void p.queue.ask({ channel: 1, requestedBy: KIM, localUser: 'pat', shell: '/bin/bash', takeover: { holder: SAM } });
    void p.queue.ask({ channel: 2, requestedBy: SAM, localUser: 'pat', shell: '/bin/bash' });
    await settle();
    p.terminal.mirror(Buffer.from('held-output'));
    await p.type('n');
    expect(p.terminal.mirrorPaused).toBe(true);
    expect(p.printed()).toContain('→ You refused. Nothing changes: the keyboard stays with Sam Lee (sam).');
    expect(p.printed()).not.toContain('held-output');
    await p.type('n');
    expect(p.terminal.mirrorPaused).toBe(false);
    expect(p.printed().endsWith('held-output')).toBe(true);
    expect((p.printed().match(/\x1b\[\?1049h/g) ?? []).length).toBe(1);
  });
});

describe('who watches, as the person is told', () => {
  it('names who started and stopped watching, and who has the keyboard after a take-over', () => {
    expect(viewerChanges({ holder: SAM, observers: [] }, { holder: SAM, observers: [KIM] })).toEqual([
      '[Relais] Kim Roy (kim) is now watching the remote shell. They can see it but cannot type in it.',
    ]);
    expect(viewerChanges({ holder: SAM, observers: [KIM] }, { holder: KIM, observers: [SAM] })).toEqual([
      '[Relais] Kim Roy (kim) now has the keyboard of the remote shell.',
      '[Relais] Sam Lee (sam) is now watching the remote shell. They can see it but cannot type in it.',
    ]);
    expect(viewerChanges({ holder: KIM, observers: [SAM] }, { holder: KIM, observers: [] })).toEqual(['[Relais] Sam Lee (sam) stopped watching the remote shell.']);
  });
});
