/**
 * Keystrokes and pastes into a real pty through the agent's shell (node-pty, written
 * by agent/shell/pty-writer.ts): a 330 KB paste sent while the program reads nothing
 * does not block the agent and arrives whole, in order, once the program reads; a
 * write after the shell ended does nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPty, spawnPtyShell } from '../../agent/shell/shell-pty.js';
import type { ShellProcess } from '../../agent/shell/shell-process.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function shell(): Promise<{ shell: ShellProcess; output: () => string; dir: string }> {
  const pty = await loadPty();
  if (!pty.ok) throw new Error(pty.reason);
  const dir = mkdtempSync(join(tmpdir(), 'relais-pty-input-'));
  let output = '';
  const process = spawnPtyShell(pty.module, {
    shell: '/bin/sh', cwd: dir, env: { PATH: globalThis.process.env.PATH, HOME: dir }, cols: 80, rows: 24, forcePipes: false,
    onData: (bytes) => void (output += Buffer.from(bytes).toString('latin1')),
  });
  cleanups.push(() => {
    process.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return { shell: process, output: () => output, dir };
}

describe.skipIf(process.platform === 'win32')('input into a real pty', () => {
  it('a 330 KB paste while the program reads nothing: the agent goes on at once, and every byte arrives in order', async () => {
    const { shell: sh, output, dir } = await shell();
    const go = join(dir, 'go');
    const received = join(dir, 'received');
    // Raw, so every byte value passes as it is; cat starts reading only once "go" exists.
    // The marker is computed: the terminal echoes the typed line at once, and a literal
    // marker in that echo would let the paste in before stty ran, where its ^C and ^Z
    // interrupt the line and cat never starts.
    sh.write(Buffer.from(`stty raw -echo; echo READY-$((6*7)); while [ ! -e ${go} ]; do sleep 0.05; done; exec cat > ${received}\n`));
    await until(() => output().includes('READY-42'), undefined, 'the shell to be ready');
    const paste = randomBytes(330 * 1024);
    // A write that waited for the pty to take it all would never return: nothing reads until "go".
    sh.write(paste.subarray(0, 200_000));
    sh.write(paste.subarray(200_000));
    expect(existsSync(received)).toBe(false);
    writeFileSync(go, '');
    await until(() => existsSync(received) && statSync(received).size >= paste.byteLength, undefined, () => `${paste.byteLength} bytes in the file (${existsSync(received) ? statSync(received).size : 0})`);
    expect(readFileSync(received).equals(paste)).toBe(true);
  });

  it('a write after the shell ended does nothing', async () => {
    const { shell: sh } = await shell();
    sh.write(Buffer.from('exit\n'));
    await sh.exited;
    expect(() => sh.write(Buffer.from('echo too late\n'))).not.toThrow();
  });
});
