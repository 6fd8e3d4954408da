/**
 * The snapshot sections for what people call the helpdesk about: printers, security,
 * updates, mail, and a connection that keeps dropping. Every list and string is
 * bounded; "not there" (no printer, no mail client) is a valid state, not an error.
 */
import { z } from 'zod';
import { text } from './fields.js';

const ms = z.number().min(0).max(86_400_000);
const at = z.number().int().min(0).max(1e13);
const count = z.number().int().min(0).max(1_000_000);
const port = z.number().int().min(1).max(65_535);

export const PRINTER_STATES = ['idle', 'printing', 'paused', 'offline', 'error', 'unknown'] as const;

export const printersSection = z.object({
  /** false: no print system on this machine (no CUPS, no spooler), so nothing below applies. */
  available: z.boolean(),
  system: z.enum(['cups', 'windows-spooler', 'none']),
  spooler: z.enum(['running', 'stopped', 'unknown']),
  defaultPrinter: text(128).nullable(),
  printers: z.array(z.object({ name: text(128), state: z.enum(PRINTER_STATES), detail: text(160).nullable(), isDefault: z.boolean() })).max(16),
  /** Jobs not completed, oldest first; `jobCount` counts them all. */
  jobs: z.array(z.object({ id: text(64), printer: text(128), user: text(64), sizeBytes: z.number().min(0).max(2 ** 50).nullable(), submittedAt: at.nullable(), state: text(64) })).max(10),
  jobCount: count,
});
export type PrintersSection = z.infer<typeof printersSection>;

const onOff = z.enum(['on', 'off', 'unknown']);

export const securitySection = z.object({
  firewall: z.object({ state: onOff, tool: text(64).nullable(), profiles: z.array(z.object({ name: text(64), on: z.boolean() })).max(8), detail: text(255).nullable() }),
  /** `reported`: the platform has a registry of antivirus products (Windows Security Center); elsewhere nothing is claimed. */
  antivirus: z.object({ reported: z.boolean(), products: z.array(z.object({ name: text(128), enabled: z.boolean().nullable(), upToDate: z.boolean().nullable() })).max(8) }),
  encryption: z.object({
    state: z.enum(['on', 'off', 'partial', 'unknown']),
    tool: text(64).nullable(),
    volumes: z.array(z.object({ name: text(128), mount: text(255).nullable(), encrypted: z.boolean().nullable() })).max(8),
    detail: text(255).nullable(),
  }),
  remoteTools: z.array(z.object({ name: text(64), running: z.boolean(), installed: z.boolean(), evidence: text(160) })).max(12),
  tempProcesses: z.array(z.object({ pid: z.number().int().min(0), name: text(128), path: text(255) })).max(8),
});
export type SecuritySection = z.infer<typeof securitySection>;

export const updatesSection = z.object({
  rebootPending: z.boolean().nullable(),
  rebootReasons: z.array(text(128)).max(8),
  lastUpdateAt: at.nullable(),
  lastUpdateSource: text(64).nullable(),
  /** Pending updates. Asking the package manager is slow: `checking` means the answer comes in a later snapshot. */
  pending: z.object({
    state: z.enum(['ok', 'checking', 'unavailable', 'failed']),
    source: text(64).nullable(),
    total: count.nullable(),
    security: count.nullable(),
    names: z.array(text(128)).max(20),
    checkedAt: at.nullable(),
    detail: text(255).nullable(),
  }),
});
export type UpdatesSection = z.infer<typeof updatesSection>;

export const mailSection = z.object({
  clients: z.array(z.object({ name: text(64), running: z.boolean() })).max(8),
  /** Servers read from a client's settings, each resolved and connected to (TCP only: nothing is sent). */
  servers: z.array(z.object({
    client: text(64),
    role: z.enum(['incoming', 'outgoing']),
    host: text(255),
    port,
    resolved: z.boolean(),
    reachable: z.boolean().nullable(),
    rttMs: ms.nullable(),
    error: text(255).nullable(),
  })).max(6),
  /** Clients found whose settings Relais cannot read (Outlook, Apple Mail): the technician asks. */
  unreadable: z.array(text(64)).max(8),
});
export type MailSection = z.infer<typeof mailSection>;

export const connectivitySection = z.object({
  intervalMs: ms,
  /** How late the agent's own timers ran during the series (90th percentile): a busy computer adds that much to round trips. */
  localDelayMs: ms.nullable(),
  targets: z.array(z.object({
    role: z.enum(['gateway', 'controller']),
    host: text(255),
    ports: z.array(port).max(4),
    sent: z.number().int().min(0).max(100),
    answered: z.number().int().min(0).max(100),
    lossPercent: z.number().min(0).max(100),
    rttMinMs: ms.nullable(),
    rttAvgMs: ms.nullable(),
    rttMaxMs: ms.nullable(),
    /** Mean difference between consecutive round trips (RFC 3550's idea, unsmoothed). */
    jitterMs: ms.nullable(),
    /** Each probe's round trip in order; null: no answer in time. */
    samples: z.array(ms.nullable()).max(20),
  })).max(2),
});
export type ConnectivitySection = z.infer<typeof connectivitySection>;
