/**
 * The shell on plain pipes (agent/shell/shell-pipes.ts), the fallback when no pty
 * loads: what the shell writes to its errors and to its output reaches the technician
 * in the order it was written, as in a terminal, and a missing shell is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnPipesShell } from '../../agent/shell/shell-pipes.js';
import type { ShellOptions } from '../../agent/shell/shell-process.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function options(shell: string, onData: (bytes: Uint8Array) => void): ShellOptions {
  const dir = mkdtempSync(join(tmpdir(), 'relais-pipes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { shell, cwd: dir, env: { PATH: process.env.PATH, HOME: dir, PS1: 'PROMPT> ' }, cols: 80, rows: 24, forcePipes: true, onData };
}

describe.skipIf(process.platform === 'win32')('a shell on pipes', () => {
  it('keeps errors and output in the order the shell wrote them', async () => {
    let output = '';
    const shell = await spawnPipesShell(options('/bin/sh', (bytes) => void (output += Buffer.from(bytes).toString())));
    cleanups.push(() => shell.kill());
    // 400 lines alternating between the two streams, written faster than the agent reads:
    // read from two pipes, whole runs of one stream would land before the other's.
    shell.write(Buffer.from('i=0; while [ $i -lt 200 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done; echo "DONE-$((6*7))"\n'));
    await until(() => output.includes('DONE-42\n'), undefined, 'the loop to finish');
    const expected = Array.from({ length: 200 }, (_, i) => `out ${i}\nerr ${i}\n`).join('') + 'DONE-42\n';
    expect(output).toContain(expected);
    // The shell keeps its own pid (the wrapper execs it) and still leads its session.
    output = '';
    shell.write(Buffer.from('echo "pid $$"\n'));
    await until(() => /pid \d+\n/.test(output), undefined, 'the shell to print its pid');
    expect(output).toContain(`pid ${shell.pid}\n`);
    shell.write(Buffer.from('exit 3\n'));
    expect(await shell.exited).toBe(3);
  });

  it('refuses a shell that does not exist', async () => {
    await expect(spawnPipesShell(options('/nonexistent/relais-shell', () => undefined))).rejects.toThrow(/ENOENT/);
  });
});
