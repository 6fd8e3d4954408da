/**
 * Comparing two snapshots of a device ("before and after the fix"): the facts that
 * changed, in readable form, and which findings were fixed or appeared.
 */
import type { Finding } from './findings.js';
import { wordsOf } from './check-words.js';
import { formatNumber, formatSize } from './i18n/format.js';
import type { Language } from './i18n/language.js';
import { snapshotDiffCatalog } from './snapshot-diff-catalog.js';
import type { Snapshot } from './snapshot.js';

export interface FactChange {
  readonly fact: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface SnapshotComparison {
  readonly changes: FactChange[];
  readonly fixed: Finding[];
  readonly appeared: Finding[];
  readonly remaining: Finding[];
}

const words = wordsOf(snapshotDiffCatalog);

/** The facts of a snapshot worth comparing, as label → rounded, readable value, in the reader's language. */
export function snapshotFacts(s: Snapshot, language: Language = 'en'): Map<string, string> {
  const w = words(language);
  const size = (n: number) => formatSize(n, language);
  const percent = (n: number) => w('percent', { value: formatNumber(n, language, 0) });
  const facts = new Map<string, string>();
  const put = (label: string, value: string) => facts.set(label, value);
  if (s.os) {
    put(w('os'), w('osValue', { distro: s.os.distro, release: s.os.release, kernel: s.os.kernel }));
    put(w('hostname'), s.os.hostname);
    put(w('uptime'), w('days', { days: Math.floor(s.os.uptimeSeconds / 86400) }));
    put(w('users'), s.os.users.map((u) => u.user).sort().join(', ') || w('none'));
  }
  if (s.cpu) {
    put(w('cpuLoad'), percent(s.cpu.loadPercent));
    if (s.cpu.loadAverage1m !== null) put(w('loadAverage'), formatNumber(s.cpu.loadAverage1m, language, 1));
  }
  if (s.memory) {
    put(w('memoryAvailable'), size(s.memory.availableBytes));
    put(w('swapUsed'), size(s.memory.swapUsedBytes));
  }
  for (const f of s.storage?.filesystems ?? []) {
    put(w('diskUsed', { mount: f.mount }), w('diskUsedValue', { percent: formatNumber(f.usePercent, language, 0), free: size(f.availableBytes) }));
  }
  for (const i of s.network?.interfaces ?? []) {
    if (i.internal) continue;
    put(w('interface', { name: i.name }), w('interfaceValue', { up: i.up ? 'yes' : 'no', addresses: [...i.ipv4, ...i.ipv6].join(' ') }).trim());
  }
  if (s.network) {
    put(w('gateway'), s.network.gateway ?? w('none'));
    put(w('dnsServers'), s.network.dnsServers.join(', ') || w('none'));
  }
  for (const l of s.dns?.lookups ?? []) put(w('resolve', { name: l.name }), l.ok ? w('resolveOk') : w('resolveFails', { error: l.error ?? w('noAnswer') }));
  if (s.controller) put(w('controller'), s.controller.reachable ? w('reachable') : w('unreachable', { error: s.controller.error ?? w('noAnswer') }));
  if (s.clock?.skewMs != null) put(w('clockSkew'), w('seconds', { value: formatNumber(s.clock.skewMs / 1000, language, 0) }));
  if (s.battery?.present) put(w('battery'), w('batteryValue', { percent: formatNumber(s.battery.percent ?? 0, language, 0), charging: s.battery.charging ? 'yes' : 'no' }));
  s.processes?.byCpu.slice(0, 3).forEach((p, i) => put(w('topProcess', { rank: String(i + 1) }), p.name));
  if (s.printers?.available) {
    put(w('printService'), w('spooler', { state: s.printers.spooler }));
    put(w('defaultPrinter'), s.printers.defaultPrinter ?? w('none'));
    for (const p of s.printers.printers) put(w('printer', { name: p.name }), w('printerState', { state: p.state }));
    put(w('printJobs'), formatNumber(s.printers.jobCount, language, 0));
  }
  if (s.security) {
    put(w('firewall'), w('onOff', { state: s.security.firewall.state }));
    put(w('encryption'), w('onOff', { state: s.security.encryption.state }));
    put(w('remoteTools'), s.security.remoteTools.map((t) => w('remoteToolValue', { name: t.name, running: t.running ? 'yes' : 'no' })).sort().join(', ') || w('none'));
  }
  if (s.updates) {
    put(w('restartNeeded'), w('yesNoUnknown', { answer: s.updates.rebootPending === null ? 'unknown' : s.updates.rebootPending ? 'yes' : 'no' }));
    const pending = s.updates.pending;
    if (pending.state === 'ok') {
      const count = (n: number | null) => (n === null ? '?' : formatNumber(n, language, 0));
      put(w('pendingUpdates'), w('pendingUpdatesValue', { total: count(pending.total), security: count(pending.security) }));
    }
  }
  for (const m of s.mail?.servers ?? []) {
    put(w('mailServer', { server: `${m.host}:${m.port}` }), w('mailValue', { state: !m.resolved ? 'unresolved' : m.reachable ? 'answers' : 'silent' }));
  }
  for (const t of s.connectivity?.targets ?? []) put(w('packetsLost', { role: t.role }), percent(t.lossPercent));
  return facts;
}

/** What changed from `before` to `after` (fact names and values in the reader's language), and which findings were fixed, appeared or remain. */
export function compareSnapshots(
  before: { snapshot: Snapshot; findings: Finding[] },
  after: { snapshot: Snapshot; findings: Finding[] },
  language: Language = 'en',
): SnapshotComparison {
  const a = snapshotFacts(before.snapshot, language);
  const b = snapshotFacts(after.snapshot, language);
  const changes: FactChange[] = [];
  for (const fact of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(fact) ?? null;
    const y = b.get(fact) ?? null;
    if (x !== y) changes.push({ fact, before: x, after: y });
  }
  const beforeIds = new Set(before.findings.map((f) => f.id));
  const afterIds = new Set(after.findings.map((f) => f.id));
  return {
    changes,
    fixed: before.findings.filter((f) => !afterIds.has(f.id)),
    appeared: after.findings.filter((f) => !beforeIds.has(f.id)),
    remaining: after.findings.filter((f) => beforeIds.has(f.id)),
  };
}
