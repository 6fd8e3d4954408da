/**
 * The file transfers' wire rules (protocol/file-transfer.ts): which channels carry
 * files, what a file name may be (what the person is asked about is what lands on the
 * disk), the numbered names beside a taken one, and what the schemas refuse.
 */
import { describe, expect, it } from 'vitest';
import {
  FILE_CHANNEL_BASE, FILE_CHANNEL_END, FILE_ERROR_CODES, FILE_LIMITS, ERRORS, agentToController, consoleToController, controllerToAgent, decodeControl,
  fileName, fitFileName, isFileChannel, isSafeFileName, numberedFileName, refusalCode, safeFileName,
} from '../../protocol/index.js';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe('file channels', () => {
  it('are apart from shells (1 up) and from the agent\u2019s own job questions (0xf0000000 up)', () => {
    expect(isFileChannel(1)).toBe(false);
    expect(isFileChannel(FILE_CHANNEL_BASE - 1)).toBe(false);
    expect(isFileChannel(FILE_CHANNEL_BASE)).toBe(true);
    expect(isFileChannel(FILE_CHANNEL_END - 1)).toBe(true);
    expect(isFileChannel(FILE_CHANNEL_END)).toBe(false);
    expect(isFileChannel(0xffff_ffff)).toBe(false);
  });
});

describe('file names', () => {
  it('keep an ordinary name as it is, accents and spaces included', () => {
    for (const name of ['report.pdf', 'Procédure VPN (version 3).pdf', '.bashrc', 'photo 2024-06-01 à 10.12.jpg', 'データ.csv']) {
      expect(safeFileName(name)).toBe(name);
      expect(isSafeFileName(name)).toBe(true);
    }
  });

  it('never carry a folder, a stream, a device or a character a file system refuses', () => {
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('C:\\Windows\\system32\\evil.dll')).toBe('C__Windows_system32_evil.dll');
    expect(safeFileName('notes.txt:hidden')).toBe('notes.txt_hidden');
    expect(safeFileName('a<b>c|d?e*f"g')).toBe('a_b_c_d_e_f_g');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('.')).toBe('file');
    expect(safeFileName('   ')).toBe('file');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('lpt1.txt')).toBe('_lpt1.txt');
    expect(safeFileName('trailing dots... ')).toBe('trailing dots');
    expect(safeFileName('line\nbreak\u202etxt.exe')).toBe('line break txt.exe');
    for (const bad of ['a/b', 'a\\b', '..', '.', 'c:x', 'CON', 'x ', '']) expect(isSafeFileName(bad), bad).toBe(false);
  });

  it('fit 255 bytes of UTF-8 with their extension kept', () => {
    const long = `${'é'.repeat(300)}.tar.gz`;
    const fitted = safeFileName(long);
    expect(bytes(fitted)).toBeLessThanOrEqual(FILE_LIMITS.maxNameBytes);
    expect(fitted.endsWith('é.gz')).toBe(true);
    expect(fitFileName('abcdef.txt', 8)).toBe('abcd.txt');
    // A character is never cut in two.
    expect(fitFileName('€€€.txt', 9)).toBe('€.txt');
  });

  it('number a copy beside a taken name, within the limit', () => {
    expect(numberedFileName('report.pdf', 1)).toBe('report (1).pdf');
    expect(numberedFileName('archive', 12)).toBe('archive (12)');
    expect(numberedFileName('.bashrc', 2)).toBe('.bashrc (2)');
    const long = safeFileName(`${'x'.repeat(300)}.pdf`);
    const numbered = numberedFileName(long, 3);
    expect(bytes(numbered)).toBeLessThanOrEqual(FILE_LIMITS.maxNameBytes);
    expect(numbered.endsWith(' (3).pdf')).toBe(true);
  });
});

describe('the schemas', () => {
  const person = { username: 'sam', name: 'Sam' };
  it('refuse a name that is not one safe file name, whoever sends it', () => {
    for (const name of ['../x', 'a/b', 'CON', '', 'x'.repeat(256)]) {
      expect(fileName.safeParse(name).success, name).toBe(false);
      expect(decodeControl(consoleToController, JSON.stringify({ t: 'file.send', requestId: 'r', deviceId: 'd', name, size: 1 })).ok).toBe(false);
      expect(decodeControl(controllerToAgent, JSON.stringify({ t: 'file.offer', channel: FILE_CHANNEL_BASE, requestedBy: person, name, size: 1 })).ok).toBe(false);
    }
  });

  it('refuse a SHA-256 that is not 64 lowercase hex digits, a negative size and an unknown error code', () => {
    const end = (sha256: string, size = 1) => decodeControl(agentToController, JSON.stringify({ t: 'file.end', channel: FILE_CHANNEL_BASE, size, sha256 }));
    expect(end('a'.repeat(64)).ok).toBe(true);
    expect(end('A'.repeat(64)).ok).toBe(false);
    expect(end('a'.repeat(63)).ok).toBe(false);
    expect(end('a'.repeat(64), -1).ok).toBe(false);
    expect(decodeControl(agentToController, JSON.stringify({ t: 'file.failed', channel: FILE_CHANNEL_BASE, code: 'SHELL_ERR_SPAWN_FAILED' })).ok).toBe(false);
  });

  it('a path is plain text: no control character can reorder what the person reads', () => {
    const fetch = (path: string) => decodeControl(consoleToController, JSON.stringify({ t: 'file.fetch', requestId: 'r', deviceId: 'd', path }));
    expect(fetch('/var/log/syslog').ok).toBe(true);
    expect(fetch('/tmp/a\u202egol.exe').ok).toBe(false);
    expect(fetch('/tmp/a\nb').ok).toBe(false);
    expect(fetch('').ok).toBe(false);
  });

  it('every transfer error is in the catalog, and each refusal has its code', () => {
    for (const code of FILE_ERROR_CODES) expect(ERRORS[code].close).toBeNull();
    expect(refusalCode('declined')).toBe('FILE_ERR_DECLINED');
    expect(refusalCode('timeout')).toBe('FILE_ERR_NO_ANSWER');
    expect(refusalCode('refused-by-policy')).toBe('FILE_ERR_REFUSED_BY_POLICY');
  });
});
