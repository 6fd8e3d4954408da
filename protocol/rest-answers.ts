/**
 * The REST API's answers, one schema per route, shared by the three sides: the
 * controller types what it sends with them, the web UI and the `relais` CLI
 * validate what they receive against them (nothing is taken on trust with a cast).
 * Fleet routes are in rest-fleet-answers.ts. The README's REST table describes them.
 */
import { z } from 'zod';
import { deviceFacets, devicePage, deviceView } from './devices.js';
import { SEVERITIES, finding } from './findings.js';
import { id, person, supportCode, text, timestamp } from './fields.js';
import { LANGUAGES } from './i18n/language.js';
import { snapshot } from './snapshot.js';
import { technicianRole } from './ticket-model.js';

const count = z.number().int().min(0);
/** An address the controller builds from its own origin (links, commands): never control characters. */
const address = text(1024);

/** An account's role: level 1 technician, level 2 technician, administrator (the same as it acts with on tickets). */
export const role = technicianRole;
export const ROLES = role.options;
export type Role = z.infer<typeof role>;
/**
 * A role as the users API and the `relais` CLI take it: `technician`, the only technician
 * role before level 2 existed (migration 0019), is still accepted and means `l1`.
 */
export const roleInput = z.enum([...ROLES, 'technician']).transform((r): Role => (r === 'technician' ? 'l1' : r));

/** Why a field of a request body was refused, in terms a form can put in its own words. */
export const FIELD_REASONS = ['required', 'tooShort', 'tooLong', 'tooManyBytes', 'tooSmall', 'tooLarge', 'tooMany', 'format', 'notOneOf', 'invalid'] as const;
export const fieldReason = z.enum(FIELD_REASONS);
export type FieldReason = z.infer<typeof fieldReason>;
/** The field a refusal is about: its path in the body (`parameters.0.name`), why, and the limit that applies. */
export const fieldProblem = z.object({ path: text(256), reason: fieldReason, limit: z.number().optional() });
export type FieldProblem = z.infer<typeof fieldProblem>;

/** Every refusal: `{"error": {"code", "message"}}` with the catalog's code; a body that failed its schema also names the `field`. */
export const errorAnswer = z.object({ error: z.object({ code: text(64), message: text(1024), field: fieldProblem.optional() }) });

/** Wrong passwords tried for your account from one address (null: several others), not yet shown to you. */
export const failedLogin = z.object({ address: z.string().max(64).nullable(), count: z.number().int().min(1), firstAt: timestamp, lastAt: timestamp });
export type FailedLogin = z.infer<typeof failedLogin>;

export const me = z.object({
  user: person,
  role,
  organization: text(128),
  controllerUrl: address,
  version: text(32),
  /** At most MAX_FAILED_LOGIN_ADDRESSES addresses, plus one line for the others. */
  failedLogins: z.array(failedLogin).max(64),
  /** The language the UI speaks to this account: its choice, else --lang, else its browser's (absent from controllers before issue 13). */
  language: z.enum(LANGUAGES).optional(),
  /** The language the account chose in its settings; null: none (follow the browser, then --lang). */
  languageChoice: z.enum(LANGUAGES).nullable().optional(),
});
export type Me = z.infer<typeof me>;

export const newSupportLink = z.object({ id, code: supportCode, codeDisplay: text(16), url: address, command: address, expiresAt: timestamp });
export type NewSupportLink = z.infer<typeof newSupportLink>;

export const SUPPORT_LINK_STATUSES = ['waiting', 'joined', 'expired'] as const;
export const supportLinkView = z.object({
  id,
  createdAt: timestamp,
  expiresAt: timestamp,
  status: z.enum(SUPPORT_LINK_STATUSES),
  technician: person,
  deviceId: id.nullable(),
});
export type SupportLinkView = z.infer<typeof supportLinkView>;
export type SupportLinkStatus = SupportLinkView['status'];

/** A technician account as administrators see it. */
export const accountView = z.object({ id: z.number().int().min(1), username: text(64), name: text(128), role, createdAt: timestamp });
export type AccountView = z.infer<typeof accountView>;

const snapshotId = z.number().int().min(1);

/** One stored diagnostics snapshot with the findings the controller's thresholds gave it. */
export const storedSnapshot = z.object({ id: snapshotId, deviceId: id, takenAt: timestamp, snapshot, findings: z.array(finding).max(200) });
export type StoredSnapshot = z.infer<typeof storedSnapshot>;

/** A line of a device's diagnostics history. */
export const snapshotListing = z.object({ id: snapshotId, takenAt: timestamp, worst: z.enum(SEVERITIES).nullable(), findingCount: count });
export type SnapshotListing = z.infer<typeof snapshotListing>;

const factChange = z.object({ fact: text(512), before: text(1024).nullable(), after: text(1024).nullable() });
const findings = z.array(finding).max(200);

/** Two snapshots compared: what changed, which findings were fixed, appeared or remain. */
export const snapshotComparison = z.object({
  before: z.object({ id: snapshotId, takenAt: timestamp }),
  after: z.object({ id: snapshotId, takenAt: timestamp }),
  changes: z.array(factChange).max(1000),
  fixed: findings,
  appeared: findings,
  remaining: findings,
});
export type SnapshotComparisonAnswer = z.infer<typeof snapshotComparison>;

/** Every action the audit log records (the controller's AuditAction is this list). */
export const AUDIT_ACTIONS = [
  'login.ok', 'login.failed', 'logout', 'link.created',
  'agent.joined', 'agent.resumed', 'agent.refused', 'agent.disconnected',
  'consent.asked', 'consent.answered', 'shell.opened', 'shell.closed', 'session.ended',
  'enrollment-token.created', 'enrollment-token.revoked', 'enrollment.refused',
  'device.enrolled', 'device.connected', 'device.revoked',
  'script.created', 'script.updated', 'script.deleted', 'job.created', 'job.cancelled', 'job.refused',
  'api-token.created', 'api-token.deleted', 'user.created', 'user.updated', 'user.deleted', 'password.changed',
  'audit.pruned', 'audit.exported',
  'ticket.created', 'ticket.updated', 'ticket.action', 'ticket.note', 'ticket.linked', 'ticket.findings',
  'recording.failed', 'recording.downloaded', 'recordings.purged',
  'shell.detached', 'shell.attached', 'chat.sent', 'agent.downloaded',
  // Two technicians on one shell (shell-sharing.ts): watching, and asking for the keyboard (asked, granted, refused, withdrawn).
  'shell.observe', 'shell.takeover',
  'survey.answered', 'ticket.reopened-by-person', 'survey.link-issued',
  'kb.article.created', 'kb.article.updated', 'kb.article.deleted', 'kb.fix.run',
  // file transfers (protocol/file-transfer.ts): one entry each when it ends, whatever the outcome
  'file.send', 'file.fetch',
  // cluster nodes (controller/server/cluster): a node link whose handshake did not prove the cluster secret
  'node.refused',
] as const;
export type AuditActionName = (typeof AUDIT_ACTIONS)[number];

export const auditEntry = z.object({
  id: z.number().int(),
  at: timestamp,
  actor: z.string().max(256),
  action: z.string().max(64),
  target: z.string().max(256).nullable(),
  detail: z.unknown(),
  ip: z.string().max(64).nullable(),
  /** Identical events this entry stands for (repeats coalesced from `at` to `lastAt`). */
  count: z.number().int().min(1),
  lastAt: timestamp.nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntry>;

/**
 * The audit log's query string (GET /api/audit and its export): `actor` and `action`
 * exact, `target` the entry's target or a value its detail names (a device id, say),
 * `from`/`to` milliseconds (from inclusive, to exclusive), `q` words found anywhere
 * (case-insensitive, every word). Newest first; `before` is the id the previous page ended on.
 */
export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.coerce.number().int().min(1).optional(),
    actor: text(64).optional(),
    action: z.string().max(64).regex(/^[a-z0-9.-]+$/, 'must be an action name').optional(),
    target: text(256).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    q: text(200).optional(),
  })
  .strict();
export type AuditQuery = z.output<typeof auditQuery>;
export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
/** GET /api/audit/export: the same filters (no paging), and the file's format. */
export const auditExportQuery = auditQuery.omit({ limit: true, before: true }).extend({ format: z.enum(AUDIT_EXPORT_FORMATS) }).strict();
export type AuditExportQuery = z.output<typeof auditExportQuery>;

/** Why a node answers "not ready" (GET /api/health/ready). */
export const NOT_READY_REASONS = ['shutting-down', 'database-unavailable', 'database-slow', 'migrations-pending', 'redis-unavailable'] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

/** The answers of the session, device, diagnostics, account and audit routes, by route. */
export const restAnswers = {
  /** GET /api/health (public). `time` lets agents measure their clock skew. */
  health: z.object({ ok: z.literal(true), version: text(32), time: timestamp }),
  /** GET /api/health/live (public): the process is up and answering. */
  live: z.object({ ok: z.literal(true) }),
  /** GET /api/health/ready (public): 200 ready, 503 with the reason this node should not receive traffic. */
  ready: z.discriminatedUnion('ready', [
    z.object({ ready: z.literal(true) }),
    z.object({ ready: z.literal(false), reason: z.enum(NOT_READY_REASONS) }),
  ]),
  /** POST /api/login. */
  login: z.object({ user: person }),
  /** GET /api/me. */
  me,
  /** PUT /api/me/language. */
  meLanguage: z.object({ language: z.enum(LANGUAGES), languageChoice: z.enum(LANGUAGES).nullable() }),
  /** POST /api/support-links: the code is only shown here. */
  supportLinkCreated: newSupportLink,
  /** GET /api/support-links. */
  supportLinks: z.object({ links: z.array(supportLinkView).max(10_000) }),
  /** GET /api/devices: one page of the list (filters and cursor in the query). */
  devices: devicePage,
  /** GET /api/devices/facets: groups and tags in use, bounded. */
  deviceFacets,
  /** GET /api/devices/:id. */
  device: z.object({ device: deviceView }),
  /** GET /api/devices/:id/snapshots. */
  snapshots: z.object({ snapshots: z.array(snapshotListing).max(1000) }),
  /** GET /api/devices/:id/snapshots/latest. */
  latestSnapshot: z.object({ snapshot: storedSnapshot.nullable() }),
  /** GET /api/devices/:id/snapshots/:snapshotId. */
  snapshot: z.object({ snapshot: storedSnapshot }),
  /** GET /api/devices/:id/compare. */
  comparison: snapshotComparison,
  /** GET /api/users (administrators). */
  users: z.object({ users: z.array(accountView).max(10_000) }),
  /** POST and PATCH /api/users(/:id) (administrators). */
  user: z.object({ user: accountView }),
  /** GET /api/audit. */
  audit: z.object({
    entries: z.array(auditEntry).max(10_000),
    /** The `before` of the next (older) page; null when this page reached the oldest entry. Absent from older controllers. */
    nextBefore: z.number().int().min(1).nullable().optional(),
  }),
  /** Any refusal. */
  error: errorAnswer,
};
