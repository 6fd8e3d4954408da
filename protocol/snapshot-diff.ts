/**
 * Comparing two snapshots of a device ("before and after the fix"): the facts that
 * changed, in readable form, and which findings were fixed or appeared.
 */
import type { Finding } from './findings.js';
import { formatBytes } from './health-checks.js';
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

const round = (n: number) => `${Math.round(n)} %`;

/** The facts of a snapshot worth comparing, as label → rounded, readable value. */
export function snapshotFacts(s: Snapshot): Map<string, string> {
  const facts = new Map<string, string>();
  const put = (label: string, value: string) => facts.set(label, value);
  if (s.os) {
    put('OS', `${s.os.distro} ${s.os.release} (kernel ${s.os.kernel})`);
    put('Hostname', s.os.hostname);
    put('Uptime', `${Math.floor(s.os.uptimeSeconds / 86400)} days`);
    put('Logged-in users', s.os.users.map((u) => u.user).sort().join(', ') || 'none');
  }
  if (s.cpu) {
    put('CPU load', round(s.cpu.loadPercent));
    if (s.cpu.loadAverage1m !== null) put('Load average (1 min)', s.cpu.loadAverage1m.toFixed(1));
  }
  if (s.memory) {
    put('Memory available', formatBytes(s.memory.availableBytes));
    put('Swap used', formatBytes(s.memory.swapUsedBytes));
  }
  for (const f of s.storage?.filesystems ?? []) {
    put(`Disk ${f.mount} used`, `${round(f.usePercent)} (${formatBytes(f.availableBytes)} free)`);
  }
  for (const i of s.network?.interfaces ?? []) {
    if (i.internal) continue;
    put(`Interface ${i.name}`, `${i.up ? 'up' : 'down'} ${[...i.ipv4, ...i.ipv6].join(' ')}`.trim());
  }
  if (s.network) {
    put('Default gateway', s.network.gateway ?? 'none');
    put('DNS servers', s.network.dnsServers.join(', ') || 'none');
  }
  for (const l of s.dns?.lookups ?? []) put(`Resolve ${l.name}`, l.ok ? 'ok' : `fails (${l.error ?? 'no answer'})`);
  if (s.controller) put('Controller', s.controller.reachable ? 'reachable' : `unreachable (${s.controller.error ?? 'no answer'})`);
  if (s.clock?.skewMs != null) put('Clock skew', `${Math.round(s.clock.skewMs / 1000)} s`);
  if (s.battery?.present) put('Battery', `${round(s.battery.percent ?? 0)}${s.battery.charging ? ', charging' : ''}`);
  s.processes?.byCpu.slice(0, 3).forEach((p, i) => put(`Top CPU process #${i + 1}`, p.name));
  if (s.printers?.available) {
    put('Print service', s.printers.spooler);
    put('Default printer', s.printers.defaultPrinter ?? 'none');
    for (const p of s.printers.printers) put(`Printer ${p.name}`, p.state);
    put('Print jobs waiting', String(s.printers.jobCount));
  }
  if (s.security) {
    put('Firewall', s.security.firewall.state);
    put('Disk encryption', s.security.encryption.state);
    put('Remote-control tools', s.security.remoteTools.map((t) => `${t.name}${t.running ? ' (running)' : ''}`).sort().join(', ') || 'none');
  }
  if (s.updates) {
    put('Restart needed', s.updates.rebootPending === null ? 'unknown' : s.updates.rebootPending ? 'yes' : 'no');
    if (s.updates.pending.state === 'ok') put('Pending updates', `${s.updates.pending.total ?? '?'} (${s.updates.pending.security ?? '?'} security)`);
  }
  for (const m of s.mail?.servers ?? []) put(`Mail server ${m.host}:${m.port}`, !m.resolved ? 'does not resolve' : m.reachable ? 'answers' : 'no answer');
  for (const t of s.connectivity?.targets ?? []) put(`Packets lost (${t.role})`, `${Math.round(t.lossPercent)} %`);
  return facts;
}

/** What changed from `before` to `after`, and which findings were fixed, appeared or remain. */
export function compareSnapshots(before: { snapshot: Snapshot; findings: Finding[] }, after: { snapshot: Snapshot; findings: Finding[] }): SnapshotComparison {
  const a = snapshotFacts(before.snapshot);
  const b = snapshotFacts(after.snapshot);
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
