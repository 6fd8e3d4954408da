/** A snapshot and its findings as a readable text report: findings first, then the facts. Colours only on a TTY. */
import { formatDateTime, formatNumber, formatPercent, formatSize, translator, type Finding, type Language, type Snapshot } from '../../protocol/index.js';
import { reportCatalog } from './report-catalog.js';
import { writeHelpdeskSections } from './report-helpdesk.js';

export interface ReportStyle {
  readonly color: boolean;
  /** The reader's language (the agent's). */
  readonly language: Language;
}

const CODES = { red: 31, yellow: 33, blue: 34, green: 32, dim: 2, bold: 1 } as const;

export function renderReport(snapshot: Snapshot, findings: readonly Finding[], style: ReportStyle): string {
  const { language } = style;
  const t = translator(reportCatalog, language);
  const size = (bytes: number) => formatSize(bytes, language);
  const percent = (value: number) => formatPercent(value, language);
  const num = (value: number, digits = 0) => formatNumber(value, language, digits);
  const paint = (code: keyof typeof CODES, text: string) => (style.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const heading = (title: string) => lines.push('', paint('bold', title));
  const labelWidth = language === 'fr' ? 18 : 14;
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(labelWidth)} ${value}`);

  lines.push(paint('bold', t('title', { host: snapshot.os?.hostname ?? t('thisComputer'), date: formatDateTime(snapshot.takenAt, language) })));
  heading(findings.length === 0 ? t('findingsNone') : t('findingsCount', { count: findings.length }));
  const severities = { critical: t('critical'), warning: t('warning'), info: t('info') };
  const tagWidth = Math.max(...Object.values(severities).map((s) => s.length));
  const indent = ' '.repeat(tagWidth + 3);
  for (const f of findings) {
    const word = severities[f.severity].padEnd(tagWidth);
    const tag = f.severity === 'critical' ? paint('red', word) : f.severity === 'warning' ? paint('yellow', word) : paint('blue', word);
    lines.push(`  ${tag} ${f.title}`);
    lines.push(`${indent}${paint('dim', f.explanation)}`);
    for (const e of f.evidence) lines.push(`${indent}${t('evidence', { label: e.label, value: e.value })}${e.threshold ? ` ${paint('dim', t('threshold', { value: e.threshold }))}` : ''}`);
    lines.push(`${indent}${t('nextStep', { text: f.nextStep })}`);
    if (f.script) lines.push(`${indent}${t('starterScript', { name: f.script })}`);
  }

  if (snapshot.system || snapshot.os) {
    heading(t('system'));
    if (snapshot.system) {
      const model = `${snapshot.system.manufacturer} ${snapshot.system.model}`;
      row(t('model'), snapshot.system.virtual ? t('virtualMachine', { model }) : model);
    }
    if (snapshot.system?.serial) row(t('serial'), snapshot.system.serial);
    if (snapshot.os) {
      const o = snapshot.os;
      row(t('os'), t('osValue', { distro: o.distro, release: o.release, platform: o.platform, arch: o.arch, kernel: o.kernel }));
      row(t('uptime'), t('uptimeValue', { days: Math.floor(o.uptimeSeconds / 86400), hours: Math.floor((o.uptimeSeconds % 86400) / 3600) }));
      row(t('timeZone'), o.timezone);
      if (o.users.length) row(t('loggedIn'), o.users.map((u) => u.user).join(', '));
    }
  }
  if (snapshot.cpu) {
    const c = snapshot.cpu;
    heading(t('processor'));
    const cpu = { brand: c.brand, cores: c.physicalCores, threads: c.logicalCores };
    row(t('cpu'), c.speedGHz ? t('cpuValueSpeed', { ...cpu, ghz: num(c.speedGHz, 2) }) : t('cpuValue', cpu));
    row(t('load'), c.loadAverage1m !== null ? t('loadAverage', { percent: percent(c.loadPercent), average: num(c.loadAverage1m, 2) }) : percent(c.loadPercent));
    if (c.temperatureC !== null) row(t('temperature'), t('celsius', { value: num(c.temperatureC) }));
  }
  if (snapshot.memory) {
    const m = snapshot.memory;
    heading(t('memory'));
    row(t('ram'), t('ramValue', { available: size(m.availableBytes), total: size(m.totalBytes) }));
    row(t('swap'), m.swapTotalBytes ? t('swapValue', { used: size(m.swapUsedBytes), total: size(m.swapTotalBytes) }) : t('none'));
  }
  if (snapshot.storage) {
    heading(t('storage'));
    for (const f of snapshot.storage.filesystems) row(f.mount, t('filesystem', { percent: percent(f.usePercent), free: size(f.availableBytes), size: size(f.sizeBytes), type: f.type }));
  }
  if (snapshot.network) {
    heading(t('network'));
    for (const i of snapshot.network.interfaces.filter((i) => !i.internal)) {
      const state = i.up ? paint('green', t('up')) : paint('red', t('down'));
      const parts = [`${state}${i.isDefault ? ` ${t('defaultRoute')}` : ''}`, [...i.ipv4, ...i.ipv6].join(' '), ...(i.speedMbps ? [t('speed', { speed: num(i.speedMbps) })] : [])];
      row(i.name, parts.join(' '));
    }
    row(t('gateway'), snapshot.network.gateway ?? t('none'));
    row(t('dnsServers'), snapshot.network.dnsServers.join(', ') || t('none'));
  }
  for (const l of snapshot.dns?.lookups ?? []) {
    row(t('resolve'), t('resolveValue', { name: l.name, result: l.ok ? l.addresses.join(', ') : paint('red', l.error ?? t('failed')), ms: num(l.durationMs) }));
  }
  if (snapshot.controller) {
    const c = snapshot.controller;
    row(t('controller'), c.reachable ? t('reachable', { ms: num(c.rttMs ?? 0) }) : paint('red', t('unreachable', { error: c.error ?? '' })));
  }
  if (snapshot.clock?.skewMs != null) row(t('clockSkew'), t('seconds', { seconds: num(snapshot.clock.skewMs / 1000, 1) }));
  if (snapshot.battery?.present) {
    const b = snapshot.battery;
    heading(t('battery'));
    const charge = percent(b.percent ?? 0);
    row(t('charge'), b.charging ? t('charging', { percent: charge }) : charge);
    if (b.healthPercent !== null) row(t('health'), percent(b.healthPercent));
  }
  if (snapshot.processes) {
    heading(t('heaviest'));
    for (const p of snapshot.processes.byCpu) row(t('cpuProcess', { percent: percent(p.cpuPercent) }), t('process', { name: p.name, pid: String(p.pid) }));
    for (const p of snapshot.processes.byMemory) row(t('ramProcess', { size: size(p.memoryBytes) }), t('process', { name: p.name, pid: String(p.pid) }));
  }
  writeHelpdeskSections(snapshot, { heading, row, bad: (text) => paint('red', text), good: (text) => paint('green', text) }, language);
  const slow = Object.entries(snapshot.probes).sort((a, b) => (b[1]?.durationMs ?? 0) - (a[1]?.durationMs ?? 0));
  const list = slow.slice(0, 3).map(([name, o]) => t('probeTime', { name, ms: num(o?.durationMs ?? 0) })).join(', ');
  lines.push('', paint('dim', t('collected', { ms: num(snapshot.durationMs), list })));
  return lines.join('\n') + '\n';
}
