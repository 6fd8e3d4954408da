/**
 * The printing starter fixes, seeded by migration 0009 (0004's list is shipped and
 * never edited): clear a print queue, restart CUPS. The Windows spooler restart is
 * 0004's restart-print-spooler. Suggested by the printer findings (protocol/printer-checks.ts).
 */
import { starterWords } from './script-words.js';
import type { StarterScript } from './starter-scripts.js';

export const PRINTING_STARTER_SCRIPTS: readonly StarterScript[] = [
  {
    name: 'clear-print-queue',
    title: starterWords('clear-print-queue').title,
    description: starterWords('clear-print-queue').description,
    interpreter: 'sh',
    body: [
      'printer="${RELAIS_PARAM_PRINTER:-}"', // i18n-ignore: shell code, run as is
      'command -v cancel >/dev/null 2>&1 || { echo "CUPS is not installed here (no cancel command)." >&2; exit 1; }', // i18n-ignore: shell code, run as is
      'echo "Waiting before:"; lpstat -W not-completed -o ${printer:+"$printer"} 2>/dev/null', // i18n-ignore: shell code, run as is
      'if [ -n "$printer" ]; then cancel -a "$printer"; else cancel -a; fi || exit $?', // i18n-ignore: shell code, run as is
      'echo "Waiting after:"; lpstat -W not-completed -o ${printer:+"$printer"} 2>/dev/null', // i18n-ignore: shell code, run as is
      'echo "Done (no job listed after: the queue is empty)."', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [{ name: 'PRINTER', description: starterWords('clear-print-queue').parameter('PRINTER'), default: '' }],
    timeoutSeconds: 60,
  },
  {
    name: 'clear-print-queue-windows',
    title: starterWords('clear-print-queue-windows').title,
    description: starterWords('clear-print-queue-windows').description,
    interpreter: 'powershell',
    body: [
      '$ErrorActionPreference = "Stop"', // i18n-ignore: shell code, run as is
      '$name = $env:RELAIS_PARAM_PRINTER', // i18n-ignore: shell code, run as is
      '$printers = if ($name) { Get-Printer -Name $name } else { Get-Printer }', // i18n-ignore: shell code, run as is
      'foreach ($p in $printers) { Get-PrintJob -PrinterName $p.Name | Remove-PrintJob }', // i18n-ignore: shell code, run as is
      'Get-Printer | Format-Table -AutoSize Name, JobCount', // i18n-ignore: shell code, run as is
      '',
    ].join('\r\n'),
    parameters: [{ name: 'PRINTER', description: starterWords('clear-print-queue-windows').parameter('PRINTER'), default: '' }],
    timeoutSeconds: 120,
  },
  {
    name: 'restart-cups',
    title: starterWords('restart-cups').title,
    description: starterWords('restart-cups').description,
    interpreter: 'sh',
    body: [
      'if command -v systemctl >/dev/null 2>&1 && systemctl cat cups.service >/dev/null 2>&1; then systemctl restart cups.service || exit $?', // i18n-ignore: shell code, run as is
      'elif command -v launchctl >/dev/null 2>&1; then launchctl kickstart -k system/org.cups.cupsd || exit $?', // i18n-ignore: shell code, run as is
      'else echo "No CUPS service found (systemd cups.service, launchd org.cups.cupsd)." >&2; exit 1; fi', // i18n-ignore: shell code, run as is
      'sleep 2', // i18n-ignore: shell code, run as is
      'lpstat -r', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 60,
  },
];
