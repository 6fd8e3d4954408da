/**
 * Printers: CUPS through `lpstat` on Linux and macOS, the Print Spooler through one
 * PowerShell call on Windows. systeminformation's printer() is not used: it gives
 * neither the default printer nor the jobs, and on macOS it runs system_profiler,
 * which takes seconds.
 */
import type { PrintersSection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { asArray, clean, parseWindowsDate, powerShellJson } from './probe-text.js';

type Printer = PrintersSection['printers'][number];
type Job = PrintersSection['jobs'][number];

const NONE: PrintersSection = { available: false, system: 'none', spooler: 'unknown', defaultPrinter: null, printers: [], jobs: [], jobCount: 0 };
const OFFLINE = /not responding|offline|unable to (connect|locate)|unreachable|not connected|not available|waiting for printer/i;

export async function probePrinters(host: ProbeHost, timeoutMs: number): Promise<PrintersSection> {
  return host.platform === 'win32' ? windowsPrinters(host, timeoutMs) : cupsPrinters(host, timeoutMs);
}

async function cupsPrinters(host: ProbeHost, timeoutMs: number): Promise<PrintersSection> {
  const [status, jobs] = await Promise.all([
    host.run('lpstat', ['-r', '-d', '-l', '-p'], timeoutMs),
    host.run('lpstat', ['-W', 'not-completed', '-o'], timeoutMs),
  ]);
  if (status.kind === 'missing') return NONE;
  if (status.kind === 'failed') throw new Error(`lpstat: ${status.error}`);
  const parsed = parseLpstatPrinters(status.stdout);
  if (!parsed.schedulerRunning) {
    // A stopped scheduler only matters where printers are set up.
    const configured = await host.exists('/etc/cups/printers.conf');
    return configured ? { ...NONE, available: true, system: 'cups', spooler: 'stopped' } : NONE;
  }
  const jobList = jobs.kind === 'done' ? parseLpstatJobs(jobs.stdout) : [];
  return finish('cups', 'running', parsed.defaultPrinter, parsed.printers, jobList);
}

function finish(system: PrintersSection['system'], spooler: PrintersSection['spooler'], defaultPrinter: string | null, printers: Printer[], jobs: Job[]): PrintersSection {
  const sorted = [...jobs].sort((a, b) => (a.submittedAt ?? Infinity) - (b.submittedAt ?? Infinity));
  return {
    available: true,
    system,
    spooler,
    defaultPrinter: defaultPrinter === null ? null : clean(defaultPrinter, 128),
    printers: printers.slice(0, 16).map((p) => ({ ...p, isDefault: p.name === defaultPrinter })),
    jobs: sorted.slice(0, 10),
    jobCount: Math.min(jobs.length, 1_000_000),
  };
}

/** `lpstat -r -d -l -p` (C locale): scheduler state, default destination, one block per printer. */
export function parseLpstatPrinters(stdout: string): { schedulerRunning: boolean; defaultPrinter: string | null; printers: Printer[] } {
  const lines = stdout.split(/\r?\n/);
  const schedulerRunning = !lines.some((l) => /^scheduler is not running/.test(l));
  const defaultPrinter = lines.map((l) => /^system default destination: (.+)$/.exec(l)?.[1]?.trim()).find(Boolean) ?? null;
  const printers: Printer[] = [];
  let current: { name: string; head: string; message: string | null; alerts: string } | null = null;
  const flush = () => {
    if (!current) return;
    printers.push({ name: clean(current.name, 128), state: cupsState(current.head, current.message, current.alerts), detail: current.message ? clean(current.message, 160) : null, isDefault: false });
    current = null;
  };
  for (const line of lines) {
    const head = /^printer (\S+) (.*)$/.exec(line);
    if (head) {
      flush();
      current = { name: head[1]!, head: head[2]!, message: null, alerts: '' };
      continue;
    }
    if (!current || !/^\s/.test(line)) continue;
    const text = line.trim();
    const alerts = /^Alerts:\s*(.*)$/.exec(text);
    if (alerts) current.alerts = alerts[1]!;
    // The printer's own message comes first, before the long listing's "Key: value" lines.
    else if (current.message === null && !/^[A-Z][A-Za-z ]+:/.test(text) && text !== '') current.message = text;
  }
  flush();
  return { schedulerRunning, defaultPrinter, printers };
}

function cupsState(head: string, message: string | null, alerts: string): Printer['state'] {
  if (/offline/i.test(alerts) || (message && OFFLINE.test(message))) return 'offline';
  if (/^disabled/.test(head) || /paused/i.test(alerts)) return 'paused';
  if (/now printing/.test(head)) return 'printing';
  if (/is idle/.test(head)) return 'idle';
  return 'unknown';
}

/** `lpstat -W not-completed -o` (C locale): "DEST-ID  USER  SIZE  DATE". */
export function parseLpstatJobs(stdout: string): Job[] {
  const jobs: Job[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^(\S+)-(\d+)\s+(\S+)\s+(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const when = Date.parse(m[5]!.replace(/\s+[A-Z]{2,5}$/, ''));
    jobs.push({ id: clean(`${m[1]}-${m[2]}`, 64), printer: clean(m[1], 128), user: clean(m[3], 64), sizeBytes: Number(m[4]), submittedAt: Number.isFinite(when) ? when : null, state: 'pending' });
  }
  return jobs;
}

/** The spooler service, the printers and the jobs, as JSON, in one PowerShell start (each start costs a second). */
export const WINDOWS_PRINTERS_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'", // i18n-ignore: PowerShell code
  '$sp = Get-Service -Name Spooler', // i18n-ignore: PowerShell code
  "$out = @{ spooler = if ($sp) { [string]$sp.Status } else { 'Missing' }; default = $null; printers = @(); jobs = @() }", // i18n-ignore: PowerShell code
  "if ($sp.Status -eq 'Running') {", // i18n-ignore: PowerShell code
  "  $out.default = (Get-CimInstance -ClassName Win32_Printer -Filter 'Default=TRUE' | Select-Object -First 1).Name", // i18n-ignore: PowerShell code
  '  $printers = @(Get-Printer)', // i18n-ignore: PowerShell code
  "  $out.printers = @($printers | Select-Object -First 16 Name, @{n='Status';e={[int]$_.PrinterStatus}}, JobCount)", // i18n-ignore: PowerShell code
  "  $out.jobs = @($printers | ForEach-Object { Get-PrintJob -PrinterName $_.Name } | Select-Object -First 200 Id, PrinterName, UserName, Size, @{n='Submitted';e={$_.SubmittedTime.ToUniversalTime().ToString('o')}}, @{n='State';e={[string]$_.JobStatus}})", // i18n-ignore: PowerShell code
  '}', // i18n-ignore: PowerShell code
  '$out | ConvertTo-Json -Depth 4 -Compress', // i18n-ignore: PowerShell code
].join('\n');

// MSFT_Printer.PrinterStatus values (PrintManagement module documentation).
const WINDOWS_STATES: Record<number, Printer['state']> = { 0: 'idle', 1: 'paused', 2: 'error', 4: 'error', 5: 'error', 7: 'error', 8: 'offline', 9: 'printing', 10: 'printing', 11: 'printing', 13: 'offline', 15: 'printing', 21: 'error', 23: 'error' };

async function windowsPrinters(host: ProbeHost, timeoutMs: number): Promise<PrintersSection> {
  return parseWindowsPrinters(await powerShellJson(host, WINDOWS_PRINTERS_SCRIPT, timeoutMs));
}

/** The JSON of WINDOWS_PRINTERS_SCRIPT. */
export function parseWindowsPrinters(json: unknown): PrintersSection {
  const data = json as { spooler?: string; default?: string | null; printers?: unknown; jobs?: unknown };
  if (data.spooler === 'Missing') return NONE;
  const spooler = data.spooler === 'Running' ? 'running' : data.spooler ? 'stopped' : 'unknown';
  if (spooler !== 'running') return { ...NONE, available: true, system: 'windows-spooler', spooler };
  const printers = asArray(data.printers).map((p): Printer => {
    const status = Number(p.Status);
    return { name: clean(p.Name, 128), state: WINDOWS_STATES[status] ?? 'unknown', detail: null, isDefault: false };
  });
  const jobs = asArray(data.jobs).map((j): Job => ({
    id: clean(`${j.PrinterName}-${j.Id}`, 64),
    printer: clean(j.PrinterName, 128),
    user: clean(j.UserName, 64),
    sizeBytes: typeof j.Size === 'number' && j.Size >= 0 ? j.Size : null,
    submittedAt: parseWindowsDate(j.Submitted),
    state: clean(j.State || 'pending', 64),
  }));
  return finish('windows-spooler', 'running', typeof data.default === 'string' ? data.default : null, printers, jobs);
}
