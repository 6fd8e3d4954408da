/** Health checks for printing: the print service, the default printer, printers offline or paused, jobs that do not move. */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';

const onWindows = (platform: string | undefined) => platform === 'win32' || platform?.toLowerCase() === 'windows';

export const printServiceStopped: HealthCheck = (s) => {
  const p = s.printers;
  if (!p?.available || p.spooler !== 'stopped') return [];
  const windows = onWindows(s.os?.platform) || p.system === 'windows-spooler';
  return [{
    id: 'printer.spooler-stopped',
    severity: 'critical',
    title: 'The printing service is stopped',
    explanation: 'Nothing can print while the service that sends documents to printers is stopped; documents sent now are lost or wait forever.',
    evidence: [{ label: 'Service', value: windows ? 'Print Spooler: stopped' : 'CUPS scheduler: not running' }],
    nextStep: windows ? 'Restart the Print Spooler service (the starter script does it and clears stuck jobs).' : 'Restart CUPS (the starter script does it), then print a test page.',
    script: windows ? 'restart-print-spooler' : 'restart-cups',
  }];
};

export const noDefaultPrinter: HealthCheck = (s) => {
  const p = s.printers;
  if (!p?.available || p.spooler === 'stopped' || p.printers.length === 0 || p.defaultPrinter !== null) return [];
  return [{
    id: 'printer.no-default',
    severity: 'warning',
    title: 'No default printer is set',
    explanation: 'Programs that print straight away (receipts, "Print" buttons without a dialog) do not know where to send the document, so nothing comes out.',
    evidence: [{ label: 'Printers installed', value: fitText(p.printers.map((x) => x.name).join(', '), 200) }, { label: 'Default printer', value: 'none' }],
    nextStep: 'Ask which printer the person uses and make it the default one in the printer settings.',
  }];
};

export const printerState: HealthCheck = (s) => {
  const p = s.printers;
  if (!p?.available || p.spooler === 'stopped') return [];
  return p.printers.flatMap((printer): Finding[] => {
    const name = fitText(printer.name, 80);
    const evidence = [{ label: 'Printer', value: `${fitText(printer.name, 120)}${printer.isDefault ? ' (default)' : ''}` }, ...(printer.detail ? [{ label: 'It says', value: fitText(printer.detail, 200) }] : [])];
    if (printer.state === 'offline' || printer.state === 'error') {
      return [{
        id: `printer.${printer.state}:${printer.name}`,
        severity: 'warning',
        title: printer.state === 'offline' ? `Printer "${name}" is offline` : `Printer "${name}" reports an error`,
        explanation: 'Documents sent to this printer wait in its queue and nothing comes out until it answers again.',
        evidence,
        nextStep: 'Check that the printer is on, has paper and is connected (cable, Wi-Fi, same network); then print a test page.',
      }];
    }
    if (printer.state === 'paused') {
      return [{
        id: `printer.paused:${printer.name}`,
        severity: 'warning',
        title: `Printer "${name}" is paused`,
        explanation: 'The printer queue was paused (by someone, or after an error), so documents wait and nothing prints.',
        evidence,
        nextStep: onWindows(s.os?.platform) ? 'Resume the printer in Settings → Printers (or "Resume-Printer" in PowerShell).' : `Resume the queue: cupsenable "${name}" (and accept jobs: cupsaccept).`,
      }];
    }
    return [];
  });
};

export const printJobsStuck: HealthCheck = (s, t) => {
  const p = s.printers;
  if (!p?.available) return [];
  const limitMs = t.printJobStuckMinutes * 60_000;
  const stuck = p.jobs.filter((j) => j.submittedAt !== null && s.takenAt - j.submittedAt >= limitMs);
  const byPrinter = new Map<string, typeof stuck>();
  for (const job of stuck) byPrinter.set(job.printer, [...(byPrinter.get(job.printer) ?? []), job]);
  const windows = onWindows(s.os?.platform) || p.system === 'windows-spooler';
  return [...byPrinter].map(([printer, jobs]) => {
    const oldest = Math.round((s.takenAt - Math.min(...jobs.map((j) => j.submittedAt!))) / 60_000);
    return {
      id: `printer.jobs-stuck:${printer}`,
      severity: 'warning' as const,
      title: `${jobs.length} print job${jobs.length === 1 ? '' : 's'} stuck on "${fitText(printer, 80)}"`,
      explanation: 'Documents have been waiting in the queue for a long time; a stuck job at the head of the queue holds back every document after it.',
      evidence: [
        { label: 'Oldest job waiting', value: `${oldest} min`, threshold: `${t.printJobStuckMinutes} min` },
        { label: 'Jobs waiting', value: `${jobs.length} stuck of ${p.jobCount} in the queues` },
      ],
      nextStep: 'Check the printer itself first (paper, jam, offline). If it is fine, clear the queue (starter script) and print again.',
      script: windows ? 'clear-print-queue-windows' : 'clear-print-queue',
    };
  });
};

export const PRINTER_CHECKS: readonly HealthCheck[] = [printServiceStopped, noDefaultPrinter, printerState, printJobsStuck];
