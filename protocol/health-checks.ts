/**
 * Health checks: pure functions of a snapshot. Each returns the findings it sees;
 * `runHealthChecks` runs them all, cuts every text built from data to fit its field,
 * and sorts the result, most severe first (at most FINDING_LIMITS.perSnapshot).
 */
import { DEFAULT_THRESHOLDS, FINDING_LIMITS, fitFinding, sortFindings, type Finding, type Severity, type Thresholds } from './findings.js';
import type { Snapshot } from './snapshot.js';
import type { Language } from './i18n/language.js';
import { PRINTER_CHECKS } from './printer-checks.js';
import { SECURITY_CHECKS } from './security-checks.js';
import { CONNECTION_CHECKS } from './connection-checks.js';

type Check = (s: Snapshot, t: Thresholds) => Finding[];

/** Filesystems that are full by design or not the user's storage. */
const IGNORED_FS_TYPES = new Set(['squashfs', 'iso9660', 'udf', 'tmpfs', 'devtmpfs', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'devfs', 'autofs', 'ramfs', 'nsfs', 'fuse.snapfuse']);

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

const pct = (n: number) => `${Math.round(n * 10) / 10} %`;

function level(value: number, warn: number, critical: number, higherIsWorse = true): Severity | null {
  if (higherIsWorse) return value >= critical ? 'critical' : value >= warn ? 'warning' : null;
  return value <= critical ? 'critical' : value <= warn ? 'warning' : null;
}

const diskFull: Check = (s, t) =>
  (s.storage?.filesystems ?? []).flatMap((f) => {
    if (IGNORED_FS_TYPES.has(f.type.toLowerCase()) || f.sizeBytes === 0) return [];
    const severity = level(f.usePercent, t.diskWarnPercent, t.diskCriticalPercent);
    if (!severity) return [];
    return [{
      id: `disk.full:${f.mount}`,
      severity,
      title: `Disk ${f.mount} is ${Math.round(f.usePercent)} % full`,
      explanation: `Only ${formatBytes(f.availableBytes)} is left on ${f.mount}. When a disk fills up, programs fail to save files, updates fail and the system can slow down or stop.`,
      evidence: [
        { label: 'Used', value: `${formatBytes(f.usedBytes)} used, ${formatBytes(f.availableBytes)} free (${pct(f.usePercent)})`, threshold: `warning ${t.diskWarnPercent} %, critical ${t.diskCriticalPercent} %` },
        { label: 'Filesystem', value: `${f.fs} (${f.type})` },
      ],
      nextStep: 'Find what fills the disk (largest folders, downloads, temporary files, old logs) and free space; empty the recycle bin.',
    }];
  });

const memoryLow: Check = (s, t) => {
  const m = s.memory;
  if (!m || m.totalBytes === 0) return [];
  const available = (m.availableBytes / m.totalBytes) * 100;
  const severity = level(available, t.memoryWarnAvailablePercent, t.memoryCriticalAvailablePercent, false);
  if (!severity) return [];
  return [{
    id: 'memory.low',
    severity,
    title: `Memory is almost used up (${pct(available)} available)`,
    explanation: 'With little free memory the computer becomes slow, programs freeze, and some may be closed by the system.',
    evidence: [{ label: 'Available', value: `${formatBytes(m.availableBytes)} of ${formatBytes(m.totalBytes)}`, threshold: `warning ≤ ${t.memoryWarnAvailablePercent} %, critical ≤ ${t.memoryCriticalAvailablePercent} %` }],
    nextStep: 'Look at the heaviest processes by memory; close unneeded programs or browser tabs; restart the computer if it has run for a long time.',
  }];
};

const swapHeavy: Check = (s, t) => {
  const m = s.memory;
  if (!m || m.swapTotalBytes === 0) return [];
  const used = (m.swapUsedBytes / m.swapTotalBytes) * 100;
  const severity = level(used, t.swapWarnPercent, t.swapCriticalPercent);
  if (!severity) return [];
  return [{
    id: 'memory.swap-heavy',
    severity,
    title: `Heavy swap use (${pct(used)})`,
    explanation: 'The computer is moving memory to disk because RAM is short, which makes everything much slower.',
    evidence: [{ label: 'Swap used', value: `${formatBytes(m.swapUsedBytes)} of ${formatBytes(m.swapTotalBytes)}`, threshold: `warning ${t.swapWarnPercent} %, critical ${t.swapCriticalPercent} %` }],
    nextStep: 'Close memory-hungry programs; if this is usual for this machine, it needs more RAM.',
  }];
};

const cpuOverloaded: Check = (s, t) => {
  const c = s.cpu;
  if (!c || c.loadAverage1m === null || c.logicalCores === 0) return [];
  const perCore = c.loadAverage1m / c.logicalCores;
  const severity = level(perCore, t.loadWarnPerCore, t.loadCriticalPerCore);
  if (!severity) return [];
  return [{
    id: 'cpu.overloaded',
    severity,
    title: 'The processor is overloaded',
    explanation: `More work is waiting for the processor than its ${c.logicalCores} cores can do, so everything responds slowly.`,
    evidence: [{ label: 'Load (1 min)', value: `${c.loadAverage1m.toFixed(2)} for ${c.logicalCores} cores (${perCore.toFixed(2)} per core)`, threshold: `warning ${t.loadWarnPerCore}, critical ${t.loadCriticalPerCore} per core` }],
    nextStep: 'Look at the heaviest processes by CPU and stop or restart the one misbehaving.',
  }];
};

const processHog: Check = (s, t) => {
  const top = s.processes?.byCpu[0];
  if (!top || !s.cpu || top.cpuPercent < t.processHogCpuPercent || s.cpu.loadPercent < t.processHogTotalLoadPercent) return [];
  return [{
    id: `process.cpu-hog:${top.name}`,
    severity: 'warning',
    title: `"${top.name}" is using most of the processor`,
    explanation: 'One program is taking most of the processor time; the rest of the computer has to wait.',
    evidence: [
      { label: 'Process', value: `${top.name} (pid ${top.pid})` },
      { label: 'Its CPU use', value: pct(top.cpuPercent), threshold: `${t.processHogCpuPercent} %` },
      { label: 'Total CPU load', value: pct(s.cpu.loadPercent), threshold: `${t.processHogTotalLoadPercent} %` },
    ],
    nextStep: `Ask the user whether "${top.name}" should be busy; if not, close or restart it.`,
  }];
};

const network: Check = (s) => {
  const n = s.network;
  if (!n) return [];
  const findings: Finding[] = [];
  for (const iface of n.interfaces) {
    if (iface.isDefault && !iface.up) {
      findings.push({
        id: `network.interface-down:${iface.name}`,
        severity: 'critical',
        title: `Network interface ${iface.name} is down`,
        explanation: 'The connection this computer normally uses is not up: no cable, Wi-Fi off or disconnected, or the adapter is disabled.',
        evidence: [{ label: 'Interface', value: `${iface.name} (${iface.mac || 'no MAC'})` }, { label: 'State', value: 'down' }],
        nextStep: 'Check the cable or Wi-Fi, and that the adapter is enabled; then restart networking.',
      });
    }
  }
  if (n.gateway === null) {
    findings.push({
      id: 'network.no-gateway',
      severity: 'critical',
      title: 'No default gateway',
      explanation: 'The computer has no route to other networks, so the internet and company services are unreachable.',
      evidence: [{ label: 'Default gateway', value: 'none' }],
      nextStep: 'Reconnect to the network or renew the DHCP lease; check the network settings are automatic.',
    });
  }
  if (n.dnsServers.length === 0) {
    findings.push({
      id: 'dns.no-servers',
      severity: 'critical',
      title: 'No DNS servers configured',
      explanation: 'Without a DNS server, names such as websites cannot be turned into addresses.',
      evidence: [{ label: 'DNS servers', value: 'none' }],
      nextStep: 'Renew the DHCP lease or set the company DNS servers in the network settings.',
    });
  }
  return findings;
};

const dnsResolution: Check = (s) => {
  const lookups = s.dns?.lookups ?? [];
  const failed = lookups.filter((l) => !l.ok);
  if (failed.length === 0) return [];
  return [{
    id: 'dns.resolution-failed',
    severity: failed.length === lookups.length ? 'critical' : 'warning',
    title: failed.length === lookups.length ? 'Name resolution fails' : 'Some names do not resolve',
    explanation: 'The computer cannot look up some names, so websites and services by name fail even if the network is up.',
    evidence: failed.slice(0, 4).map((l) => ({ label: l.name, value: l.error ?? 'no answer' })),
    nextStep: 'Flush the DNS cache, check the DNS servers, and try again; if only internal names fail, check the VPN.',
  }];
};

const controllerReach: Check = (s, t) => {
  const c = s.controller;
  if (!c) return [];
  if (!c.reachable) {
    return [{
      id: 'controller.unreachable',
      severity: 'critical',
      title: 'The Relais controller is unreachable',
      explanation: 'The agent could not reach the support server over HTTP, which points to a network, proxy or firewall problem.',
      evidence: [{ label: 'Controller', value: c.url }, { label: 'Error', value: c.error ?? 'no answer' }],
      nextStep: 'Check the network connection, proxy and firewall settings.',
    }];
  }
  if (c.rttMs !== null && c.rttMs > t.controllerSlowMs) {
    return [{
      id: 'controller.slow',
      severity: 'warning',
      title: 'The connection to the controller is slow',
      explanation: 'Answers from the support server take long, so the remote session may feel sluggish; the network may be congested.',
      evidence: [{ label: 'Round trip', value: `${Math.round(c.rttMs)} ms`, threshold: `${t.controllerSlowMs} ms` }],
      nextStep: 'Check for heavy downloads or a weak Wi-Fi signal; try a wired connection.',
    }];
  }
  return [];
};

const clockSkew: Check = (s, t) => {
  const skew = s.clock?.skewMs;
  if (skew === undefined || skew === null) return [];
  const severity = level(Math.abs(skew), t.clockSkewWarnMs, t.clockSkewCriticalMs);
  if (!severity) return [];
  const minutes = Math.round(Math.abs(skew) / 60000);
  return [{
    id: 'clock.skew',
    severity,
    title: `The clock is ${minutes} minute${minutes === 1 ? '' : 's'} ${skew > 0 ? 'behind' : 'ahead'}`,
    explanation: 'A wrong clock breaks secure connections (certificate errors) and sign-ins, and makes logs misleading.',
    evidence: [{ label: 'Difference with the controller', value: `${Math.round(skew / 1000)} s`, threshold: `${t.clockSkewWarnMs / 1000} s` }],
    nextStep: 'Turn on automatic time synchronisation and check the time zone.',
  }];
};

const battery: Check = (s, t) => {
  const b = s.battery;
  if (!b?.present) return [];
  const findings: Finding[] = [];
  if (b.percent !== null && b.charging === false) {
    const severity = level(b.percent, t.batteryWarnPercent, t.batteryCriticalPercent, false);
    if (severity) {
      findings.push({
        id: 'battery.low',
        severity,
        title: `Battery low (${Math.round(b.percent)} %)`,
        explanation: 'The computer runs on a low battery and may shut down in the middle of the session.',
        evidence: [{ label: 'Charge', value: `${Math.round(b.percent)} %, not charging`, threshold: `${t.batteryWarnPercent} %` }],
        nextStep: 'Ask the user to plug in the charger before going on.',
      });
    }
  }
  if (b.healthPercent !== null && b.healthPercent < t.batteryWornHealthPercent) {
    findings.push({
      id: 'battery.worn',
      severity: 'warning',
      title: `Battery worn (${Math.round(b.healthPercent)} % of its design capacity)`,
      explanation: 'The battery holds much less charge than when new, so the computer runs out quickly away from a plug.',
      evidence: [{ label: 'Health', value: `${Math.round(b.healthPercent)} %`, threshold: `${t.batteryWornHealthPercent} %` }, ...(b.cycleCount !== null ? [{ label: 'Cycles', value: String(b.cycleCount) }] : [])],
      nextStep: 'Plan a battery replacement.',
    });
  }
  return findings;
};

const uptime: Check = (s, t) => {
  const seconds = s.os?.uptimeSeconds;
  if (seconds === undefined || seconds < t.uptimeWarnDays * 86400) return [];
  const days = Math.floor(seconds / 86400);
  return [{
    id: 'os.long-uptime',
    severity: 'info',
    title: `Not restarted for ${days} days`,
    explanation: 'A computer that has run for a long time may have pending updates and programs that slowly use more memory.',
    evidence: [{ label: 'Uptime', value: `${days} days`, threshold: `${t.uptimeWarnDays} days` }],
    nextStep: 'Suggest a restart at a convenient time; it often solves slowness and applies updates.',
  }];
};

const probeFailures: Check = (s) =>
  Object.entries(s.probes).flatMap(([probe, outcome]) =>
    outcome && (outcome.status === 'error' || outcome.status === 'timeout')
      ? [{
          id: `probe.${outcome.status}:${probe}`,
          severity: 'info' as const,
          title: `Could not measure ${probe}`,
          explanation: outcome.status === 'timeout' ? `The ${probe} probe did not finish in time; this part of the report is missing.` : `The ${probe} probe failed; this part of the report is missing.`,
          evidence: [{ label: 'Reason', value: outcome.error ?? outcome.status }, { label: 'Duration', value: `${Math.round(outcome.durationMs)} ms` }],
          nextStep: 'Refresh the diagnostics; if it keeps failing, check it by hand in a shell.',
        }]
      : [],
  );

export const HEALTH_CHECKS: readonly Check[] = [
  diskFull, memoryLow, swapHeavy, cpuOverloaded, processHog, network, dnsResolution, controllerReach, clockSkew, battery, uptime, probeFailures,
  ...PRINTER_CHECKS, ...SECURITY_CHECKS, ...CONNECTION_CHECKS,
];

/** Runs every check on a snapshot; findings valid whatever the data, most severe first, in the reader's language. */
export function runHealthChecks(snapshot: Snapshot, thresholds: Partial<Thresholds> = {}, language: Language = 'en'): Finding[] {
  void language; // the checks' words move to a catalog next; the signature is fixed now for the agent and the controller
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  return sortFindings(HEALTH_CHECKS.flatMap((check) => check(snapshot, t)).map(fitFinding)).slice(0, FINDING_LIMITS.perSnapshot);
}
