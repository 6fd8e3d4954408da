/**
 * What the protocol's enums mean, in a technician's words. Error texts come from
 * the protocol's catalog; this file only covers states the catalog does not.
 */
import {
  ERRORS, describeError, type ConsentDecision, type DeviceSummary, type DeviceView, type Severity, type ShellCloseReason,
} from '../../../protocol/index.js';

/** How consent works, without a number: the agent decides its own timeout. */
export const CONSENT_EXPLAINED = 'The person is asked on their own screen; no answer means no.';

/** Why a shell ended, as one short sentence. */
export function describeCloseReason(reason: ShellCloseReason, exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? 'The shell exited.' : `The shell exited with code ${exitCode}.`;
    case 'user':
      return 'The person at the machine ended the shell.';
    case 'technician':
      return 'You ended the shell.';
    case 'console-gone':
      return 'The connection to the controller was lost, so the shell was closed.';
    case 'agent-offline':
      return 'Device went offline.';
    case 'declined':
      return 'Declined by the user.';
    case 'timeout':
      return 'No answer from the user.';
    case 'spawn-failed':
      return ERRORS.SHELL_ERR_SPAWN_FAILED.message;
    case 'session-ended':
      return ERRORS.SESSION_ERR_ENDED.message;
  }
}

/** The headline and the explanation shown when consent was not granted. */
export function describeRefusal(decision: Exclude<ConsentDecision, 'granted'>): { title: string; detail: string } {
  if (decision === 'refused-by-policy') return { title: 'Refused by policy', detail: `${ERRORS.SHELL_ERR_REFUSED_BY_POLICY.message} The machine's own policy file decides; it cannot be changed from here.` };
  return decision === 'declined'
    ? { title: 'Declined by the user', detail: `${ERRORS.SHELL_ERR_DECLINED.message} You can ask again; they will be asked again.` }
    : { title: 'No answer from the user', detail: `${ERRORS.SHELL_ERR_NO_ANSWER.message} Check with them, then ask again.` };
}

/** A catalog error in people's words; `fallback` is used only for codes that are not ours. */
export function errorText(code: string, fallback?: string): string {
  const words = describeError(code);
  return words === code && fallback ? fallback : words;
}

/** "Ubuntu 24.04 (x64)" from a summary or a list row's brief, or null before the agent reported. */
export function describeOs(facts: { os: DeviceSummary['os'] } | null): string | null {
  if (!facts) return null;
  const { distro, release, arch, platform } = facts.os;
  const name = [distro || platform, release].filter(Boolean).join(' ');
  return arch ? `${name} (${arch})` : name;
}

export type DeviceState = 'online' | 'offline' | 'ended';

/** The single state a badge shows: an ended session wins over connectivity. */
export function deviceState(device: Pick<DeviceView, 'sessionStatus' | 'online'>): DeviceState {
  if (device.sessionStatus === 'ended') return 'ended';
  return device.online ? 'online' : 'offline';
}

export const DEVICE_STATE_LABEL: Record<DeviceState, string> = {
  online: 'Online',
  offline: 'Offline',
  ended: 'Session ended',
};

/** Why "Open shell" is unavailable, or null when it can be used. */
export function shellUnavailableReason(device: Pick<DeviceView, 'sessionStatus' | 'online'>): string | null {
  if (device.sessionStatus === 'ended') return `${ERRORS.SESSION_ERR_ENDED.message} Send the person a new support link to help them again.`;
  if (!device.online) return `${ERRORS.SHELL_ERR_DEVICE_OFFLINE.message} You can open a shell when it reconnects.`;
  return null;
}

/** Why "Refresh" is unavailable, or null when the device can collect diagnostics now. */
export function refreshUnavailableReason(device: Pick<DeviceView, 'sessionStatus' | 'online'>): string | null {
  if (device.sessionStatus === 'ended') return `${ERRORS.SESSION_ERR_ENDED.message} Diagnostics can no longer be refreshed.`;
  if (!device.online) return `${ERRORS.SHELL_ERR_DEVICE_OFFLINE.message} You can refresh when it reconnects.`;
  return null;
}

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** "1 issue · critical", "3 issues · warning". */
export function describeFindingCount(count: number, worst: Severity): string {
  return `${count} ${count === 1 ? 'issue' : 'issues'} · ${worst}`;
}
