/**
 * The consent question for a file, on fakes (the real PersonTerminal on in-memory
 * streams, fake timers): it says what the file is and where it goes, the default is no,
 * no answer in time is no, and each ending says no file moved. On a managed device the
 * policy's `files` entry decides, apart from `shell` (a file without it means ask).
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsentQueue, type ConsentOutcome, type ConsentRequest } from '../../agent/consent/consent.js';
import type { PolicyRead } from '../../agent/consent/local-policy.js';
import { PolicyConsent } from '../../agent/consent/policy-consent.js';
import { PersonTerminal } from '../../agent/person/person-terminal.js';
import { FILE_CHANNEL_BASE, controllerToAgent, decodeControl, encodeControl } from '../../protocol/index.js';

const TIMEOUT_MS = 60_000;
beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => void vi.useRealTimers());
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

function person() {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const terminal = new PersonTerminal({ input, output, errors: new PassThrough() }, () => undefined);
  terminal.start();
  const queue = new ConsentQueue(terminal, TIMEOUT_MS);
  queue.release();
  return { queue, printed: () => printed, type: async (text: string) => void input.write(text) };
}

const fileRequest = (channel = FILE_CHANNEL_BASE): ConsentRequest => ({
  channel,
  requestedBy: { username: 'sam', name: 'Sam Lee' },
  localUser: 'pat',
  shell: '',
  file: {
    asked: ['Sam Lee (sam) wants to SEND YOU A FILE: "report.pdf" (2.3 MB).', 'It will be saved in /home/pat/Downloads as "report.pdf".'],
    granted: '→ granted line',
    what: 'receiving the file "report.pdf" (2.3 MB)',
    refused: (outcome, seconds) => `→ ${outcome} after ${seconds} s: no file moved`,
  },
});

function ask(queue: ConsentQueue, request: ConsentRequest): { outcome: () => ConsentOutcome | null } {
  let outcome: ConsentOutcome | null = null;
  void queue.ask(request).then((o) => (outcome = o));
  return { outcome: () => outcome };
}

describe('the question for a file', () => {
  it('shows the file\u2019s own lines, the default and the time limit; y allows it with the file\u2019s line', async () => {
    const p = person();
    const asked = ask(p.queue, fileRequest());
    await settle();
    expect(p.printed()).toContain('wants to SEND YOU A FILE: "report.pdf" (2.3 MB).\nIt will be saved in /home/pat/Downloads as "report.pdf".\n');
    expect(p.printed()).toMatch(/No answer within 60 s means no\.\nAllow\? \[y\/N\]/);
    expect(p.printed()).not.toMatch(/REMOTE SHELL/);
    await p.type('y\n');
    await settle();
    expect(asked.outcome()).toBe('granted');
    expect(p.printed()).toContain('→ granted line');
  });

  it('anything but yes is no, and no answer in time is no; each says no file moved', async () => {
    const p = person();
    const declined = ask(p.queue, fileRequest(FILE_CHANNEL_BASE + 1));
    await settle();
    await p.type('\n');
    await settle();
    expect(declined.outcome()).toBe('declined');
    expect(p.printed()).toContain('→ declined after 60 s: no file moved');
    const silent = ask(p.queue, fileRequest(FILE_CHANNEL_BASE + 2));
    await settle();
    vi.advanceTimersByTime(TIMEOUT_MS);
    await settle();
    expect(silent.outcome()).toBe('timeout');
    expect(p.printed()).toContain('→ timeout after 60 s: no file moved');
  });

  it('only the person answers: a consent sent by a controller is not a message an agent accepts', () => {
    const forged = encodeControl({ t: 'file.consent', channel: FILE_CHANNEL_BASE, decision: 'granted' } as never);
    expect(decodeControl(controllerToAgent, forged)).toMatchObject({ ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE' });
  });
});

describe('a managed device\u2019s policy for files', () => {
  const read = (policy: { shell: 'allow' | 'ask' | 'deny'; files?: 'allow' | 'ask' | 'deny' }): PolicyRead => ({ ok: true, policy: { script: 'deny', ...policy } });

  it('the files entry decides file transfers, not the shell entry; without one, ask (no one there: refused)', async () => {
    const log: string[] = [];
    const decide = (policy: PolicyRead, request = fileRequest()) => new PolicyConsent({ readPolicy: () => policy, person: null, log: (line) => void log.push(line) }).ask(request);
    expect(await decide(read({ shell: 'deny', files: 'allow' }))).toBe('granted');
    expect(await decide(read({ shell: 'allow', files: 'deny' }))).toBe('refused-by-policy');
    expect(await decide(read({ shell: 'allow' }))).toBe('refused-by-policy');
    expect(log).toEqual([
      'Allowing receiving the file "report.pdf" (2.3 MB) for Sam Lee (sam) without asking: the local policy allows file transfers (files: allow).',
      'Refused receiving the file "report.pdf" (2.3 MB) for Sam Lee (sam): the local policy denies file transfers (files: deny).',
      'Refused receiving the file "report.pdf" (2.3 MB) for Sam Lee (sam): the local policy says ask (files: ask), and nobody is at a terminal to answer.',
    ]);
    // A shell on the same device still follows the shell entry.
    const shell: ConsentRequest = { channel: 1, requestedBy: { username: 'sam', name: 'Sam Lee' }, localUser: 'pat', shell: '/bin/bash' };
    expect(await decide(read({ shell: 'allow', files: 'deny' }), shell)).toBe('granted');
  });

  it('with a person at the terminal, ask puts the question to them', async () => {
    const p = person();
    const consent = new PolicyConsent({ readPolicy: () => read({ shell: 'deny', files: 'ask' }), person: p.queue, log: () => undefined });
    const outcome = consent.ask(fileRequest());
    await settle();
    await p.type('y\n');
    expect(await outcome).toBe('granted');
  });
});
