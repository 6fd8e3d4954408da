/**
 * What the protocol's enums mean, in a technician's words. Error texts come from
 * the protocol's catalog; this file only covers states the catalog does not.
 */
import {
  errorWords, type ConsentDecision, type DeviceSummary, type PolicyDecision, type DeviceView, type Severity, type ShellCloseReason,
} from '../../../protocol/index.js';
import { language, wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);
const err = (code: string) => errorWords(code, language());

/** How consent works, without a number: the agent decides its own timeout. */
export function consentExplained(): string {
  return t('consentExplained');
}

/** Why a shell ended, as one short sentence. */
export function describeCloseReason(reason: ShellCloseReason, exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? t('closeExit') : t('closeExitCode', { code: String(exitCode) });
    case 'user':
      return t('closeUser');
    case 'technician':
      return t('closeTechnician');
    case 'console-gone':
      return t('closeConsoleGone');
    case 'agent-offline':
      return t('closeAgentOffline');
    case 'declined':
      return t('closeDeclined');
    case 'timeout':
      return t('closeTimeout');
    case 'spawn-failed':
      return err('SHELL_ERR_SPAWN_FAILED');
    case 'session-ended':
      return err('SESSION_ERR_ENDED');
  }
}

/** The headline and the explanation shown when consent was not granted. */
export function describeRefusal(decision: Exclude<ConsentDecision, 'granted'>, shellPolicy?: PolicyDecision | null): { title: string; detail: string } {
  if (decision === 'refused-by-policy') {
    // Only `ask` refuses for want of a person at the machine; `deny` refuses whoever is there.
    const detail = shellPolicy === 'deny' ? t('refusedByDenyDetail')
      : shellPolicy === 'ask' ? t('refusedByPolicyDetail', { error: err('SHELL_ERR_REFUSED_BY_POLICY') })
        : t('refusedByPolicyGeneric');
    return { title: t('refusedByPolicyTitle'), detail };
  }
  return decision === 'declined'
    ? { title: t('declinedTitle'), detail: t('declinedDetail', { error: err('SHELL_ERR_DECLINED') }) }
    : { title: t('noAnswerTitle'), detail: t('noAnswerDetail', { error: err('SHELL_ERR_NO_ANSWER') }) };
}

/** A catalog error in people's words (current language); `fallback` is used only for codes that are not ours. */
export function errorText(code: string, fallback?: string): string {
  const words = err(code);
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

/** A state's label, in the current language when read. */
export const DEVICE_STATE_LABEL: Readonly<Record<DeviceState, string>> = {
  get online() { return t('stateOnline'); },
  get offline() { return t('stateOffline'); },
  get ended() { return t('stateEnded'); },
};

/** Why "Open shell" is unavailable, or null when it can be used. */
export function shellUnavailableReason(device: Pick<DeviceView, 'sessionStatus' | 'online' | 'policy'>): string | null {
  if (device.policy?.shell === 'deny') return t('shellPolicyDeny');
  if (device.sessionStatus === 'ended') return t('shellEnded', { error: err('SESSION_ERR_ENDED') });
  if (!device.online) return t('shellOffline', { error: err('SHELL_ERR_DEVICE_OFFLINE') });
  return null;
}

/** Why "Refresh" is unavailable, or null when the device can collect diagnostics now. */
export function refreshUnavailableReason(device: Pick<DeviceView, 'sessionStatus' | 'online'>): string | null {
  if (device.sessionStatus === 'ended') return t('refreshEnded', { error: err('SESSION_ERR_ENDED') });
  if (!device.online) return t('refreshOffline', { error: err('SHELL_ERR_DEVICE_OFFLINE') });
  return null;
}

/** A severity's label, in the current language when read. */
export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  get critical() { return t('severityCritical'); },
  get warning() { return t('severityWarning'); },
  get info() { return t('severityInfo'); },
};

/** "1 issue · critical", "3 issues · warning" / "3 constats · attention". */
export function describeFindingCount(count: number, worst: Severity): string {
  return t('findingCount', { count, worst });
}
