/**
 * Diagnostics on the controller: every snapshot an agent sends is stored (the
 * device's history, kept per device by SnapshotRetention) with the findings the
 * health checks see in it, using the thresholds this controller is configured with.
 */
import {
  finding, fitFinding, runHealthChecks, snapshot as snapshotSchema, worstSeverity, type Finding, type Severity, type Snapshot, type Thresholds, type Language,
} from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import type { JoinPin, SnapshotRetention } from './snapshot-retention.js';
import { z } from 'zod';

export interface StoredSnapshot {
  readonly id: number;
  readonly deviceId: string;
  readonly takenAt: number;
  readonly snapshot: Snapshot;
  readonly findings: Finding[];
}

export interface SnapshotListing {
  readonly id: number;
  readonly takenAt: number;
  readonly worst: Severity | null;
  readonly findingCount: number;
}

export class DiagnosticsStore {
  constructor(
    private readonly db: Db,
    private readonly thresholds: Partial<Thresholds>,
    readonly retention: SnapshotRetention,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs the health checks on a snapshot and stores both; `join` pins it as the device's join
   * snapshot. The device's own history is trimmed in the same transaction: a reader never sees
   * one snapshot more than the device keeps (the history briefly listed N + 1 on a busy machine).
   */
  async record(deviceId: string, snapshot: Snapshot, join: JoinPin | null = null): Promise<StoredSnapshot> {
    const findings = runHealthChecks(snapshot, this.thresholds);
    const row = await this.db.transaction().execute(async (trx) => {
      const stored = await trx
        .insertInto('snapshots')
        .values({ device_id: deviceId, taken_at: snapshot.takenAt, received_at: this.now(), snapshot_json: JSON.stringify(snapshot), findings_json: JSON.stringify(findings), worst: worstSeverity(findings) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const retention = this.retention.within(trx);
      if (join) await retention.pinJoin(deviceId, stored.id, join);
      await retention.prune(deviceId);
      return stored;
    });
    return { id: row.id, deviceId, takenAt: snapshot.takenAt, snapshot, findings };
  }

  /**
   * A stored snapshot with its findings in a reader's language. Findings are stored in
   * English; for another language the (pure, cheap) checks run again on the stored
   * snapshot and each stored finding takes its words from the new run, so ids,
   * severities and the set of findings stay exactly those recorded.
   */
  inLanguage(stored: StoredSnapshot, language: Language): StoredSnapshot {
    if (language === 'en' || stored.findings.length === 0) return stored;
    const translated = new Map(runHealthChecks(stored.snapshot, this.thresholds, language).map((f) => [f.id, f]));
    const findings = stored.findings.map((f) => {
      const words = translated.get(f.id);
      return words ? { ...words, id: f.id, severity: f.severity, ...(f.script !== undefined ? { script: f.script } : {}) } : f;
    });
    return { ...stored, findings };
  }

  async list(deviceId: string, limit = 50): Promise<SnapshotListing[]> {
    const rows = await this.db
      .selectFrom('snapshots')
      .select(['id', 'taken_at', 'worst', 'findings_json'])
      .where('device_id', '=', deviceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, takenAt: r.taken_at, worst: r.worst, findingCount: (JSON.parse(r.findings_json) as unknown[]).length }));
  }

  async get(deviceId: string, id: number): Promise<StoredSnapshot | null> {
    const row = await this.db.selectFrom('snapshots').selectAll().where('device_id', '=', deviceId).where('id', '=', id).executeTakeFirst();
    return row ? parseRow(row) : null;
  }

  async latest(deviceId: string): Promise<StoredSnapshot | null> {
    const row = await this.db.selectFrom('snapshots').selectAll().where('device_id', '=', deviceId).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? parseRow(row) : null;
  }

  /** The worst severity and finding count of each device's latest snapshot. */
  async latestSeverities(): Promise<Map<string, { worst: Severity | null; findingCount: number }>> {
    const rows = await this.db
      .selectFrom('snapshots')
      .select(['device_id', 'worst', 'findings_json'])
      .where('id', 'in', (qb) => qb.selectFrom('snapshots').select((eb) => eb.fn.max('id').as('id')).groupBy('device_id'))
      .execute();
    return new Map(rows.map((r) => [r.device_id, { worst: r.worst, findingCount: (JSON.parse(r.findings_json) as unknown[]).length }]));
  }
}

const findingsSchema = z.array(finding);

function parseRow(row: { id: number; device_id: string; taken_at: number; snapshot_json: string; findings_json: string }): StoredSnapshot {
  return {
    id: row.id,
    deviceId: row.device_id,
    takenAt: row.taken_at,
    snapshot: snapshotSchema.parse(JSON.parse(row.snapshot_json)),
    // Rows stored before findings were cut to fit their fields read back cut, rather than failing.
    findings: findingsSchema.parse((JSON.parse(row.findings_json) as Finding[]).map(fitFinding)),
  };
}
