/** A snapshot and its findings as a readable text report: findings first, then the facts. Colours only on a TTY. */
import { formatBytes, type Finding, type Snapshot } from '../../protocol/index.js';
import { writeHelpdeskSections } from './report-helpdesk.js';

export interface ReportStyle {
  readonly color: boolean;
}

const CODES = { red: 31, yellow: 33, blue: 34, green: 32, dim: 2, bold: 1 } as const;

export function renderReport(snapshot: Snapshot, findings: readonly Finding[], style: ReportStyle): string {
  const paint = (code: keyof typeof CODES, text: string) => (style.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const heading = (title: string) => lines.push('', paint('bold', title));
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(14)} ${value}`);

  lines.push(paint('bold', `Relais diagnostics — ${snapshot.os?.hostname ?? 'this computer'} — ${new Date(snapshot.takenAt).toLocaleString()}`));
  heading(findings.length === 0 ? 'Findings: nothing looks wrong' : `Findings (${findings.length})`);
  for (const f of findings) {
    const tag = f.severity === 'critical' ? paint('red', 'CRITICAL') : f.severity === 'warning' ? paint('yellow', 'WARNING ') : paint('blue', 'INFO    ');
    lines.push(`  ${tag} ${f.title}`);
    lines.push(`           ${paint('dim', f.explanation)}`);
    for (const e of f.evidence) lines.push(`           ${e.label}: ${e.value}${e.threshold ? paint('dim', ` (threshold ${e.threshold})`) : ''}`);
    lines.push(`           Next step: ${f.nextStep}`);
    if (f.script) lines.push(`           Starter script: ${f.script}`);
  }

  if (snapshot.system || snapshot.os) {
    heading('System');
    if (snapshot.system) row('Model', `${snapshot.system.manufacturer} ${snapshot.system.model}${snapshot.system.virtual ? ' (virtual machine)' : ''}`);
    if (snapshot.system?.serial) row('Serial', snapshot.system.serial);
    if (snapshot.os) {
      row('OS', `${snapshot.os.distro} ${snapshot.os.release} (${snapshot.os.platform} ${snapshot.os.arch}, kernel ${snapshot.os.kernel})`);
      row('Uptime', `${Math.floor(snapshot.os.uptimeSeconds / 86400)} d ${Math.floor((snapshot.os.uptimeSeconds % 86400) / 3600)} h`);
      row('Time zone', snapshot.os.timezone);
      if (snapshot.os.users.length) row('Logged in', snapshot.os.users.map((u) => u.user).join(', '));
    }
  }
  if (snapshot.cpu) {
    heading('Processor');
    row('CPU', `${snapshot.cpu.brand}, ${snapshot.cpu.physicalCores} cores / ${snapshot.cpu.logicalCores} threads${snapshot.cpu.speedGHz ? ` at ${snapshot.cpu.speedGHz} GHz` : ''}`);
    row('Load', `${Math.round(snapshot.cpu.loadPercent)} %${snapshot.cpu.loadAverage1m !== null ? `, load average ${snapshot.cpu.loadAverage1m.toFixed(2)}` : ''}`);
    if (snapshot.cpu.temperatureC !== null) row('Temperature', `${Math.round(snapshot.cpu.temperatureC)} °C`);
  }
  if (snapshot.memory) {
    heading('Memory');
    row('RAM', `${formatBytes(snapshot.memory.availableBytes)} available of ${formatBytes(snapshot.memory.totalBytes)}`);
    row('Swap', snapshot.memory.swapTotalBytes ? `${formatBytes(snapshot.memory.swapUsedBytes)} used of ${formatBytes(snapshot.memory.swapTotalBytes)}` : 'none');
  }
  if (snapshot.storage) {
    heading('Storage');
    for (const f of snapshot.storage.filesystems) row(f.mount, `${Math.round(f.usePercent)} % used — ${formatBytes(f.availableBytes)} free of ${formatBytes(f.sizeBytes)} (${f.type})`);
  }
  if (snapshot.network) {
    heading('Network');
    for (const i of snapshot.network.interfaces.filter((i) => !i.internal)) {
      row(i.name, `${i.up ? paint('green', 'up') : paint('red', 'down')}${i.isDefault ? ' (default)' : ''} ${[...i.ipv4, ...i.ipv6].join(' ')}${i.speedMbps ? ` ${i.speedMbps} Mb/s` : ''}`);
    }
    row('Gateway', snapshot.network.gateway ?? 'none');
    row('DNS servers', snapshot.network.dnsServers.join(', ') || 'none');
  }
  for (const l of snapshot.dns?.lookups ?? []) row(`Resolve`, `${l.name}: ${l.ok ? l.addresses.join(', ') : paint('red', l.error ?? 'failed')} (${l.durationMs} ms)`);
  if (snapshot.controller) row('Controller', snapshot.controller.reachable ? `reachable, ${snapshot.controller.rttMs} ms` : paint('red', `unreachable (${snapshot.controller.error})`));
  if (snapshot.clock?.skewMs != null) row('Clock skew', `${(snapshot.clock.skewMs / 1000).toFixed(1)} s`);
  if (snapshot.battery?.present) {
    heading('Battery');
    row('Charge', `${Math.round(snapshot.battery.percent ?? 0)} %${snapshot.battery.charging ? ', charging' : ''}`);
    if (snapshot.battery.healthPercent !== null) row('Health', `${Math.round(snapshot.battery.healthPercent)} %`);
  }
  if (snapshot.processes) {
    heading('Heaviest processes');
    for (const p of snapshot.processes.byCpu) row(`CPU ${p.cpuPercent.toFixed(1)} %`, `${p.name} (pid ${p.pid})`);
    for (const p of snapshot.processes.byMemory) row(`RAM ${formatBytes(p.memoryBytes)}`, `${p.name} (pid ${p.pid})`);
  }
  writeHelpdeskSections(snapshot, { heading, row, bad: (t) => paint('red', t), good: (t) => paint('green', t) });
  const slow = Object.entries(snapshot.probes).sort((a, b) => (b[1]?.durationMs ?? 0) - (a[1]?.durationMs ?? 0));
  lines.push('', paint('dim', `Collected in ${snapshot.durationMs} ms; slowest probes: ${slow.slice(0, 3).map(([n, o]) => `${n} ${o?.durationMs} ms`).join(', ')}.`));
  return lines.join('\n') + '\n';
}
