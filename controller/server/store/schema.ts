/** Table types for the query layer. Times are milliseconds since the epoch. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  name: string;
  password_hash: string;
  role: 'admin' | 'technician';
  created_at: number;
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
  kind: 'attended';
  hostname: string;
  summary_json: string | null;
  first_seen: number;
  last_seen: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail_json: string | null;
  ip: string | null;
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

export interface Database {
  users: UsersTable;
  login_sessions: LoginSessionsTable;
  support_codes: SupportCodesTable;
  support_sessions: SupportSessionsTable;
  devices: DevicesTable;
  audit_log: AuditLogTable;
  meta: MetaTable;
  snapshots: SnapshotsTable;
}
