/**
 * The latest snapshot as readable sections, one card per topic. Bars take the
 * colour of the finding about them, so they agree with the controller's
 * thresholds. Every value is peer text, set as text.
 */
import type { Finding, ProbeName, Severity, Snapshot } from '../../../protocol/index.js';
import { el, type Child } from '../ui/dom.js';
import { card, detail, facts, usageBar, type BarLevel } from '../ui/fact-card.js';
import { formatBytes, formatDuration, formatUptime, percent } from '../ui/format.js';
import { networkSection } from './network-section.js';
import { connectivityCard, mailCard, printersCard, securityCard, updatesCard } from './helpdesk-sections.js';

const LEVEL: Record<Severity, BarLevel> = { critical: 'bad', warning: 'warn', info: 'ok' };

/** The bar colour for the worst finding whose id matches, else "ok". */
function levelFor(findings: readonly Finding[], match: (id: string) => boolean): BarLevel {
  const severities = findings.filter((f) => match(f.id)).map((f) => f.severity);
  return severities.includes('critical') ? LEVEL.critical : severities.includes('warning') ? LEVEL.warning : 'ok';
}

/** Every section of `snapshot` that was measured, or that failed (saying why). */
export function snapshotSections(snapshot: Snapshot, findings: readonly Finding[]): HTMLElement[] {
  const sections: (HTMLElement | null)[] = [
    section(snapshot, 'system', 'System', () => systemCard(snapshot)),
    section(snapshot, 'os', 'Operating system', () => osCard(snapshot)),
    section(snapshot, 'cpu', 'Processor', () => cpuCard(snapshot, findings)),
    section(snapshot, 'memory', 'Memory', () => memoryCard(snapshot, findings)),
    section(snapshot, 'storage', 'Storage', () => storageCard(snapshot, findings)),
    section(snapshot, 'network', 'Network', () => networkSection(snapshot)),
    section(snapshot, 'processes', 'Heaviest processes', () => processesCard(snapshot)),
  ];
  const battery = snapshot.battery?.present === false ? null : section(snapshot, 'battery', 'Battery', () => batteryCard(snapshot, findings));
  // Three columns: network (two wide) shares its row with the processes, or with
  // the battery when there is one, and the processes then take a row of their own.
  if (battery) sections.at(-1)?.classList.add('card-wide');
  const helpdesk = [
    section(snapshot, 'printers', 'Printers', () => printersCard(snapshot)),
    section(snapshot, 'security', 'Security', () => securityCard(snapshot)),
    section(snapshot, 'updates', 'Updates', () => updatesCard(snapshot)),
    section(snapshot, 'mail', 'Mail', () => mailCard(snapshot)),
    section(snapshot, 'connectivity', 'Connection over time', () => connectivityCard(snapshot)),
  ];
  return [...sections, battery, ...helpdesk].filter((s): s is HTMLElement => s !== null);
}

/** The card when its probe's data is there; a "not measured" card when the probe failed; nothing when it was skipped. */
function section(snapshot: Snapshot, probe: ProbeName, title: string, render: () => HTMLElement | null): HTMLElement | null {
  const node = snapshot[probe] !== undefined ? render() : failedCard(snapshot, probe, title);
  if (node) node.dataset.section = probe;
  return node;
}

function failedCard(snapshot: Snapshot, probe: ProbeName, title: string): HTMLElement | null {
  const outcome = snapshot.probes[probe];
  if (!outcome || (outcome.status !== 'error' && outcome.status !== 'timeout')) return null;
  const why = outcome.status === 'timeout' ? `It did not finish in time (${formatDuration(outcome.durationMs)}).` : `It failed: ${outcome.error ?? 'no reason given'}.`;
  return card(title, el('p', { class: 'not-measured' }, 'Not measured. ', why));
}

function systemCard(s: Snapshot): HTMLElement | null {
  const sys = s.system;
  if (!sys) return null;
  const maker = sys.manufacturer.toLowerCase() === 'unknown' ? '' : sys.manufacturer;
  return card('System',
    el('p', { class: 'fact' }, [maker, sys.model].filter(Boolean).join(' ') || 'Unknown model'),
    facts(
      ['Virtual machine', sys.virtual ? `Yes${sys.virtualHost ? ` (${sys.virtualHost})` : ''}` : 'No'],
      ['Serial number', sys.serial ?? 'Not readable'],
    ));
}

function osCard(s: Snapshot): HTMLElement | null {
  const os = s.os;
  if (!os) return null;
  const name = [os.distro || os.platform, os.release].filter(Boolean).join(' ');
  return card('Operating system',
    el('p', { class: 'fact' }, os.arch ? `${name} (${os.arch})` : name),
    facts(
      ['Kernel', os.kernel],
      ['Hostname', os.hostname],
      ['Uptime', formatUptime(os.uptimeSeconds)],
      ['Time zone', os.timezone],
      ['Logged in', os.users.length === 0 ? 'Nobody'
        : el('ul', { class: 'plain-list' }, ...os.users.map((u) => el('li', null, u.user, el('span', { class: 'muted small' }, ` ${[u.terminal, u.since].filter(Boolean).join(' · ')}`))))],
    ));
}

function cpuCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const cpu = s.cpu;
  if (!cpu) return null;
  const level = levelFor(findings, (id) => id === 'cpu.overloaded' || id.startsWith('process.cpu-hog:'));
  const perCore = cpu.loadAverage1m !== null && cpu.logicalCores > 0 ? ` (${(cpu.loadAverage1m / cpu.logicalCores).toFixed(2)} per thread)` : '';
  return card('Processor',
    el('p', { class: 'fact' }, cpu.brand || 'Unknown processor'),
    facts(
      ['Cores', `${cpu.physicalCores} cores / ${cpu.logicalCores} threads${cpu.speedGHz > 0 ? ` · ${cpu.speedGHz.toFixed(1)} GHz` : ''}`],
      ['Load', usageBar(cpu.loadPercent, level)],
      ['Load average', cpu.loadAverage1m === null ? 'Not available' : `${cpu.loadAverage1m.toFixed(2)} over 1 min${perCore}`],
      ['Temperature', cpu.temperatureC === null ? 'Not available' : `${Math.round(cpu.temperatureC)} °C`],
    ));
}

function memoryCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const m = s.memory;
  if (!m) return null;
  const used = percent(m.totalBytes - m.availableBytes, m.totalBytes);
  return card('Memory',
    el('p', { class: 'fact' }, `${formatBytes(m.availableBytes)} available of ${formatBytes(m.totalBytes)}`),
    usageBar(used, levelFor(findings, (id) => id === 'memory.low'), `${Math.round(used)} % used`),
    facts(['Swap', m.swapTotalBytes === 0 ? 'No swap'
      : el('div', null, `${formatBytes(m.swapUsedBytes)} used of ${formatBytes(m.swapTotalBytes)}`,
        usageBar(percent(m.swapUsedBytes, m.swapTotalBytes), levelFor(findings, (id) => id === 'memory.swap-heavy')))]));
}

function storageCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const st = s.storage;
  if (!st) return null;
  const node = card('Storage',
    st.filesystems.length === 0 ? detail('No filesystem reported.')
      : el('ul', { class: 'plain-list disk-list' }, ...st.filesystems.map((f) =>
        el('li', { 'data-testid': 'filesystem', dataset: { mount: f.mount } },
          el('div', { class: 'disk-line' },
            el('span', { class: 'mono' }, f.mount),
            el('span', { class: 'muted small' }, `${formatBytes(f.availableBytes)} free of ${formatBytes(f.sizeBytes)} · ${f.fs} (${f.type})`)),
          usageBar(f.usePercent, levelFor(findings, (id) => id === `disk.full:${f.mount}`))))),
    st.disks.length === 0 ? null
      : el('p', { class: 'muted small disks' }, `Disks: ${st.disks.map((d) => [d.name, d.type, formatBytes(d.sizeBytes), d.vendor].filter(Boolean).join(' · ')).join('; ')}`));
  node.classList.add('card-span-2');
  return node;
}

function batteryCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const b = s.battery;
  if (!b?.present) return null;
  return card('Battery',
    b.percent === null ? el('p', { class: 'fact' }, 'Charge unknown') : usageBar(b.percent, levelFor(findings, (id) => id === 'battery.low'), `${Math.round(b.percent)} %`),
    facts(
      ['Charging', b.charging === null ? 'Unknown' : b.charging ? 'Yes' : 'No, on battery'],
      ['Health', b.healthPercent === null ? 'Unknown' : `${Math.round(b.healthPercent)} % of design capacity`],
      ['Cycles', b.cycleCount === null ? null : String(b.cycleCount)],
    ));
}

function processesCard(s: Snapshot): HTMLElement | null {
  const p = s.processes;
  if (!p) return null;
  type Row = (typeof p.byCpu)[number];
  const table = (caption: string, rows: Row[], value: (r: Row) => string): Child =>
    el('table', { class: 'process-table' },
      el('caption', null, caption),
      el('tbody', null, ...(rows.length === 0 ? [el('tr', null, el('td', { class: 'muted' }, 'None reported'))] : rows.map((r) =>
        el('tr', null, el('td', { class: 'process-name', title: r.name }, r.name), el('td', { class: 'muted small' }, `pid ${r.pid}`), el('td', { class: 'num' }, value(r)))))));
  return card('Heaviest processes',
    el('div', { class: 'process-tables' },
      table('By CPU', p.byCpu, (r) => `${r.cpuPercent.toFixed(1)} %`),
      table('By memory', p.byMemory, (r) => formatBytes(r.memoryBytes))));
}
