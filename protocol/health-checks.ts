/**
 * Health checks: pure functions of a snapshot. Each returns the findings it sees;
 * `runHealthChecks` runs them all, cuts every text built from data to fit its field,
 * and sorts the result, most severe first (at most FINDING_LIMITS.perSnapshot).
 */
import { DEFAULT_THRESHOLDS, FINDING_LIMITS, fitFinding, sortFindings, type Finding, type HealthCheck, type Severity, type Thresholds } from './findings.js';
import { wordsOf } from './check-words.js';
import { healthChecksCatalog } from './health-checks-catalog.js';
import { formatNumber, formatSize } from './i18n/format.js';
import type { Snapshot } from './snapshot.js';
import type { Language } from './i18n/language.js';
import { PRINTER_CHECKS } from './printer-checks.js';
import { SECURITY_CHECKS } from './security-checks.js';
import { CONNECTION_CHECKS } from './connection-checks.js';

type Check = HealthCheck;

const words = wordsOf(healthChecksCatalog);

/** Filesystems that are full by design or not the user's storage. */
const IGNORED_FS_TYPES = new Set(['squashfs', 'iso9660', 'udf', 'tmpfs', 'devtmpfs', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'devfs', 'autofs', 'ramfs', 'nsfs', 'fuse.snapfuse']);

/** A size in English, for callers that have not moved to formatSize (the agent's text report). */
export function formatBytes(n: number): string {
  return formatSize(n, 'en');
}

function level(value: number, warn: number, critical: number, higherIsWorse = true): Severity | null {
  if (higherIsWorse) return value >= critical ? 'critical' : value >= warn ? 'warning' : null;
  return value <= critical ? 'critical' : value <= warn ? 'warning' : null;
}

const diskFull: Check = (s, t, lang) => {
  const w = words(lang);
  const size = (n: number) => formatSize(n, lang);
  return (s.storage?.filesystems ?? []).flatMap((f) => {
    if (IGNORED_FS_TYPES.has(f.type.toLowerCase()) || f.sizeBytes === 0) return [];
    const severity = level(f.usePercent, t.diskWarnPercent, t.diskCriticalPercent);
    if (!severity) return [];
    return [{
      id: `disk.full:${f.mount}`,
      severity,
      title: w('diskFullTitle', { mount: f.mount, percent: formatNumber(f.usePercent, lang, 0) }),
      explanation: w('diskFullExplanation', { free: size(f.availableBytes), mount: f.mount }),
      evidence: [
        {
          label: w('diskLabelUsed'),
          value: w('diskUsedValue', { used: size(f.usedBytes), free: size(f.availableBytes), percent: formatNumber(f.usePercent, lang) }),
          threshold: w('thresholdWarnCritical', { warn: formatNumber(t.diskWarnPercent, lang), critical: formatNumber(t.diskCriticalPercent, lang) }),
        },
        { label: w('diskLabelFilesystem'), value: `${f.fs} (${f.type})` },
      ],
      nextStep: w('diskFullNextStep'),
    }];
  });
};

const memoryLow: Check = (s, t, lang) => {
  const m = s.memory;
  if (!m || m.totalBytes === 0) return [];
  const available = (m.availableBytes / m.totalBytes) * 100;
  const severity = level(available, t.memoryWarnAvailablePercent, t.memoryCriticalAvailablePercent, false);
  if (!severity) return [];
  const w = words(lang);
  return [{
    id: 'memory.low',
    severity,
    title: w('memoryLowTitle', { percent: formatNumber(available, lang) }),
    explanation: w('memoryLowExplanation'),
    evidence: [{
      label: w('memoryLabelAvailable'),
      value: w('ofTotal', { part: formatSize(m.availableBytes, lang), total: formatSize(m.totalBytes, lang) }),
      threshold: w('thresholdWarnCriticalAtMost', { warn: formatNumber(t.memoryWarnAvailablePercent, lang), critical: formatNumber(t.memoryCriticalAvailablePercent, lang) }),
    }],
    nextStep: w('memoryLowNextStep'),
  }];
};

const swapHeavy: Check = (s, t, lang) => {
  const m = s.memory;
  if (!m || m.swapTotalBytes === 0) return [];
  const used = (m.swapUsedBytes / m.swapTotalBytes) * 100;
  const severity = level(used, t.swapWarnPercent, t.swapCriticalPercent);
  if (!severity) return [];
  const w = words(lang);
  return [{
    id: 'memory.swap-heavy',
    severity,
    title: w('swapTitle', { percent: formatNumber(used, lang) }),
    explanation: w('swapExplanation'),
    evidence: [{
      label: w('swapLabelUsed'),
      value: w('ofTotal', { part: formatSize(m.swapUsedBytes, lang), total: formatSize(m.swapTotalBytes, lang) }),
      threshold: w('thresholdWarnCritical', { warn: formatNumber(t.swapWarnPercent, lang), critical: formatNumber(t.swapCriticalPercent, lang) }),
    }],
    nextStep: w('swapNextStep'),
  }];
};

const cpuOverloaded: Check = (s, t, lang) => {
  const c = s.cpu;
  if (!c || c.loadAverage1m === null || c.logicalCores === 0) return [];
  const perCore = c.loadAverage1m / c.logicalCores;
  const severity = level(perCore, t.loadWarnPerCore, t.loadCriticalPerCore);
  if (!severity) return [];
  const w = words(lang);
  return [{
    id: 'cpu.overloaded',
    severity,
    title: w('cpuTitle'),
    explanation: w('cpuExplanation', { cores: c.logicalCores }),
    evidence: [{
      label: w('cpuLabelLoad'),
      value: w('cpuLoadValue', { load: formatNumber(c.loadAverage1m, lang, 2), cores: c.logicalCores, perCore: formatNumber(perCore, lang, 2) }),
      threshold: w('cpuThreshold', { warn: formatNumber(t.loadWarnPerCore, lang, 2), critical: formatNumber(t.loadCriticalPerCore, lang, 2) }),
    }],
    nextStep: w('cpuNextStep'),
  }];
};

const processHog: Check = (s, t, lang) => {
  const top = s.processes?.byCpu[0];
  if (!top || !s.cpu || top.cpuPercent < t.processHogCpuPercent || s.cpu.loadPercent < t.processHogTotalLoadPercent) return [];
  const w = words(lang);
  const percent = (value: number) => w('percent', { value: formatNumber(value, lang) });
  return [{
    id: `process.cpu-hog:${top.name}`,
    severity: 'warning',
    title: w('hogTitle', { name: top.name }),
    explanation: w('hogExplanation'),
    evidence: [
      { label: w('hogLabelProcess'), value: w('hogProcessValue', { name: top.name, pid: String(top.pid) }) },
      { label: w('hogLabelItsCpu'), value: percent(top.cpuPercent), threshold: percent(t.processHogCpuPercent) },
      { label: w('hogLabelTotalCpu'), value: percent(s.cpu.loadPercent), threshold: percent(t.processHogTotalLoadPercent) },
    ],
    nextStep: w('hogNextStep', { name: top.name }),
  }];
};

const network: Check = (s, _t, lang) => {
  const n = s.network;
  if (!n) return [];
  const w = words(lang);
  const findings: Finding[] = [];
  for (const iface of n.interfaces) {
    if (iface.isDefault && !iface.up) {
      findings.push({
        id: `network.interface-down:${iface.name}`,
        severity: 'critical',
        title: w('interfaceDownTitle', { name: iface.name }),
        explanation: w('interfaceDownExplanation'),
        evidence: [
          { label: w('interfaceLabel'), value: w('interfaceValue', { name: iface.name, mac: iface.mac || w('interfaceNoMac') }) },
          { label: w('interfaceLabelState'), value: w('interfaceStateDown') },
        ],
        nextStep: w('interfaceDownNextStep'),
      });
    }
  }
  if (n.gateway === null) {
    findings.push({
      id: 'network.no-gateway',
      severity: 'critical',
      title: w('noGatewayTitle'),
      explanation: w('noGatewayExplanation'),
      evidence: [{ label: w('gatewayLabel'), value: w('gatewayNone') }],
      nextStep: w('noGatewayNextStep'),
    });
  }
  if (n.dnsServers.length === 0) {
    findings.push({
      id: 'dns.no-servers',
      severity: 'critical',
      title: w('noDnsTitle'),
      explanation: w('noDnsExplanation'),
      evidence: [{ label: w('dnsServersLabel'), value: w('dnsServersNone') }],
      nextStep: w('noDnsNextStep'),
    });
  }
  return findings;
};

const dnsResolution: Check = (s, _t, lang) => {
  const lookups = s.dns?.lookups ?? [];
  const failed = lookups.filter((l) => !l.ok);
  if (failed.length === 0) return [];
  const w = words(lang);
  const all = failed.length === lookups.length;
  return [{
    id: 'dns.resolution-failed',
    severity: all ? 'critical' : 'warning',
    title: w('dnsFailTitle', { scope: all ? 'all' : 'some' }),
    explanation: w('dnsFailExplanation'),
    evidence: failed.slice(0, 4).map((l) => ({ label: l.name, value: l.error ?? w('noAnswer') })),
    nextStep: w('dnsFailNextStep'),
  }];
};

const controllerReach: Check = (s, t, lang) => {
  const c = s.controller;
  if (!c) return [];
  const w = words(lang);
  if (!c.reachable) {
    return [{
      id: 'controller.unreachable',
      severity: 'critical',
      title: w('controllerUnreachableTitle'),
      explanation: w('controllerUnreachableExplanation'),
      evidence: [{ label: w('controllerLabel'), value: c.url }, { label: w('labelError'), value: c.error ?? w('noAnswer') }],
      nextStep: w('controllerUnreachableNextStep'),
    }];
  }
  if (c.rttMs !== null && c.rttMs > t.controllerSlowMs) {
    return [{
      id: 'controller.slow',
      severity: 'warning',
      title: w('controllerSlowTitle'),
      explanation: w('controllerSlowExplanation'),
      evidence: [{
        label: w('controllerLabelRoundTrip'),
        value: w('milliseconds', { value: formatNumber(c.rttMs, lang, 0) }),
        threshold: w('milliseconds', { value: formatNumber(t.controllerSlowMs, lang, 0) }),
      }],
      nextStep: w('controllerSlowNextStep'),
    }];
  }
  return [];
};

const clockSkew: Check = (s, t, lang) => {
  const skew = s.clock?.skewMs;
  if (skew === undefined || skew === null) return [];
  const severity = level(Math.abs(skew), t.clockSkewWarnMs, t.clockSkewCriticalMs);
  if (!severity) return [];
  const w = words(lang);
  const minutes = Math.round(Math.abs(skew) / 60000);
  return [{
    id: 'clock.skew',
    severity,
    title: w('clockTitle', { minutes, direction: skew > 0 ? 'behind' : 'ahead' }),
    explanation: w('clockExplanation'),
    evidence: [{
      label: w('clockLabelDifference'),
      value: w('seconds', { value: formatNumber(skew / 1000, lang, 0) }),
      threshold: w('seconds', { value: formatNumber(t.clockSkewWarnMs / 1000, lang, 0) }),
    }],
    nextStep: w('clockNextStep'),
  }];
};

const battery: Check = (s, t, lang) => {
  const b = s.battery;
  if (!b?.present) return [];
  const w = words(lang);
  const whole = (n: number) => formatNumber(n, lang, 0);
  const findings: Finding[] = [];
  if (b.percent !== null && b.charging === false) {
    const severity = level(b.percent, t.batteryWarnPercent, t.batteryCriticalPercent, false);
    if (severity) {
      findings.push({
        id: 'battery.low',
        severity,
        title: w('batteryLowTitle', { percent: whole(b.percent) }),
        explanation: w('batteryLowExplanation'),
        evidence: [{ label: w('batteryLabelCharge'), value: w('batteryChargeValue', { percent: whole(b.percent) }), threshold: w('percent', { value: whole(t.batteryWarnPercent) }) }],
        nextStep: w('batteryLowNextStep'),
      });
    }
  }
  if (b.healthPercent !== null && b.healthPercent < t.batteryWornHealthPercent) {
    findings.push({
      id: 'battery.worn',
      severity: 'warning',
      title: w('batteryWornTitle', { percent: whole(b.healthPercent) }),
      explanation: w('batteryWornExplanation'),
      evidence: [
        { label: w('batteryLabelHealth'), value: w('percent', { value: whole(b.healthPercent) }), threshold: w('percent', { value: whole(t.batteryWornHealthPercent) }) },
        ...(b.cycleCount !== null ? [{ label: w('batteryLabelCycles'), value: formatNumber(b.cycleCount, lang, 0) }] : []),
      ],
      nextStep: w('batteryWornNextStep'),
    });
  }
  return findings;
};

const uptime: Check = (s, t, lang) => {
  const seconds = s.os?.uptimeSeconds;
  if (seconds === undefined || seconds < t.uptimeWarnDays * 86400) return [];
  const w = words(lang);
  const days = Math.floor(seconds / 86400);
  return [{
    id: 'os.long-uptime',
    severity: 'info',
    title: w('uptimeTitle', { days }),
    explanation: w('uptimeExplanation'),
    evidence: [{ label: w('uptimeLabel'), value: w('days', { days }), threshold: w('days', { days: t.uptimeWarnDays }) }],
    nextStep: w('uptimeNextStep'),
  }];
};

const probeFailures: Check = (s, _t, lang) => {
  const w = words(lang);
  return Object.entries(s.probes).flatMap(([probe, outcome]) =>
    outcome && (outcome.status === 'error' || outcome.status === 'timeout')
      ? [{
          id: `probe.${outcome.status}:${probe}`,
          severity: 'info' as const,
          title: w('probeTitle', { probe }),
          explanation: w('probeExplanation', { probe, status: outcome.status }),
          evidence: [
            { label: w('probeLabelReason'), value: outcome.error ?? w('probeStatus', { status: outcome.status }) },
            { label: w('probeLabelDuration'), value: w('milliseconds', { value: formatNumber(outcome.durationMs, lang, 0) }) },
          ],
          nextStep: w('probeNextStep'),
        }]
      : [],
  );
};

export const HEALTH_CHECKS: readonly HealthCheck[] = [
  diskFull, memoryLow, swapHeavy, cpuOverloaded, processHog, network, dnsResolution, controllerReach, clockSkew, battery, uptime, probeFailures,
  ...PRINTER_CHECKS, ...SECURITY_CHECKS, ...CONNECTION_CHECKS,
];

/** Runs every check on a snapshot; findings valid whatever the data, most severe first, in the reader's language. */
export function runHealthChecks(snapshot: Snapshot, thresholds: Partial<Thresholds> = {}, language: Language = 'en'): Finding[] {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  return sortFindings(HEALTH_CHECKS.flatMap((check) => check(snapshot, t, language)).map(fitFinding)).slice(0, FINDING_LIMITS.perSnapshot);
}
