/** Health checks for printing: the print service, the default printer, printers offline or paused, jobs that do not move. */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';
import { wordsOf } from './check-words.js';
import { formatNumber } from './i18n/format.js';
import { printerChecksCatalog } from './printer-checks-catalog.js';

const words = wordsOf(printerChecksCatalog);

const onWindows = (platform: string | undefined) => platform === 'win32' || platform?.toLowerCase() === 'windows';

export const printServiceStopped: HealthCheck = (s, _t, lang) => {
  const p = s.printers;
  if (!p?.available || p.spooler !== 'stopped') return [];
  const windows = onWindows(s.os?.platform) || p.system === 'windows-spooler';
  const system = windows ? 'windows' : 'cups';
  const w = words(lang);
  return [{
    id: 'printer.spooler-stopped',
    severity: 'critical',
    title: w('spoolerTitle'),
    explanation: w('spoolerExplanation'),
    evidence: [{ label: w('spoolerLabel'), value: w('spoolerValue', { system }) }],
    nextStep: w('spoolerNextStep', { system }),
    script: windows ? 'restart-print-spooler' : 'restart-cups',
  }];
};

export const noDefaultPrinter: HealthCheck = (s, _t, lang) => {
  const p = s.printers;
  if (!p?.available || p.spooler === 'stopped' || p.printers.length === 0 || p.defaultPrinter !== null) return [];
  const w = words(lang);
  return [{
    id: 'printer.no-default',
    severity: 'warning',
    title: w('noDefaultTitle'),
    explanation: w('noDefaultExplanation'),
    evidence: [{ label: w('labelInstalled'), value: fitText(p.printers.map((x) => x.name).join(', '), 200) }, { label: w('labelDefault'), value: w('defaultNone') }],
    nextStep: w('noDefaultNextStep'),
  }];
};

export const printerState: HealthCheck = (s, _t, lang) => {
  const p = s.printers;
  if (!p?.available || p.spooler === 'stopped') return [];
  const w = words(lang);
  return p.printers.flatMap((printer): Finding[] => {
    const name = fitText(printer.name, 80);
    const evidence = [
      { label: w('labelPrinter'), value: w('printerValue', { name: fitText(printer.name, 120), isDefault: printer.isDefault ? 'yes' : 'no' }) },
      ...(printer.detail ? [{ label: w('labelItSays'), value: fitText(printer.detail, 200) }] : []),
    ];
    if (printer.state === 'offline' || printer.state === 'error') {
      return [{
        id: `printer.${printer.state}:${printer.name}`,
        severity: 'warning',
        title: w('printerProblemTitle', { state: printer.state, name }),
        explanation: w('printerProblemExplanation'),
        evidence,
        nextStep: w('printerProblemNextStep'),
      }];
    }
    if (printer.state === 'paused') {
      return [{
        id: `printer.paused:${printer.name}`,
        severity: 'warning',
        title: w('pausedTitle', { name }),
        explanation: w('pausedExplanation'),
        evidence,
        nextStep: onWindows(s.os?.platform) ? w('pausedNextStepWindows') : w('pausedNextStepCups', { name }),
      }];
    }
    return [];
  });
};

export const printJobsStuck: HealthCheck = (s, t, lang) => {
  const p = s.printers;
  if (!p?.available) return [];
  const limitMs = t.printJobStuckMinutes * 60_000;
  const stuck = p.jobs.filter((j) => j.submittedAt !== null && s.takenAt - j.submittedAt >= limitMs);
  const byPrinter = new Map<string, typeof stuck>();
  for (const job of stuck) byPrinter.set(job.printer, [...(byPrinter.get(job.printer) ?? []), job]);
  const windows = onWindows(s.os?.platform) || p.system === 'windows-spooler';
  const w = words(lang);
  return [...byPrinter].map(([printer, jobs]) => {
    const oldest = Math.round((s.takenAt - Math.min(...jobs.map((j) => j.submittedAt!))) / 60_000);
    return {
      id: `printer.jobs-stuck:${printer}`,
      severity: 'warning' as const,
      title: w('stuckTitle', { count: jobs.length, printer: fitText(printer, 80) }),
      explanation: w('stuckExplanation'),
      evidence: [
        { label: w('labelOldest'), value: w('minutes', { value: formatNumber(oldest, lang, 0) }), threshold: w('minutes', { value: formatNumber(t.printJobStuckMinutes, lang, 0) }) },
        { label: w('labelWaiting'), value: w('waitingValue', { stuck: formatNumber(jobs.length, lang, 0), total: formatNumber(p.jobCount, lang, 0) }) },
      ],
      nextStep: w('stuckNextStep'),
      script: windows ? 'clear-print-queue-windows' : 'clear-print-queue',
    };
  });
};

export const PRINTER_CHECKS: readonly HealthCheck[] = [printServiceStopped, noDefaultPrinter, printerState, printJobsStuck];
