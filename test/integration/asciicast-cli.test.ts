/**
 * A recording made by the controller's writer plays with the real asciinema CLI
 * (Debian package `asciinema`; .ci/run installs it). A missing CLI fails the test:
 * the point is to prove the files are what players expect. `asciinema cat` opens
 * /dev/tty, so it runs under `script` (util-linux, always on Debian), which gives it one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsciicastWriter } from '../../controller/server/recordings/asciicast-writer.js';

const ASCIINEMA = '/usr/bin/asciinema';

/** `asciinema cat <file>` in a pseudo-terminal; resolves with what it printed, rejects on a non-zero exit. */
function asciinemaCat(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', `${ASCIINEMA} cat '${path}'`, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      timeout: 30_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      else reject(new Error(`asciinema cat exited with ${code}: ${stdout}${Buffer.concat(err).toString('utf8')}`));
    });
  });
}
const dir = mkdtempSync(join(tmpdir(), 'relais-cast-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('asciicast recordings with the asciinema CLI', () => {
  it('asciinema cat plays what the writer recorded, split characters and resize included', async () => {
    expect(existsSync(ASCIINEMA), 'asciinema is not installed: apt-get install asciinema (.ci/run does it)').toBe(true);
    expect(existsSync('/usr/bin/script'), 'script (util-linux) is missing').toBe(true);
    const path = join(dir, 'shell.cast');
    const w = new AsciicastWriter({ path, width: 80, height: 24, language: 'fr', title: 'Terminal', env: { TERM: 'xterm-256color' } });
    w.output('$ echo café\r\n');
    const euro = new TextEncoder().encode('prix : 12 €\r\n');
    const cut = euro.length - 3; // in the middle of "€"
    w.output(euro.subarray(0, cut));
    w.output(euro.subarray(cut));
    w.resize(132, 43);
    w.output('fin de la séance\r\n');
    await w.close();

    const stdout = await asciinemaCat(path);
    expect(stdout).toContain('$ echo café');
    expect(stdout).toContain('prix : 12 €');
    expect(stdout).toContain('fin de la séance');
  });

  it('asciinema cat plays a truncated recording up to its marker', async () => {
    const path = join(dir, 'big.cast');
    const w = new AsciicastWriter({ path, width: 80, height: 24, language: 'en', maxBytes: 1_000 });
    for (let i = 0; i < 100; i++) w.output(`row ${i}\r\n`);
    await w.close();
    const stdout = await asciinemaCat(path);
    expect(stdout).toContain('row 0');
    expect(stdout).toContain('[recording truncated: size limit reached]');
    expect(stdout).not.toContain('row 99');
  });
});
