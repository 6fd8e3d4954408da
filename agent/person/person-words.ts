/**
 * What the person reads, in plain words: who is connected, what they can see,
 * what is open, and how to end it. Text only; printing is the terminal's job.
 */
import type { DeviceSummary, ShellCloseReason } from '../../protocol/index.js';
import type { Welcome } from '../link/link.js';

/** How the person ends things, for a keyboard (TTY) or piped input. */
function endHints(interactive: boolean): { session: string; shell: string } {
  return interactive
    ? { session: 'press Ctrl+C', shell: 'press Ctrl+]' }
    : { session: 'type "quit" and Enter', shell: 'type "end" and Enter' };
}

/** The greeting after the controller accepted us: who, what they see now, the promise, the way out. */
export function introText(welcome: Welcome, summary: DeviceSummary | null, interactive: boolean): string {
  const { controller, technician } = welcome;
  const lines = [
    '',
    `Connected to ${controller.organization} — ${controller.name} (${controller.url}).`,
    ...(technician ? [`Your technician is ${technician.name} (${technician.username}).`] : []),
    '',
    'What the technician can see now:',
    ...(summary ? summaryLines(summary) : ['  (the description of this computer could not be gathered)']),
    '',
    'Nothing runs on this computer without your yes: if the technician asks to run anything,',
    'the question appears here and you answer it.',
    `To end the session at any time, ${endHints(interactive).session}.`,
  ];
  return lines.join('\n');
}

function summaryLines(s: DeviceSummary): string[] {
  const disks = s.disks.map((d) => `${d.mount} (${d.fs}) ${bytes(d.sizeBytes)}, ${bytes(d.usedBytes)} used`);
  const addresses = s.addresses.map((a) => `${a.address} (${a.iface})`);
  return [
    `  Computer name:  ${s.hostname}`,
    `  Your user:      ${s.user}`,
    `  System:         ${s.os.distro} ${s.os.release}, kernel ${s.os.kernel}, ${s.os.platform} ${s.os.arch}`,
    `  Processor:      ${s.cpu.brand}, ${s.cpu.cores} cores`,
    `  Memory:         ${bytes(s.memory.totalBytes)} total, ${bytes(s.memory.availableBytes)} available`,
    `  Disks:          ${disks.length > 0 ? disks.join('; ') : 'none found'}`,
    `  IP addresses:   ${addresses.length > 0 ? addresses.join(', ') : 'none found'}`,
    `  Up for:         ${duration(s.uptimeSeconds)}`,
  ];
}

/** The banner printed when a remote shell opens: it is open, by whom, and how to close it. */
export function shellOpenBanner(by: string, user: string, shell: string, interactive: boolean): string {
  const hints = endHints(interactive);
  return [
    '',
    '════════════════════════════════════════════════════════════════',
    `A REMOTE SHELL IS OPEN, opened by ${by}, running as "${user}" (${shell}).`,
    'Everything it shows is mirrored below.',
    `To close the remote shell, ${hints.shell}. To end the whole session, ${hints.session}.`,
    '════════════════════════════════════════════════════════════════',
  ].join('\n');
}

/** The notice when shells must run without a terminal. */
export function pipesNotice(reason: string): string {
  return (
    `Note: ${reason}, so the remote shell runs without a terminal (plain pipes). ` +
    'Commands work, but full-screen programs and password prompts will not.'
  );
}

/** The closing line's explanation of why a shell ended. */
export function closeReasonText(reason: ShellCloseReason, exitCode: number | null): string {
  switch (reason) {
    case 'exit':
      return exitCode === null ? 'the shell was stopped' : `the shell exited with code ${exitCode}`;
    case 'user':
      return 'you closed it';
    case 'technician':
      return 'the technician closed it';
    case 'console-gone':
      return "the technician's browser went away";
    case 'agent-offline':
      return 'the connection was lost';
    case 'session-ended':
      return 'the session ended';
    case 'declined':
    case 'timeout':
    case 'spawn-failed':
      return reason;
  }
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${n >= 10 || unit === 0 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`;
}

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}
