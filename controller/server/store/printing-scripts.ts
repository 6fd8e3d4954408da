/**
 * The printing starter fixes, seeded by migration 0009 (0004's list is shipped and
 * never edited): clear a print queue, restart CUPS. The Windows spooler restart is
 * 0004's restart-print-spooler. Suggested by the printer findings (protocol/printer-checks.ts).
 */
import type { StarterScript } from './starter-scripts.js';

export const PRINTING_STARTER_SCRIPTS: readonly StarterScript[] = [
  {
    name: 'clear-print-queue',
    title: 'Clear the print queue',
    description: 'Cancels every job waiting in the CUPS queues, or only one printer\'s (RELAIS_PARAM_PRINTER), and shows the queue before and after: the fix for a stuck job that holds back every document behind it. Platform: Linux and macOS (CUPS); cancelling other users\' jobs needs root.',
    interpreter: 'sh',
    body: [
      'printer="${RELAIS_PARAM_PRINTER:-}"',
      'command -v cancel >/dev/null 2>&1 || { echo "CUPS is not installed here (no cancel command)." >&2; exit 1; }',
      'echo "Waiting before:"; lpstat -W not-completed -o ${printer:+"$printer"} 2>/dev/null',
      'if [ -n "$printer" ]; then cancel -a "$printer"; else cancel -a; fi || exit $?',
      'echo "Waiting after:"; lpstat -W not-completed -o ${printer:+"$printer"} 2>/dev/null',
      'echo "Done (no job listed after: the queue is empty)."',
      '',
    ].join('\n'),
    parameters: [{ name: 'PRINTER', description: 'Only this printer\'s queue (empty: every queue).', default: '' }],
    timeoutSeconds: 60,
  },
  {
    name: 'clear-print-queue-windows',
    title: 'Clear the print queue (Windows)',
    description: 'Removes every job waiting for each printer, or only one printer\'s (RELAIS_PARAM_PRINTER), and lists the printers with their job counts. If a job will not go away, run restart-print-spooler, which also empties the spool folder. Platform: Windows (PowerShell, PrintManagement); needs an administrator account for other users\' jobs.',
    interpreter: 'powershell',
    body: [
      '$ErrorActionPreference = "Stop"',
      '$name = $env:RELAIS_PARAM_PRINTER',
      '$printers = if ($name) { Get-Printer -Name $name } else { Get-Printer }',
      'foreach ($p in $printers) { Get-PrintJob -PrinterName $p.Name | Remove-PrintJob }',
      'Get-Printer | Format-Table -AutoSize Name, JobCount',
      '',
    ].join('\r\n'),
    parameters: [{ name: 'PRINTER', description: 'Only this printer\'s queue (empty: every queue).', default: '' }],
    timeoutSeconds: 120,
  },
  {
    name: 'restart-cups',
    title: 'Restart the printing service (CUPS)',
    description: 'Restarts CUPS (systemd\'s cups.service on Linux, launchd\'s org.cups.cupsd on macOS) and says whether the scheduler runs again: the fix for "the printing service is stopped" and for queues that stopped moving. Platform: Linux with systemd, and macOS; needs root.',
    interpreter: 'sh',
    body: [
      'if command -v systemctl >/dev/null 2>&1 && systemctl cat cups.service >/dev/null 2>&1; then systemctl restart cups.service || exit $?',
      'elif command -v launchctl >/dev/null 2>&1; then launchctl kickstart -k system/org.cups.cupsd || exit $?',
      'else echo "No CUPS service found (systemd cups.service, launchd org.cups.cupsd)." >&2; exit 1; fi',
      'sleep 2',
      'lpstat -r',
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 60,
  },
];
