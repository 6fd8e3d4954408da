/** A device's state in the registry, and the view technicians get of it. */
import type { DeviceSummary, DeviceView, Person, Severity, UnattendedPolicy } from '../../../protocol/index.js';

export interface ManagedFacts {
  name: string;
  group: string;
  tags: string[];
  policy: UnattendedPolicy | null;
  revoked: boolean;
}

export interface DeviceState {
  id: string;
  /** The support session of an attended device; null for a managed one. */
  sessionId: string | null;
  hostname: string;
  technician: Person | null;
  sessionStatus: 'active' | 'ended';
  summary: DeviceSummary | null;
  lastSeen: number;
  connectedAt: number | null;
  worstSeverity: Severity | null;
  /** Undefined until the first snapshot: "not checked yet" is not "no issues". */
  findingCount: number | undefined;
  /** Null for attended devices. */
  managed: ManagedFacts | null;
  /** The person's one line about their problem (attended sessions), null when none. */
  problem?: string | null;
}

export function toView(s: DeviceState): DeviceView {
  const fleet: Partial<DeviceView> = s.managed
    ? { kind: 'managed', name: s.managed.name, group: s.managed.group, tags: s.managed.tags, policy: s.managed.policy, revoked: s.managed.revoked }
    : { kind: 'attended' };
  return {
    id: s.id,
    sessionId: s.sessionId,
    hostname: s.hostname,
    online: s.connectedAt !== null,
    lastSeen: s.lastSeen,
    connectedAt: s.connectedAt,
    technician: s.technician,
    sessionStatus: s.sessionStatus,
    summary: s.summary,
    worstSeverity: s.worstSeverity,
    findingCount: s.findingCount,
    ...(s.problem ? { problem: s.problem } : {}),
    ...fleet,
  };
}

/** The state a view was made from (a cluster node applying another node's change). */
export function fromView(v: DeviceView): DeviceState {
  return {
    id: v.id,
    sessionId: v.sessionId,
    hostname: v.hostname,
    technician: v.technician,
    sessionStatus: v.sessionStatus,
    summary: v.summary,
    lastSeen: v.lastSeen,
    connectedAt: v.connectedAt,
    worstSeverity: v.worstSeverity ?? null,
    findingCount: v.findingCount,
    managed: v.kind === 'managed'
      ? { name: v.name ?? v.hostname, group: v.group ?? '', tags: [...(v.tags ?? [])], policy: v.policy ?? null, revoked: v.revoked === true }
      : null,
    ...(v.problem !== undefined ? { problem: v.problem } : {}),
  };
}
