/** Table types for the query layer. Times are milliseconds since the epoch. */
import type { ColumnType, Generated } from 'kysely';
import type { KnowledgeTables } from '../knowledge/knowledge-tables.js';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  password_hash: string;
  /** Level 1, level 2 or administrator (migration 0019; `technician` before it). */
  role: 'admin' | 'l1' | 'l2';
  created_at: number;
  /** Set when an administrator removed the account; the username stays taken so history stays unambiguous. */
  deleted_at: number | null;
  /** 'fr' | 'en' when the account chose a language in its settings (migration 0010); null otherwise. */
  language: ColumnType<'fr' | 'en' | null, 'fr' | 'en' | null | undefined, 'fr' | 'en' | null>;
}

export interface LoginSessionsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface SupportCodesTable {
  id: string;
  code_hash: string;
  technician_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  session_id: string | null;
  /** The person's one line about their problem, typed on the support page before joining (migration 0013). */
  problem?: string | null;
  problem_at?: number | null;
}

export interface SupportSessionsTable {
  id: string;
  code_id: string;
  technician_id: number;
  device_id: string;
  resume_hash: string;
  status: 'active' | 'ended';
  created_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

export interface DevicesTable {
  id: string;
  kind: 'attended' | 'managed';
  hostname: string;
  summary_json: string | null;
  first_seen: number;
  last_seen: number;
  // Managed devices only (null for attended ones).
  name: string | null;
  group_name: string | null;
  tags_json: string | null;
  /** Ed25519 public key, raw 32 bytes in base64url. */
  public_key: string | null;
  /** The unattended policy as the device last reported it. */
  policy_json: string | null;
  platform: string | null;
  /** The controller origin the device signs challenges for (what it was told at enrollment). */
  controller_origin: string | null;
  enrollment_token_id: string | null;
  enrolled_at: number | null;
  revoked_at: number | null;
  // The device list's index (0008): kept by DeviceIndex from the registry's live state.
  /** Set while the device is connected to this controller; null when offline. */
  connected_at: number | null;
  /** The latest snapshot's worst finding and count; finding_count null until the first snapshot. */
  worst: 'critical' | 'warning' | 'info' | null;
  finding_count: number | null;
  /** The display name folded to lower case: the list's sort key. */
  label: Generated<string>;
  /** Lower-case words the list's text search matches (name, host, group, tags, OS). */
  search: Generated<string>;
}

/** One row per (tag, device): the tag filter is an index lookup on every engine. */
export interface DeviceTagsTable {
  tag: string;
  device_id: string;
}

export interface EnrollmentTokensTable {
  id: string;
  token_hash: string;
  group_name: string;
  created_by: number;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses: Generated<number>;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail_json: string | null;
  ip: string | null;
  /** How many identical events this row stands for: 1, or the repeats coalesced in one window. */
  count: Generated<number>;
  /** For a row of coalesced repeats: the last one (`at` is the first). Null otherwise. */
  last_at: number | null;
}

/** One prune of the audit log, recorded before it deletes anything (see migration 0007). */
export interface AuditPrunesTable {
  audit_id: number;
  before_at: number;
  deleted: number;
  open: number;
}

/** A snapshot kept out of per-device pruning, and why (`reason` + `ref` name the holder). */
export interface SnapshotPinsTable {
  device_id: string;
  reason: 'join' | 'compare' | 'ticket';
  ref: string;
  snapshot_id: number;
  pinned_at: number;
}

export interface SnapshotsTable {
  id: Generated<number>;
  device_id: string;
  taken_at: number;
  received_at: number;
  snapshot_json: string;
  findings_json: string;
  worst: 'critical' | 'warning' | 'info' | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ScriptsTable {
  id: string;
  name: string;
  title: string;
  description: string;
  interpreter: 'sh' | 'bash' | 'powershell' | 'cmd';
  body: string;
  parameters_json: string;
  timeout_seconds: number;
  built_in: number;
  created_at: number;
  updated_at: number;
}

export interface JobsTable {
  id: string;
  script_id: string;
  script_name: string;
  body: string;
  interpreter: 'sh' | 'bash' | 'powershell' | 'cmd';
  params_json: string;
  target_json: string;
  concurrency: number;
  timeout_seconds: number;
  expires_at: number;
  created_by: string;
  created_at: number;
  status: 'running' | 'completed' | 'cancelled' | 'expired';
}

export interface JobRunsTable {
  job_id: string;
  device_id: string;
  /** The device's place in the job's target list: dispatch follows it. */
  position: number;
  status: 'pending' | 'dispatched' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'refused' | 'cancelled' | 'expired' | 'error';
  exit_code: number | null;
  signal: string | null;
  dispatched_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  stdout_bytes: Generated<number>;
  stderr_bytes: Generated<number>;
  stdout_truncated: Generated<number>;
  stderr_truncated: Generated<number>;
  reason: string | null;
}

export interface JobOutputTable {
  job_id: string;
  device_id: string;
  stream: 'stdout' | 'stderr';
  seq: number;
  data: Uint8Array;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  user_id: number;
  created_at: number;
  last_used_at: number | null;
}

/** Wrong passwords for an account, per client address, until its owner has seen them. */
export interface LoginFailuresTable {
  user_id: number;
  /** '' counts the addresses beyond the per-account limit together. */
  address: string;
  count: number;
  first_at: number;
  last_at: number;
}

/** Every table; features with their own folder declare theirs there (knowledge: migration 0017). */
export interface Database extends KnowledgeTables {
  scripts: ScriptsTable;
  jobs: JobsTable;
  job_runs: JobRunsTable;
  job_output: JobOutputTable;
  api_tokens: ApiTokensTable;
  users: UsersTable;
  login_sessions: LoginSessionsTable;
  login_failures: LoginFailuresTable;
  support_codes: SupportCodesTable;
  support_sessions: SupportSessionsTable;
  devices: DevicesTable;
  device_tags: DeviceTagsTable;
  audit_log: AuditLogTable;
  audit_prunes: AuditPrunesTable;
  snapshot_pins: SnapshotPinsTable;
  meta: MetaTable;
  snapshots: SnapshotsTable;
  enrollment_tokens: EnrollmentTokensTable;
  tickets: TicketsTable;
  ticket_status_history: TicketStatusHistoryTable;
  ticket_events: TicketEventsTable;
  ticket_followers: TicketFollowersTable;
  ticket_devices: TicketDevicesTable;
  ticket_words: TicketWordsTable;
  ticket_support_links: TicketSupportLinksTable;
  recordings: RecordingsTable;
  chat_messages: ChatMessagesTable;
  satisfaction_surveys: SatisfactionSurveysTable;
  satisfaction_tokens: SatisfactionTokensTable;
  ticket_figures: TicketFiguresTable;
  ticket_figure_findings: TicketFigureFindingsTable;
  report_sync: ReportSyncTable;
  report_days: ReportDaysTable;
  report_day_counts: ReportDayCountsTable;
}

/** Chat between the technician and the person (0015); see migration-0015-chat.ts. */
export interface ChatMessagesTable {
  id: Generated<number>;
  session_id: string;
  device_id: string;
  at: number;
  side: 'technician' | 'person';
  author: string | null;
  author_name: string | null;
  text: string;
}

// ---- tickets (0011); see migration-0011-tickets.ts ----

export interface TicketsTable {
  id: string;
  number: number;
  title: string;
  description: string;
  requester_name: string;
  requester_phone: string | null;
  requester_email: string | null;
  category: string;
  impact: string;
  urgency: string;
  priority: string;
  status: string;
  waiting_reason: string | null;
  escalation_reason: string | null;
  level: string;
  assignee_id: number | null;
  resolution: string | null;
  solution_type: string | null;
  version: number;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  closed_at: number | null;
  /** The nearest SLA deadline, a sort key only (the clocks are computed from the history); null while paused or stopped. */
  due_at: number | null;
  /** due_at, or a far-future value when null: the queue's keyset order. */
  due_sort: number;
  support_code_id: string | null;
  created_by: string;
  search: string;
}

export interface TicketStatusHistoryTable {
  id: Generated<number>;
  ticket_id: string;
  at: number;
  status: string;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: string;
  at: number;
  kind: string;
  actor: string | null;
  visibility: 'internal' | 'person';
  data_json: string;
}

export interface TicketFollowersTable {
  ticket_id: string;
  user_id: number;
  position: number;
}

/** The words a ticket is found by (protocol/ticket-words.ts), one row per word. */
export interface TicketWordsTable {
  word: string;
  ticket_id: string;
}

export interface TicketDevicesTable {
  ticket_id: string;
  device_id: string;
  position: number;
}

export interface TicketSupportLinksTable {
  code_id: string;
  ticket_id: string;
  created_at: number;
}

/** A relayed shell's recording (migration 0012); the asciicast is the file `file` under the data directory. */
export interface RecordingsTable {
  id: string;
  device_id: string;
  channel: number;
  technician: string;
  session_id: string | null;
  ticket_number: number | null;
  started_at: number;
  ended_at: number | null;
  bytes: number;
  truncated: number;
  state: 'recording' | 'closed' | 'failed' | 'interrupted';
  file: string;
  /** The cluster node writing it (0020); null on a single controller. */
  node_id: string | null;
}

// ---- satisfaction and reports (0018); see migration-0018-satisfaction.ts ----

export interface SatisfactionSurveysTable {
  id: string;
  ticket_id: string;
  ticket_number: number;
  resolved_at: number;
  technician_id: number | null;
  created_at: number;
  expires_at: number;
  language: 'fr' | 'en' | null;
  answered_at: number | null;
  answered_day: string | null;
  rating: number | null;
  not_solved: number;
  comment: string | null;
  via: 'agent' | 'page' | null;
  counted: ColumnType<number, number | undefined, number>;
}

export interface SatisfactionTokensTable {
  token_hash: string;
  survey_id: string;
  purpose: 'mail' | 'page';
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface TicketFiguresTable {
  ticket_id: string;
  version: number;
  created_day: string;
  category: string;
  assignee_id: number | null;
  resolved_day: string | null;
  own_ms: number | null;
  resolve_ms: number | null;
  first_contact: number | null;
  own_breach_at: number | null;
  own_breach_day: string | null;
  resolve_breach_at: number | null;
  resolve_breach_day: string | null;
}

export interface TicketFigureFindingsTable {
  ticket_id: string;
  code: string;
  created_day: string;
  assignee_id: number | null;
}

export interface ReportSyncTable {
  name: string;
  value: number;
}

export interface ReportDaysTable {
  day: string;
  who: number;
  opened: number;
  own_sum: number;
  own_count: number;
  resolved: number;
  resolve_sum: number;
  first_contact: number;
  own_breaches: number;
  resolve_breaches: number;
  rated_1: number;
  rated_2: number;
  rated_3: number;
  rated_4: number;
  rated_5: number;
  not_solved: number;
}

export interface ReportDayCountsTable {
  who: number;
  kind: 'category' | 'finding';
  day: string;
  value: string;
  count: number;
}
