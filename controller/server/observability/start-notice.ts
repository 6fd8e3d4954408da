/**
 * What the controller says when it starts, to two readers. The log (JSON on stdout)
 * gets the address, the data folder and the names answered, as for any event. A
 * person at a terminal (stderr is a TTY: `npm start` in a shell) also reads them as
 * plain lines, and on the very first start the generated `admin` password, once, as
 * before. That password is a secret, so it never goes in a log line: when nobody is
 * at a terminal (a service, a container, output redirected to a file) it is written
 * instead to `admin-password` in the data folder, readable by the controller's
 * account only, and the log says where.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from './logger.js';

export interface StartFacts {
  readonly url: string;
  readonly dataDir: string;
  /** Where the data is, when not only the data folder (a PostgreSQL URL, its password hidden). */
  readonly store?: string;
  /** The names answered and how to add one, when bound to a wildcard address without --public-url. */
  readonly hostNames: string | null;
  readonly admin: { readonly created: boolean; readonly generatedPassword: string | null };
}

/** Where plain lines for a person go: the process's stderr. */
export interface Terminal {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export const ADMIN_PASSWORD_FILE = 'admin-password';

export function announceStart(facts: StartFacts, log: Log, terminal: Terminal): void {
  const listening = `Relais controller listening on ${facts.url} (${facts.store ?? `data in ${facts.dataDir}`})`;
  const person = terminal.isTTY === true;
  const lines = [listening, ...(facts.hostNames ? [facts.hostNames] : [])];
  const { created, generatedPassword } = facts.admin;
  if (generatedPassword && person) {
    // Printed once, on purpose: the operator needs it to log in the first time. It is never logged.
    lines.push('', `First start: created account "admin" with password: ${generatedPassword}`, 'Keep it somewhere safe; it will not be shown again.');
    log.info('First start: created account "admin"; its password was shown on the terminal, not in the log.');
  } else if (generatedPassword) {
    const file = join(facts.dataDir, ADMIN_PASSWORD_FILE);
    // A new file each time, so its mode is ours even if an old one was left there.
    rmSync(file, { force: true });
    writeFileSync(file, `${generatedPassword}\n`, { mode: 0o600, flag: 'wx' });
    log.warn({ file }, `First start: created account "admin"; its password is in ${file} (readable by this account only). Log in, change it, then delete the file.`);
  } else if (created) {
    log.info('First start: created account "admin" with the password from RELAIS_ADMIN_PASSWORD.');
  }
  if (facts.hostNames) log.info(facts.hostNames);
  // Last: whatever waits for this line (a script, a test) finds everything above already done.
  log.info({ url: facts.url, dataDir: facts.dataDir }, listening);
  if (person) terminal.write(`\n${lines.join('\n')}\n\n`);
}
