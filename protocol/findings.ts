/** Findings: what looks wrong in a snapshot, in words a level-1 technician can act on. */
import { z } from 'zod';
import { text } from './fields.js';
import { scriptName } from './jobs.js';
import type { Language } from './i18n/language.js';
import type { Snapshot } from './snapshot.js';
import { fitText } from './text.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Characters each finding field holds (and three bytes of JSON per character); text built from data is cut to fit. */
export const FINDING_LIMITS = Object.freeze({
  id: 300,
  title: 200,
  explanation: 1000,
  evidenceItems: 12,
  evidenceLabel: 80,
  evidenceValue: 200,
  evidenceThreshold: 80,
  nextStep: 500,
  /** Findings one snapshot may yield (a machine with 128 full filesystems and 64 interfaces down gets the worst). */
  perSnapshot: 200,
});

const L = FINDING_LIMITS;

export const finding = z.object({
  id: text(L.id),
  severity: z.enum(SEVERITIES),
  title: text(L.title),
  explanation: text(L.explanation),
  evidence: z.array(z.object({ label: text(L.evidenceLabel), value: text(L.evidenceValue), threshold: text(L.evidenceThreshold).optional() })).max(L.evidenceItems),
  nextStep: text(L.nextStep),
  /** A starter script that fixes the common case (a name in the script library), when there is one. */
  script: scriptName.optional(),
});
export type Finding = z.infer<typeof finding>;

/** Every threshold the health checks use, in one place. The controller may override any of them. */
export const DEFAULT_THRESHOLDS = Object.freeze({
  diskWarnPercent: 90,
  diskCriticalPercent: 97,
  memoryWarnAvailablePercent: 10,
  memoryCriticalAvailablePercent: 5,
  swapWarnPercent: 50,
  swapCriticalPercent: 80,
  loadWarnPerCore: 1.5,
  loadCriticalPerCore: 3,
  controllerSlowMs: 300,
  clockSkewWarnMs: 2 * 60 * 1000,
  clockSkewCriticalMs: 10 * 60 * 1000,
  batteryWarnPercent: 20,
  batteryCriticalPercent: 10,
  batteryWornHealthPercent: 60,
  uptimeWarnDays: 30,
  processHogCpuPercent: 50,
  processHogTotalLoadPercent: 70,
  printJobStuckMinutes: 15,
  securityUpdatesWarnCount: 1,
  securityUpdatesCriticalCount: 20,
  lastUpdateWarnDays: 45,
  packetLossWarnPercent: 10,
  packetLossCriticalPercent: 30,
  jitterWarnMs: 50,
});
export type Thresholds = { -readonly [K in keyof typeof DEFAULT_THRESHOLDS]: number };

export const thresholdsOverride = z
  .object(Object.fromEntries(Object.keys(DEFAULT_THRESHOLDS).map((k) => [k, z.number().min(0).max(1e9)])) as Record<keyof Thresholds, z.ZodNumber>)
  .partial()
  .strict();

/** A health check: a pure function of a snapshot and the thresholds, its words in the reader's language. */
export type HealthCheck = (s: Snapshot, t: Thresholds, language: Language) => Finding[];

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Most severe first, then by id so the order is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.id.localeCompare(b.id));
}

/** The worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  return sortFindings(findings)[0]?.severity ?? null;
}

/** A finding with every text cut to its field (data such as a 255-character mount path can make a title too long). */
export function fitFinding(f: Finding): Finding {
  return {
    id: fitText(f.id, L.id),
    severity: f.severity,
    title: fitText(f.title, L.title),
    explanation: fitText(f.explanation, L.explanation),
    evidence: f.evidence.slice(0, L.evidenceItems).map((e) => ({
      label: fitText(e.label, L.evidenceLabel),
      value: fitText(e.value, L.evidenceValue),
      ...(e.threshold !== undefined ? { threshold: fitText(e.threshold, L.evidenceThreshold) } : {}),
    })),
    nextStep: fitText(f.nextStep, L.nextStep),
    ...(f.script !== undefined ? { script: f.script } : {}),
  };
}

/**
 * The stable codes findings carry: a finding's id up to its first `:` (`disk.full:/home` is
 * `disk.full`). Knowledge-base articles name the codes they fix, so a device that shows one
 * gets the article; a test runs every check and holds this list to what they produce.
 */
export const FINDING_CODES = [
  'disk.full', 'memory.low', 'memory.swap-heavy', 'cpu.overloaded', 'process.cpu-hog',
  'network.interface-down', 'network.no-gateway', 'network.packet-loss', 'network.jitter',
  'dns.no-servers', 'dns.resolution-failed', 'controller.unreachable', 'controller.slow', 'clock.skew',
  'battery.low', 'battery.worn', 'os.long-uptime', 'probe.error', 'probe.timeout',
  'printer.spooler-stopped', 'printer.no-default', 'printer.offline', 'printer.error', 'printer.paused', 'printer.jobs-stuck',
  'security.firewall-off', 'security.antivirus-missing', 'security.antivirus-off', 'security.antivirus-outdated',
  'security.disk-not-encrypted', 'security.remote-tool', 'security.temp-process',
  'updates.security-pending', 'updates.pending', 'updates.reboot-pending', 'updates.stale',
  'mail.server-unresolved', 'mail.server-unreachable',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];
export const findingCode = z.enum(FINDING_CODES);

/** A finding id's code (`printer.paused:HP` → `printer.paused`). */
export function findingCodeOf(findingId: string): string {
  const colon = findingId.indexOf(':');
  return colon === -1 ? findingId : findingId.slice(0, colon);
}
