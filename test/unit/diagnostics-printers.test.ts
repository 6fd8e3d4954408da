/** Printers: CUPS and Windows outputs parsed into the snapshot section, and the printer findings on both sides of their thresholds. */
import { describe, expect, it } from 'vitest';
import { probePrinters } from '../../agent/diagnostics/printers-probe.js';
import { printersSection, runHealthChecks, snapshot as snapshotSchema, type PrintersSection, type Snapshot } from '../../protocol/index.js';
import { done, fakeHost, fixture, MISSING } from '../helpers/fake-probe-host.js';

const cups = (printers: string, jobs = '') => fakeHost({ commands: { 'lpstat -r -d -l -p': done(printers), 'lpstat -W not-completed -o': done(jobs) } });
const windows = (json: string) => fakeHost({ platform: 'win32', powershell: [['Get-Printer', done(json)]] });

function snapshotWith(printers: PrintersSection, takenAt = Date.UTC(2024, 2, 12, 11), platform = 'linux'): Snapshot {
  const s: Snapshot = { takenAt, durationMs: 1, probes: {}, printers, os: { platform, distro: 'x', release: '1', kernel: '1', arch: 'x64', hostname: 'pc', uptimeSeconds: 60, timezone: 'UTC', users: [] } };
  expect(snapshotSchema.safeParse(s).success).toBe(true);
  return s;
}
const findings = (s: Snapshot) => runHealthChecks(s).map((f) => `${f.severity}:${f.id}${f.script ? ` → ${f.script}` : ''}`);

describe('printers on CUPS (lpstat)', () => {
  it('reads the scheduler, the default printer, each printer\'s state and the jobs, oldest first', async () => {
    const section = await probePrinters(cups(fixture('linux/lpstat-printers.txt'), fixture('linux/lpstat-jobs.txt')), 1000);
    expect(printersSection.parse(section)).toEqual(section);
    expect(section).toMatchObject({ available: true, system: 'cups', spooler: 'running', defaultPrinter: 'Office_Laser', jobCount: 3 });
    expect(section.printers.map((p) => [p.name, p.state, p.isDefault])).toEqual([
      ['Office_Laser', 'idle', true], ['Reception_Color', 'printing', false], ['Warehouse_Label', 'offline', false], ['Old_Inkjet', 'paused', false],
    ]);
    expect(section.printers[2]!.detail).toBe('The printer is not responding.');
    expect(section.jobs.map((j) => j.id)).toEqual(['Reception_Color-42', 'Reception_Color-43', 'Office_Laser-17']);
    expect(section.jobs[0]).toMatchObject({ user: 'alice', sizeBytes: 1236992, submittedAt: new Date(2024, 2, 12, 10, 2, 41).getTime() });
  });

  it('offline and paused printers are findings; idle and printing ones are not', async () => {
    const section = await probePrinters(cups(fixture('linux/lpstat-printers.txt')), 1000);
    expect(findings(snapshotWith(section))).toEqual(['warning:printer.offline:Warehouse_Label', 'warning:printer.paused:Old_Inkjet']);
  });

  it('jobs waiting longer than printJobStuckMinutes are stuck, per printer, with the clear-queue script', async () => {
    const section = await probePrinters(cups(fixture('linux/lpstat-printers-no-default.txt').replace('no system default destination', 'system default destination: Office_Laser'), fixture('linux/lpstat-jobs.txt')), 1000);
    const oldest = section.jobs[0]!.submittedAt!;
    expect(findings(snapshotWith(section, oldest + 15 * 60_000 - 1))).toEqual([]);
    expect(findings(snapshotWith(section, oldest + 15 * 60_000))).toEqual(['warning:printer.jobs-stuck:Reception_Color → clear-print-queue']);
    const later = runHealthChecks(snapshotWith(section, oldest + 75 * 60_000));
    expect(later.map((f) => f.id)).toEqual(['printer.jobs-stuck:Office_Laser', 'printer.jobs-stuck:Reception_Color']);
    expect(later[1]!.evidence[0]).toMatchObject({ value: '75 min', threshold: '15 min' });
    // The threshold comes from the controller's configuration.
    expect(runHealthChecks(snapshotWith(section, oldest + 60 * 60_000), { printJobStuckMinutes: 120 })).toEqual([]);
  });

  it('printers without a default printer is a finding; a default printer is not', async () => {
    const none = await probePrinters(cups(fixture('linux/lpstat-printers-no-default.txt')), 1000);
    expect(none.defaultPrinter).toBeNull();
    expect(findings(snapshotWith(none))).toEqual(['warning:printer.no-default']);
  });

  it('a stopped scheduler is critical where printers are set up, with the restart-cups script; absent otherwise', async () => {
    const stopped = fixture('linux/lpstat-scheduler-stopped.txt');
    const configured = fakeHost({ commands: { 'lpstat -r -d -l -p': done(stopped, 1) }, files: { '/etc/cups/printers.conf': '<Printer x>' } });
    const section = await probePrinters(configured, 1000);
    expect(section).toMatchObject({ available: true, spooler: 'stopped' });
    expect(findings(snapshotWith(section))).toEqual(['critical:printer.spooler-stopped → restart-cups']);
    const bare = await probePrinters(fakeHost({ commands: { 'lpstat -r -d -l -p': done(stopped, 1) } }), 1000);
    expect(bare.available).toBe(false);
    expect(findings(snapshotWith(bare))).toEqual([]);
  });

  it('no CUPS at all is a valid state with no finding', async () => {
    const section = await probePrinters(fakeHost({ commands: { 'lpstat -W not-completed -o': MISSING } }), 1000);
    expect(section).toMatchObject({ available: false, system: 'none', printers: [], jobs: [] });
    expect(findings(snapshotWith(section))).toEqual([]);
  });
});

describe('printers on Windows (one PowerShell call)', () => {
  it('reads the spooler, printer states, the default printer and jobs in both date formats', async () => {
    const section = await probePrinters(windows(fixture('windows/printers.json')), 1000);
    expect(printersSection.parse(section)).toEqual(section);
    expect(section.printers.map((p) => [p.name, p.state, p.isDefault])).toEqual([
      ['Microsoft Print to PDF', 'idle', false], ['HP LaserJet M404 (Accounting)', 'offline', true], ['Canon iR-ADV C3530', 'paused', false],
    ]);
    expect(section.jobs.map((j) => j.submittedAt)).toEqual([Date.UTC(2024, 2, 12, 8, 5, 12), 1710233400000]);
    const s = snapshotWith(section, Date.UTC(2024, 2, 12, 9), 'win32');
    expect(findings(s)).toEqual([
      'warning:printer.jobs-stuck:HP LaserJet M404 (Accounting) → clear-print-queue-windows',
      'warning:printer.offline:HP LaserJet M404 (Accounting)',
      'warning:printer.paused:Canon iR-ADV C3530',
    ]);
  });

  it('a stopped Print Spooler is critical, with the restart-print-spooler script', async () => {
    const section = await probePrinters(windows(fixture('windows/printers-spooler-stopped.json')), 1000);
    expect(findings(snapshotWith(section, Date.now(), 'win32'))).toEqual(['critical:printer.spooler-stopped → restart-print-spooler']);
  });

  it('a single printer (ConvertTo-Json writes an object, not a list) without a default', async () => {
    const section = await probePrinters(windows(fixture('windows/printers-one-printer.json')), 1000);
    expect(section.printers).toEqual([{ name: 'Brother HL-L2350DW', state: 'idle', detail: null, isDefault: false }]);
    expect(findings(snapshotWith(section, Date.now(), 'win32'))).toEqual(['warning:printer.no-default']);
  });

  it('PowerShell missing is the probe\'s error (a partial snapshot), not a crash', async () => {
    await expect(probePrinters(fakeHost({ platform: 'win32' }), 1000)).rejects.toThrow('PowerShell is not available');
  });
});
