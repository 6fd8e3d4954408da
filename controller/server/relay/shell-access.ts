/**
 * Who may do what with a live shell, in one place: roles change (level 1 / level 2
 * accounts are coming), and each rule here is then adapted once.
 *
 * - Typing (driving) belongs to the holder: the technician the person said yes to,
 *   at opening or at a take-over. Their other tabs may bring the shell over; nobody
 *   else drives without the person's fresh yes, administrators included.
 * - Watching, asking for the keyboard and following who is on a device: any
 *   technician with access to the device (today every technician and administrator
 *   reads every device).
 * - Ending a shell nobody shows: its holder, or an administrator (who may end any
 *   support session too).
 */
import type { Person } from '../../../protocol/index.js';
import { ROLES } from '../../../protocol/rest-answers.js';
import type { Account } from '../auth/accounts.js';

type Who = Pick<Account, 'username' | 'role'>;

/** Level 1, level 2 and administrators all read every device, so all may watch and ask. */
const TECHNICIAN_ROLES: ReadonlySet<string> = new Set(ROLES);

/** May this account see the device at all (its presence, its shells to watch)? */
export function mayAccessDevice(account: Who, _deviceId: string): boolean {
  return TECHNICIAN_ROLES.has(account.role);
}

/** May this account type in the shell (attach as driver)? Only the holder. */
export function mayDrive(account: Who, holder: Person): boolean {
  return account.username === holder.username;
}

/** May this account watch the shell read-only? */
export function mayObserve(account: Who, deviceId: string): boolean {
  return mayAccessDevice(account, deviceId);
}

/** May this account ask the person for the keyboard of a shell it watches? */
export function mayAskKeyboard(account: Who, deviceId: string): boolean {
  return mayAccessDevice(account, deviceId);
}

/** May this account end a shell that no console shows? */
export function mayEndDetached(account: Who, holder: Person): boolean {
  return mayDrive(account, holder) || account.role === 'admin';
}
