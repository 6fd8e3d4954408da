/**
 * What the person reads, in plain words: who is connected, what they can see,
 * what is open, and how to end it. Text only; printing is the terminal's job.
 */
import type { DeviceSummary, ShellCloseReason } from '../../protocol/index.js';
import { formatSize } from '../../protocol/index.js';
import { agentLanguage, agentWords } from '../cli/agent-language.js';
import type { Welcome } from '../link/link.js';
import { personCatalog } from './person-catalog.js';

export const words = agentWords(personCatalog);

/** How the person ends things, for a keyboard (TTY) or piped input. */
function endHints(interactive: boolean): { session: string; shell: string } {
  return interactive ? { session: words('hintCtrlC'), shell: words('hintCtrlBracket') } : { session: words('hintQuit'), shell: words('hintEnd') };
}

/** The greeting after the controller accepted us: who, what they see now, the promise, the way out. */
export function introText(welcome: Welcome, summary: DeviceSummary | null, interactive: boolean): string {
  const { controller, technician } = welcome;
  const lines = [
    '',
    words('connectedTo', { organization: controller.organization, name: controller.name, url: controller.url }),
    ...(technician ? [words('yourTechnician', { name: technician.name, username: technician.username })] : []),
    '',
    words('whatTechnicianSees'),
    ...(summary ? summaryLines(summary) : [words('summaryMissing')]),
    '',
    words('promiseLine1'),
    words('promiseLine2'),
    words('endSessionAnyTime', { how: endHints(interactive).session }),
    ...(technician ? [words('chatHint', { how: words(interactive ? 'chatHintKey' : 'chatHintLine') })] : []),
  ];
  return lines.join('\n');
}

function summaryLines(s: DeviceSummary): string[] {
  const language = agentLanguage();
  const size = (bytes: number): string => formatSize(bytes, language);
  const disks = s.disks.map((d) => words('disk', { mount: d.mount, fs: d.fs, size: size(d.sizeBytes), used: size(d.usedBytes) }));
  const addresses = s.addresses.map((a) => `${a.address} (${a.iface})`);
  return [
    words('summaryComputer', { value: s.hostname }),
    words('summaryUser', { value: s.user }),
    words('summarySystem', { distro: s.os.distro, release: s.os.release, kernel: s.os.kernel, platform: s.os.platform, arch: s.os.arch }),
    words('summaryProcessor', { brand: s.cpu.brand, cores: s.cpu.cores }),
    words('summaryMemory', { total: size(s.memory.totalBytes), available: size(s.memory.availableBytes) }),
    words('summaryDisks', { value: disks.length > 0 ? disks.join('; ') : words('noDisks') }),
    words('summaryAddresses', { value: addresses.length > 0 ? addresses.join(', ') : words('noAddresses') }),
    words('summaryUptime', { value: duration(s.uptimeSeconds) }),
  ];
}

/** The banner printed when a remote shell opens: it is open, by whom, and how to close it. */
export function shellOpenBanner(by: string, user: string, shell: string, interactive: boolean): string {
  const hints = endHints(interactive);
  return [
    '',
    '════════════════════════════════════════════════════════════════',
    words('shellOpen', { by, user, shell }),
    words('mirroredBelow'),
    words('closeHints', { shellHow: hints.shell, sessionHow: hints.session }),
    '════════════════════════════════════════════════════════════════',
  ].join('\n');
}

/** The notice when shells must run without a terminal. */
export function pipesNotice(reason: string): string {
  return words('pipesNotice', { reason });
}

/** The closing line's explanation of why a shell ended. */
export function closeReasonText(reason: ShellCloseReason, exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? words('closeStopped') : words('closeExitCode', { code: String(exitCode) });
    case 'user':
      return words('closeUser');
    case 'technician':
      return words('closeTechnician');
    case 'console-gone':
      return words('closeConsoleGone');
    case 'agent-offline':
      return words('closeAgentOffline');
    case 'session-ended':
      return words('closeSessionEnded');
    case 'declined':
      return words('closeDeclined');
    case 'timeout':
      return words('closeTimeout');
    case 'spawn-failed':
      return words('closeSpawnFailed');
  }
}

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return words('uptimeDays', { days, hours });
  if (hours > 0) return words('uptimeHours', { hours, minutes });
  return words('uptimeMinutes', { minutes });
}

/** A technician's chat message as the person sees it: a labelled line of its own, never mistaken for what a shell prints. */
export function chatLine(name: string, text: string, colours: boolean): string {
  const label = words('chatFrom', { name });
  // On a terminal: a fresh line, colours reset, the label in reverse video, the text in bold.
  // i18n-ignore: terminal escape sequences
  return colours ? `\r\n\x1b[0m\x1b[1;30;43m ✉ ${label} \x1b[0m \x1b[1m${text}\x1b[0m` : `\n[${label}] ${text}`;
}
