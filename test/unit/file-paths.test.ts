/**
 * Where a sent file goes and which file a fetch may read (agent/files/file-paths.ts):
 * the Downloads folder as the desktop names it, a free name beside taken ones, and a
 * fetch that only ever opens the one regular file named — no `..`, no link on the way,
 * no folder, device or pipe — checked again through the handle it opened.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PATH_REFUSALS, downloadsFolder, freeName, openForFetch } from '../../agent/files/file-paths.js';

const home = mkdtempSync(join(tmpdir(), 'relais-paths-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const linux = { home: '/home/pat', env: {}, platform: 'linux' as const };

describe('the Downloads folder', () => {
  it('is XDG\u2019s on Linux, French desktops included, with $HOME expanded', () => {
    const dirs = (text: string) => (file: string) => (file === '/home/pat/.config/user-dirs.dirs' ? text : null);
    expect(downloadsFolder(linux, dirs('XDG_DESKTOP_DIR="$HOME/Bureau"\nXDG_DOWNLOAD_DIR="$HOME/Téléchargements"\n'))).toBe('/home/pat/Téléchargements');
    expect(downloadsFolder(linux, dirs('XDG_DOWNLOAD_DIR="/data/incoming"'))).toBe('/data/incoming');
    expect(downloadsFolder({ ...linux, env: { XDG_CONFIG_HOME: '/etc/pat' } }, (f) => (f === '/etc/pat/user-dirs.dirs' ? 'XDG_DOWNLOAD_DIR="$HOME/DL"' : null))).toBe('/home/pat/DL');
  });

  it('falls back to ~/Downloads: no file, turned off ($HOME itself), relative, or another system', () => {
    expect(downloadsFolder(linux, () => null)).toBe('/home/pat/Downloads');
    expect(downloadsFolder(linux, () => 'XDG_DOWNLOAD_DIR="$HOME/"')).toBe('/home/pat/Downloads');
    expect(downloadsFolder(linux, () => 'XDG_DOWNLOAD_DIR="Downloads"')).toBe('/home/pat/Downloads');
    expect(downloadsFolder({ home: '/Users/pat', env: {}, platform: 'darwin' }, () => 'XDG_DOWNLOAD_DIR="/x"')).toBe('/Users/pat/Downloads');
    expect(downloadsFolder({ home: 'C:\\Users\\pat', env: {}, platform: 'win32' })).toBe('C:\\Users\\pat\\Downloads');
  });
});

describe('a free name', () => {
  it('is the name itself, else the first "name (n).ext" nobody has', () => {
    const taken = new Set(['/d/report.pdf', '/d/report (1).pdf', '/d/notes']);
    const exists = (file: string) => taken.has(file);
    expect(freeName('/d', 'other.pdf', exists)).toBe('other.pdf');
    expect(freeName('/d', 'report.pdf', exists)).toBe('report (2).pdf');
    expect(freeName('/d', 'notes', exists)).toBe('notes (1)');
  });
});

describe('the file a fetch may read', () => {
  writeFileSync(join(home, 'app.log'), 'log line\n');
  mkdirSync(join(home, 'docs'));
  writeFileSync(join(home, 'docs', 'report.txt'), 'report');
  symlinkSync(join(home, 'app.log'), join(home, 'link.log'));
  symlinkSync(join(home, 'docs'), join(home, 'shortcut'));
  execFileSync('mkfifo', [join(home, 'pipe')]);
  const host = { home, env: {}, platform: process.platform };

  it('opens the one regular file named, by its full path or from ~, and says its real path, name and size', async () => {
    for (const asked of [join(home, 'app.log'), '~/app.log', `${home}//app.log`, `${home}/./app.log`]) {
      const check = await openForFetch(asked, host, 1000);
      expect(check, asked).toMatchObject({ ok: true, path: join(home, 'app.log'), name: 'app.log', size: 9 });
      if (check.ok) {
        const { buffer } = await check.handle.read(Buffer.alloc(9), 0, 9, 0);
        expect(buffer.toString()).toBe('log line\n');
        await check.handle.close();
      }
    }
  });

  it('refuses without opening anything what escapes or is not one regular file', async () => {
    const refusals: Array<[string, string]> = [
      [`${home}/docs/../app.log`, PATH_REFUSALS.dotDot],
      ['docs/report.txt', PATH_REFUSALS.relative],
      ['~', PATH_REFUSALS.notFile],
      [join(home, 'link.log'), PATH_REFUSALS.link],
      [join(home, 'shortcut', 'report.txt'), PATH_REFUSALS.throughLink],
      [join(home, 'docs'), PATH_REFUSALS.notFile],
      [join(home, 'pipe'), PATH_REFUSALS.notFile],
      ['/dev/null', PATH_REFUSALS.notFile],
    ];
    for (const [asked, detail] of refusals) expect(await openForFetch(asked, host, 1000), asked).toEqual({ ok: false, code: 'FILE_ERR_PATH_REFUSED', detail });
  });

  it('says a missing file is missing, and a file over the limit is too large', async () => {
    expect(await openForFetch(join(home, 'nowhere.log'), host, 1000)).toMatchObject({ ok: false, code: 'FILE_ERR_NOT_FOUND' });
    expect(await openForFetch(join(home, 'app.log', 'below'), host, 1000)).toMatchObject({ ok: false, code: 'FILE_ERR_NOT_FOUND' });
    expect(await openForFetch(join(home, 'app.log'), host, 8)).toEqual({ ok: false, code: 'FILE_ERR_TOO_LARGE', detail: '9 > 8' });
  });

  it('refuses a name that would not read as what it is (control characters)', async () => {
    const tricky = join(home, 'invoice\u202etxt.exe');
    writeFileSync(tricky, 'x');
    expect(await openForFetch(tricky, host, 1000)).toEqual({ ok: false, code: 'FILE_ERR_PATH_REFUSED', detail: PATH_REFUSALS.notText });
  });
});
