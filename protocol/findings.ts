/** Findings: what looks wrong in a snapshot, in words a level-1 technician can act on. */
import { z } from 'zod';
import { text } from './fields.js';
import { scriptName } from './jobs.js';
import type { Snapshot } from './snapshot.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const finding = z.object({
  id: text(300),
  severity: z.enum(SEVERITIES),
  title: text(200),
  explanation: text(1000),
  evidence: z.array(z.object({ label: text(80), value: text(200), threshold: text(80).optional() })).max(12),
  nextStep: text(500),
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

/** A health check: a pure function of a snapshot and the thresholds. */
export type HealthCheck = (s: Snapshot, t: Thresholds) => Finding[];

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Most severe first, then by id so the order is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.id.localeCompare(b.id));
}

/** The worst severity among findings, or null when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity | null {
  return sortFindings(findings)[0]?.severity ?? null;
}
