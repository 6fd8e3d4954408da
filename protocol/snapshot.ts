/**
 * A diagnostics snapshot: what the agent measured, probe by probe. Each section is
 * optional because each probe may fail or time out on its own; `probes` says which
 * did, how long each took and why one failed.
 */
import { z } from 'zod';
import { text } from './fields.js';
import { connectivitySection, mailSection, printersSection, securitySection, updatesSection } from './snapshot-helpdesk.js';

const bytes = z.number().min(0).max(2 ** 60);
const percent = z.number().min(0).max(100);
const ms = z.number().min(0).max(86_400_000);
const name = text(128);

export const PROBE_NAMES = ['system', 'cpu', 'memory', 'storage', 'os', 'network', 'dns', 'controller', 'battery', 'processes', 'clock',
  'printers', 'security', 'updates', 'mail', 'connectivity'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

export const probeOutcome = z.object({
  status: z.enum(['ok', 'error', 'timeout', 'skipped']),
  durationMs: ms,
  error: text(512).optional(),
});
export type ProbeOutcome = z.infer<typeof probeOutcome>;

const processRow = z.object({ pid: z.number().int().min(0), name, cpuPercent: z.number().min(0).max(100_000), memoryBytes: bytes });

export const snapshot = z.object({
  takenAt: z.number().int().min(0),
  durationMs: ms,
  probes: z.partialRecord(z.enum(PROBE_NAMES), probeOutcome),
  system: z.object({ manufacturer: name, model: name, serial: name.nullable(), virtual: z.boolean(), virtualHost: name.nullable() }).optional(),
  cpu: z
    .object({
      brand: text(160),
      physicalCores: z.number().int().min(0).max(4096),
      logicalCores: z.number().int().min(0).max(4096),
      speedGHz: z.number().min(0).max(100),
      loadPercent: percent,
      loadAverage1m: z.number().min(0).max(100_000).nullable(),
      temperatureC: z.number().min(-50).max(200).nullable(),
    })
    .optional(),
  memory: z.object({ totalBytes: bytes, usedBytes: bytes, availableBytes: bytes, swapTotalBytes: bytes, swapUsedBytes: bytes }).optional(),
  storage: z
    .object({
      disks: z.array(z.object({ name, type: text(32), sizeBytes: bytes, vendor: name })).max(64),
      // usePercent is used / (used + available), as df shows it; reserved blocks make size − used larger than what is free.
      filesystems: z.array(z.object({ fs: text(255), type: text(32), mount: text(255), sizeBytes: bytes, usedBytes: bytes, availableBytes: bytes, usePercent: percent })).max(128),
    })
    .optional(),
  os: z
    .object({
      platform: text(32),
      distro: name,
      release: text(64),
      kernel: name,
      arch: text(32),
      hostname: text(255),
      uptimeSeconds: z.number().min(0),
      timezone: text(64),
      users: z.array(z.object({ user: text(64), terminal: text(64), since: text(64) })).max(64),
    })
    .optional(),
  network: z
    .object({
      interfaces: z
        .array(
          z.object({
            name: text(64),
            ipv4: z.array(text(64)).max(16),
            ipv6: z.array(text(64)).max(16),
            mac: text(32),
            up: z.boolean(),
            speedMbps: z.number().min(0).max(10_000_000).nullable(),
            isDefault: z.boolean(),
            internal: z.boolean(),
          }),
        )
        .max(64),
      gateway: text(64).nullable(),
      dnsServers: z.array(text(64)).max(16),
    })
    .optional(),
  dns: z
    .object({
      lookups: z.array(z.object({ name: text(255), ok: z.boolean(), addresses: z.array(text(64)).max(16), durationMs: ms, error: text(255).nullable() })).max(8),
    })
    .optional(),
  controller: z.object({ url: text(512), reachable: z.boolean(), rttMs: ms.nullable(), error: text(255).nullable() }).optional(),
  battery: z
    .object({ present: z.boolean(), percent: percent.nullable(), charging: z.boolean().nullable(), healthPercent: percent.nullable(), cycleCount: z.number().int().min(0).nullable() })
    .optional(),
  processes: z.object({ byCpu: z.array(processRow).max(5), byMemory: z.array(processRow).max(5) }).optional(),
  clock: z.object({ skewMs: z.number().min(-1e12).max(1e12).nullable(), source: text(64) }).optional(),
  printers: printersSection.optional(),
  security: securitySection.optional(),
  updates: updatesSection.optional(),
  mail: mailSection.optional(),
  connectivity: connectivitySection.optional(),
});
export type Snapshot = z.infer<typeof snapshot>;
