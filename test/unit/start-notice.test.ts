/**
 * What the controller says at start: to a person at a terminal the address and, on
 * the first start, the generated admin password in plain lines; to the log the same
 * facts as JSON, never the password, which goes to a file readable by the
 * controller's account alone when nobody is at a terminal.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD_FILE, announceStart } from '../../controller/server/observability/start-notice.js';
import { captureLog } from '../helpers/log-capture.js';

const PASSWORD = 'generated-Pa55word';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function facts(generatedPassword: string | null, created = true) {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-notice-'));
  dirs.push(dataDir);
  return { url: 'http://127.0.0.1:8080', dataDir, hostNames: null, admin: { created, generatedPassword } };
}

function terminal(isTTY: boolean) {
  let text = '';
  return { isTTY, write: (chunk: string) => (text += chunk), text: () => text };
}

describe('the start notice', () => {
  it('at a terminal: the address and the password in plain lines, once; the log has neither the password nor a file', () => {
    const f = facts(PASSWORD);
    const { log, text, records } = captureLog();
    const tty = terminal(true);
    announceStart(f, log, tty);
    expect(tty.text()).toContain('Relais controller listening on http://127.0.0.1:8080');
    expect(tty.text()).toContain(`First start: created account "admin" with password: ${PASSWORD}`);
    expect(text()).not.toContain(PASSWORD);
    expect(() => statSync(join(f.dataDir, ADMIN_PASSWORD_FILE))).toThrow();
    // The line a script waits for comes last.
    expect(records().at(-1)).toMatchObject({ url: 'http://127.0.0.1:8080', msg: expect.stringContaining('listening on http://127.0.0.1:8080 ') });
  });

  it('with nobody at a terminal: nothing but log lines; the password in a 0600 file the log points to', () => {
    const f = facts(PASSWORD);
    writeFileSync(join(f.dataDir, ADMIN_PASSWORD_FILE), 'an old one\n', { mode: 0o644 });
    const { log, text, records } = captureLog();
    const pipe = terminal(false);
    announceStart(f, log, pipe);
    expect(pipe.text()).toBe('');
    const file = join(f.dataDir, ADMIN_PASSWORD_FILE);
    expect(readFileSync(file, 'utf8')).toBe(`${PASSWORD}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(text()).not.toContain(PASSWORD);
    expect(records()).toContainEqual(expect.objectContaining({ level: 'warn', file }));
  });

  it('a chosen password (RELAIS_ADMIN_PASSWORD) or a later start: no password anywhere, no file', () => {
    for (const [created, line] of [[true, 'RELAIS_ADMIN_PASSWORD'], [false, null]] as const) {
      const f = facts(null, created);
      const { log, records } = captureLog();
      const tty = terminal(true);
      announceStart(f, log, tty);
      expect(tty.text()).not.toContain('password:');
      expect(records().some((r) => String(r.msg).includes('RELAIS_ADMIN_PASSWORD'))).toBe(line !== null);
      expect(() => statSync(join(f.dataDir, ADMIN_PASSWORD_FILE))).toThrow();
    }
  });
});
