/**
 * The latest snapshot as readable sections, one card per topic. Bars take the
 * colour of the finding about them, so they agree with the controller's
 * thresholds. Every value is peer text, set as text.
 */
import type { Finding, ProbeName, Severity, Snapshot } from '../../../protocol/index.js';
import { el, type Child } from '../ui/dom.js';
import { card, detail, facts, usageBar, type BarLevel } from '../ui/fact-card.js';
import { formatDuration, formatUptime, percent } from '../ui/format.js';
import { formats, wordsOf } from '../app/language.js';
import { snapshotCatalog } from './snapshot-catalog.js';
import { networkSection } from './network-section.js';
import { connectivityCard, mailCard, printersCard, securityCard, updatesCard } from './helpdesk-sections.js';

const t = wordsOf(snapshotCatalog);
const size = formats.size;

const LEVEL: Record<Severity, BarLevel> = { critical: 'bad', warning: 'warn', info: 'ok' };

/** The bar colour for the worst finding whose id matches, else "ok". */
function levelFor(findings: readonly Finding[], match: (id: string) => boolean): BarLevel {
  const severities = findings.filter((f) => match(f.id)).map((f) => f.severity);
  return severities.includes('critical') ? LEVEL.critical : severities.includes('warning') ? LEVEL.warning : 'ok';
}

/** Every section of `snapshot` that was measured, or that failed (saying why). */
export function snapshotSections(snapshot: Snapshot, findings: readonly Finding[]): HTMLElement[] {
  const sections: (HTMLElement | null)[] = [
    section(snapshot, 'system', t('system'), () => systemCard(snapshot)),
    section(snapshot, 'os', t('os'), () => osCard(snapshot)),
    section(snapshot, 'cpu', t('cpu'), () => cpuCard(snapshot, findings)),
    section(snapshot, 'memory', t('memory'), () => memoryCard(snapshot, findings)),
    section(snapshot, 'storage', t('storage'), () => storageCard(snapshot, findings)),
    section(snapshot, 'network', t('network'), () => networkSection(snapshot)),
    section(snapshot, 'processes', t('processes'), () => processesCard(snapshot)),
  ];
  const battery = snapshot.battery?.present === false ? null : section(snapshot, 'battery', t('battery'), () => batteryCard(snapshot, findings));
  // Three columns: network (two wide) shares its row with the processes, or with
  // the battery when there is one, and the processes then take a row of their own.
  if (battery) sections.at(-1)?.classList.add('card-wide');
  const helpdesk = [
    section(snapshot, 'printers', t('printers'), () => printersCard(snapshot)),
    section(snapshot, 'security', t('security'), () => securityCard(snapshot)),
    section(snapshot, 'updates', t('updates'), () => updatesCard(snapshot)),
    section(snapshot, 'mail', t('mail'), () => mailCard(snapshot)),
    section(snapshot, 'connectivity', t('connectivity'), () => connectivityCard(snapshot)),
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
  const why = outcome.status === 'timeout' ? t('notMeasuredTimeout', { duration: formatDuration(outcome.durationMs) }) : t('notMeasuredFailed', { error: outcome.error ?? t('noReason') });
  return card(title, el('p', { class: 'not-measured' }, why));
}

function systemCard(s: Snapshot): HTMLElement | null {
  const sys = s.system;
  if (!sys) return null;
  const maker = sys.manufacturer.toLowerCase() === 'unknown' ? '' : sys.manufacturer;
  return card(t('system'),
    el('p', { class: 'fact' }, [maker, sys.model].filter(Boolean).join(' ') || t('unknownModel')),
    facts(
      [t('virtualMachine'), sys.virtual ? (sys.virtualHost ? t('yesWith', { detail: sys.virtualHost }) : t('yes')) : t('no')],
      [t('serial'), sys.serial ?? t('notReadable')],
    ));
}

function osCard(s: Snapshot): HTMLElement | null {
  const os = s.os;
  if (!os) return null;
  const name = [os.distro || os.platform, os.release].filter(Boolean).join(' ');
  return card(t('os'),
    el('p', { class: 'fact' }, os.arch ? `${name} (${os.arch})` : name),
    facts(
      [t('kernel'), os.kernel],
      [t('hostname'), os.hostname],
      [t('uptime'), formatUptime(os.uptimeSeconds)],
      [t('timeZone'), os.timezone],
      [t('loggedIn'), os.users.length === 0 ? t('nobody')
        : el('ul', { class: 'plain-list' }, ...os.users.map((u) => el('li', null, u.user, el('span', { class: 'muted small' }, ` ${[u.terminal, u.since].filter(Boolean).join(' · ')}`))))],
    ));
}

function cpuCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const cpu = s.cpu;
  if (!cpu) return null;
  const level = levelFor(findings, (id) => id === 'cpu.overloaded' || id.startsWith('process.cpu-hog:'));
    return card(t('cpu'),
    el('p', { class: 'fact' }, cpu.brand || t('unknownCpu')),
    facts(
      [t('cores'), cpu.speedGHz > 0
        ? t('coreCountSpeed', { physical: cpu.physicalCores, logical: cpu.logicalCores, speed: formats.number(cpu.speedGHz, 1) })
        : t('coreCount', { physical: cpu.physicalCores, logical: cpu.logicalCores })],
      [t('load'), usageBar(cpu.loadPercent, level)],
      [t('loadAverage'), cpu.loadAverage1m === null ? t('notAvailable')
        : cpu.logicalCores > 0 ? t('loadOverPerThread', { load: formats.number(cpu.loadAverage1m, 2), perThread: formats.number(cpu.loadAverage1m / cpu.logicalCores, 2) })
        : t('loadOver', { load: formats.number(cpu.loadAverage1m, 2) })],
      [t('temperature'), cpu.temperatureC === null ? t('notAvailable') : t('degrees', { value: formats.number(cpu.temperatureC, 0) })],
    ));
}

function memoryCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const m = s.memory;
  if (!m) return null;
  const used = percent(m.totalBytes - m.availableBytes, m.totalBytes);
  return card(t('memory'),
    el('p', { class: 'fact' }, t('memoryAvailable', { available: size(m.availableBytes), total: size(m.totalBytes) })),
    usageBar(used, levelFor(findings, (id) => id === 'memory.low'), t('used', { percent: formats.percent(Math.round(used)) })),
    facts([t('swap'), m.swapTotalBytes === 0 ? t('noSwap')
      : el('div', null, t('usedOf', { used: size(m.swapUsedBytes), total: size(m.swapTotalBytes) }),
        usageBar(percent(m.swapUsedBytes, m.swapTotalBytes), levelFor(findings, (id) => id === 'memory.swap-heavy')))]));
}

function storageCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const st = s.storage;
  if (!st) return null;
  const node = card(t('storage'),
    st.filesystems.length === 0 ? detail(t('noFilesystem'))
      : el('ul', { class: 'plain-list disk-list' }, ...st.filesystems.map((f) =>
        el('li', { 'data-testid': 'filesystem', dataset: { mount: f.mount } },
          el('div', { class: 'disk-line' },
            el('span', { class: 'mono' }, f.mount),
            el('span', { class: 'muted small' }, t('freeOf', { free: size(f.availableBytes), size: size(f.sizeBytes), fs: f.fs, type: f.type }))),
          usageBar(f.usePercent, levelFor(findings, (id) => id === `disk.full:${f.mount}`))))),
    st.disks.length === 0 ? null
      : el('p', { class: 'muted small disks' }, t('disks', { list: st.disks.map((d) => [d.name, d.type, size(d.sizeBytes), d.vendor].filter(Boolean).join(' · ')).join(t('disksSeparator')) })));
  node.classList.add('card-span-2');
  return node;
}

function batteryCard(s: Snapshot, findings: readonly Finding[]): HTMLElement | null {
  const b = s.battery;
  if (!b?.present) return null;
  return card(t('battery'),
    b.percent === null ? el('p', { class: 'fact' }, t('chargeUnknown')) : usageBar(b.percent, levelFor(findings, (id) => id === 'battery.low'), formats.percent(Math.round(b.percent))),
    facts(
      [t('charging'), b.charging === null ? t('unknown') : b.charging ? t('yes') : t('onBattery')],
      [t('health'), b.healthPercent === null ? t('unknown') : t('designCapacity', { percent: formats.percent(Math.round(b.healthPercent)) })],
      [t('cycles'), b.cycleCount === null ? null : formats.number(b.cycleCount, 0)],
    ));
}

function processesCard(s: Snapshot): HTMLElement | null {
  const p = s.processes;
  if (!p) return null;
  type Row = (typeof p.byCpu)[number];
  const table = (caption: string, rows: Row[], value: (r: Row) => string): Child =>
    el('table', { class: 'process-table' },
      el('caption', null, caption),
      el('tbody', null, ...(rows.length === 0 ? [el('tr', null, el('td', { class: 'muted' }, t('noneReported')))] : rows.map((r) =>
        el('tr', null, el('td', { class: 'process-name', title: r.name }, r.name), el('td', { class: 'muted small' }, `pid ${r.pid}`), el('td', { class: 'num' }, value(r)))))));
  return card(t('processes'),
    el('div', { class: 'process-tables' },
      table(t('byCpu'), p.byCpu, (r) => formats.percent(r.cpuPercent)),
      table(t('byMemory'), p.byMemory, (r) => size(r.memoryBytes))));
}
