/** Field schemas shared by several messages. Every string and array is bounded. */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { TEXT_BYTES_PER_CHAR, isPlainText, jsonByteLength } from './text.js';

/** A string refused when it takes more than `max` bytes of JSON; the limit is readable from the schema (worst-case sizes). */
export const withinJsonBytes = <S extends z.ZodString>(schema: S, max: number): S =>
  schema.refine((value) => jsonByteLength(value) <= max, { message: `must be at most ${max} bytes`, params: { maxJsonBytes: max } });

/**
 * Untrusted free text from a peer: at most `maxChars` characters and `maxBytes` bytes of JSON
 * (limits hold in encoded bytes too: what the controller builds from it must fit a message),
 * with nothing FORBIDDEN_TEXT names.
 */
export const text = (maxChars: number, maxBytes = maxChars * TEXT_BYTES_PER_CHAR) =>
  withinJsonBytes(z.string().max(maxChars).refine(isPlainText, 'must not contain control characters, bidirectional overrides or lone surrogates'), maxBytes);

export const channelId = z.number().int().min(1).max(0xffff_ffff);
export const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an identifier');
export const cols = z.number().int().min(1).max(LIMITS.maxCols);
export const rows = z.number().int().min(1).max(LIMITS.maxRows);
export const version = z.number().int().min(0).max(1000);
export const timestamp = z.number().int().min(0);
export const supportCode = z.string().regex(/^\d{9}$/, 'must be 9 digits');
export const token = z.string().min(16).max(256).regex(/^[A-Za-z0-9_-]+$/, 'must be a token');

export const person = z.object({
  username: text(64),
  name: text(128),
});
export type Person = z.infer<typeof person>;

/** What the technician sees at once when an agent joins. */
export const deviceSummary = z.object({
  hostname: text(255),
  user: text(128),
  os: z.object({
    platform: text(32),
    distro: text(128),
    release: text(64),
    kernel: text(128),
    arch: text(32),
  }),
  cpu: z.object({ brand: text(160), cores: z.number().int().min(0).max(4096) }),
  memory: z.object({ totalBytes: z.number().min(0), availableBytes: z.number().min(0) }),
  disks: z
    // availableBytes (absent from older agents): what a user can still write, for df's percent (diskUsePercent).
    .array(z.object({ mount: text(255), fs: text(64), sizeBytes: z.number().min(0), usedBytes: z.number().min(0), availableBytes: z.number().min(0).optional() }))
    .max(64),
  addresses: z.array(z.object({ iface: text(64), address: text(64), family: z.enum(['IPv4', 'IPv6']) })).max(64),
  uptimeSeconds: z.number().min(0),
  agentVersion: text(32),
});
export type DeviceSummary = z.infer<typeof deviceSummary>;

export const shellMode = z.enum(['pty', 'pipes']);
/**
 * How a shell request was answered on the machine: by the person (granted, declined,
 * no answer in time), or by a managed device's local policy without a person
 * (`refused-by-policy`: the policy says deny, or ask with nobody at a terminal).
 */
export const consentDecision = z.enum(['granted', 'declined', 'timeout', 'refused-by-policy']);
export type ConsentDecision = z.infer<typeof consentDecision>;

/** Why a shell ended; shown to the technician. */
export const shellCloseReason = z.enum([
  'exit', // the shell process exited
  'user', // the person at the machine ended it
  'technician', // the technician closed it
  'console-gone', // the technician's browser went away
  'agent-offline', // the agent's connection dropped
  'declined',
  'timeout',
  'spawn-failed',
  'session-ended',
]);
export type ShellCloseReason = z.infer<typeof shellCloseReason>;

export const errorBody = z.object({ code: text(64), message: text(1024), channel: channelId.optional() });
