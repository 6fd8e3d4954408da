/**
 * The person's terminal without output processing (stty -opost, as ssh does): turned off
 * after raw mode on an interactive terminal only; the agent's own lines then end with
 * "\r\n" while mirrored bytes pass unchanged; the real stty on a real pty.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { MirrorWriter, type OutputSink } from '../../agent/person/mirror-writer.js';
import { PersonTerminal } from '../../agent/person/person-terminal.js';
import { turnOffOutputProcessing } from '../../agent/person/raw-output.js';
import { until } from '../helpers/until.js';

/** A terminal-looking output whose bytes land in a file (the fd sink writes there). */
function fileTerminal() {
  const path = join(mkdtempSync(join(tmpdir(), 'relais-raw-')), 'screen');
  const fd = openSync(path, 'w+');
  const output = Object.assign(new PassThrough(), { isTTY: true, fd });
  return { output, text: () => readFileSync(path, 'latin1'), close: () => closeSync(fd) };
}

function person(interactive: boolean) {
  const calls: string[] = [];
  const input = Object.assign(new PassThrough(), interactive ? { isTTY: true, setRawMode: (on: boolean) => void calls.push(`raw ${on}`) } : {});
  const screen = fileTerminal();
  let errors = '';
  const errorStream = Object.assign(new PassThrough(), { isTTY: true });
  errorStream.on('data', (chunk: Buffer) => (errors += chunk.toString('latin1')));
  const terminal = new PersonTerminal(
    { input, output: screen.output, errors: errorStream, rawOutput: async (fd) => (calls.push(`opost off on ${fd === screen.output.fd ? 'the output' : fd}`), true) },
    () => undefined,
  );
  return { terminal, calls, screen, errors: () => errors };
}

describe('raw output on the person\'s terminal', () => {
  it('is turned off after raw mode; the agent\'s own lines end with \\r\\n, mirrored bytes are unchanged', async () => {
    const { terminal, calls, screen, errors } = person(true);
    terminal.start();
    expect(calls).toEqual(['raw true', 'opost off on the output']);
    terminal.say('one\ntwo\r\nthree');
    terminal.mirror(Buffer.from('shell\r\nbare\n'));
    terminal.warn('careful\nnow');
    await until(() => screen.text().length === 'one\r\ntwo\r\nthree\r\nshell\r\nbare\n'.length, 5000, 'the screen written');
    expect(screen.text()).toBe('one\r\ntwo\r\nthree\r\nshell\r\nbare\n');
    expect(errors()).toBe('careful\r\nnow\r\n');
    await terminal.stop(1000);
    expect(calls.at(-1)).toBe('raw false');
    screen.close();
  });

  it('is left alone when nobody types at a terminal (piped input): plain \\n', async () => {
    const { terminal, calls, screen, errors } = person(false);
    terminal.start();
    terminal.say('one\ntwo');
    terminal.warn('careful');
    await until(() => screen.text().length === 'one\ntwo\n'.length, 5000, 'the screen written');
    expect(screen.text()).toBe('one\ntwo\n');
    expect(errors()).toBe('careful\n');
    expect(calls).toEqual([]);
    await terminal.stop(1000);
    screen.close();
  });

  it('MirrorWriter ends text lines as asked and never touches bytes', () => {
    const written: string[] = [];
    const sink: OutputSink = { write: (chunks, done) => (written.push(...chunks.map((c) => (typeof c === 'string' ? `s:${c}` : `b:${Buffer.from(c).toString('latin1')}`))), done(null)) };
    const w = new MirrorWriter(sink, { highWaterBytes: 1 << 20, lowWaterBytes: 1 << 18 }, '\r\n');
    w.write('a\nb\r\n');
    w.write(Buffer.from('c\nd'));
    expect(written).toEqual(['s:a\r\nb\r\n', 'b:c\nd']);
  });

  it.runIf(process.platform === 'linux')('stty -opost turns off a real terminal\'s output processing', async () => {
    const term = pty.spawn('/bin/sh', ['-c', 'sleep 30'], { name: 'xterm', cols: 80, rows: 24, encoding: null } as pty.IPtyForkOptions);
    const slave = (term as unknown as { _pty: string })._pty;
    const fd = openSync(slave, 'r+');
    try {
      const modes = () => execFileSync('stty', ['-F', slave, '-a'], { encoding: 'utf8' });
      expect(modes()).toMatch(/(^|\s)opost(\s|$)/);
      expect(await turnOffOutputProcessing(fd)).toBe(true);
      expect(modes()).toMatch(/(^|\s)-opost(\s|$)/);
    } finally {
      closeSync(fd);
      term.kill();
    }
  });

  it.runIf(process.platform === 'linux')('Node gives the terminal its output processing back when it exits (normally or crashing)', async () => {
    // A shell leads the terminal, as the person's does; node (as the agent) turns processing off and ends; stty -a reports after.
    const script = (end: string) =>
      `require('child_process').spawnSync('stty', ['-opost'], { stdio: [1, 'ignore', 'ignore'] });` +
      `process.stdout.write(require('child_process').execFileSync('stty', ['-a'], { stdio: [1, 'pipe', 'ignore'] }).includes('-opost') ? 'OFF-WHILE-RUNNING' : 'STILL-ON');${end}`;
    for (const end of ['process.exit(0)', "throw new Error('crash')"]) {
      const term = pty.spawn('/bin/sh', ['-c', `"${process.execPath}" -e "${script(end)}"; echo; echo MODES-AFTER; stty -a; sleep 5`], { name: 'xterm', cols: 200, rows: 24, encoding: null } as pty.IPtyForkOptions);
      let seen = '';
      term.onData((data: string | Buffer) => (seen += data.toString()));
      try {
        await until(() => /MODES-AFTER[\s\S]*\bopost\b/.test(seen), 10_000, 'stty -a after node ended');
        expect(seen).toContain('OFF-WHILE-RUNNING');
        expect(seen.slice(seen.indexOf('MODES-AFTER'))).toMatch(/(^|\s)opost(\s|$)/);
      } finally {
        term.kill();
      }
    }
  });
});
