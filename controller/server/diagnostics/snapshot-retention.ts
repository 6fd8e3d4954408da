/**
 * What each device keeps of its snapshot history: its own last N, never a global
 * count (a busy device must not erase a quiet one's history), plus every pinned
 * snapshot — the one taken at join, each technician's latest comparison, and
 * whatever a later feature (tickets) pins through `pin`.
 */
import type { Db } from '../store/database.js';
import type { SnapshotPinsTable } from '../store/schema.js';

export type PinReason = SnapshotPinsTable['reason'];

/** How a snapshot pins the device's join: the first of a support session stays; a managed device keeps its latest connection's first. */
export type JoinPin = 'first-of-session' | 'first-of-connection';

export class SnapshotRetention {
  constructor(
    private readonly db: Db,
    /** Unpinned snapshots kept per device. */
    readonly perDevice: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The same rules inside a transaction of the caller's (a snapshot stored and its history trimmed at once). */
  within(trx: Db): SnapshotRetention {
    return new SnapshotRetention(trx, this.perDevice, this.now);
  }

  /** Pins a snapshot for (reason, ref), replacing what that holder pinned before. */
  async pin(deviceId: string, reason: PinReason, ref: string, snapshotId: number): Promise<void> {
    await this.db
      .insertInto('snapshot_pins')
      .values({ device_id: deviceId, reason, ref, snapshot_id: snapshotId, pinned_at: this.now() })
      .onConflict((oc) => oc.columns(['device_id', 'reason', 'ref']).doUpdateSet({ snapshot_id: snapshotId, pinned_at: this.now() }))
      .execute();
  }

  /** Releases what (reason, ref) pinned; the snapshot is pruned later if nothing else holds it. */
  async unpin(deviceId: string, reason: PinReason, ref: string): Promise<void> {
    await this.db.deleteFrom('snapshot_pins').where('device_id', '=', deviceId).where('reason', '=', reason).where('ref', '=', ref).execute();
  }

  async pinJoin(deviceId: string, snapshotId: number, mode: JoinPin): Promise<void> {
    if (mode === 'first-of-connection') return this.pin(deviceId, 'join', '', snapshotId);
    await this.db
      .insertInto('snapshot_pins')
      .values({ device_id: deviceId, reason: 'join', ref: '', snapshot_id: snapshotId, pinned_at: this.now() })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** A technician's comparison stays readable: their latest one per device is pinned (before and after). */
  async pinComparison(deviceId: string, technician: string, beforeId: number, afterId: number): Promise<void> {
    await this.pin(deviceId, 'compare', `before:${technician}`, beforeId);
    await this.pin(deviceId, 'compare', `after:${technician}`, afterId);
  }

  /** Ids of the device's pinned snapshots. */
  async pinned(deviceId: string): Promise<number[]> {
    const rows = await this.db.selectFrom('snapshot_pins').select('snapshot_id').distinct().where('device_id', '=', deviceId).execute();
    return rows.map((r) => r.snapshot_id);
  }

  /** Deletes the device's snapshots beyond its last `perDevice`, except pinned ones; returns how many went. */
  async prune(deviceId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('snapshots')
      .where('device_id', '=', deviceId)
      .where('id', 'not in', (qb) => qb.selectFrom('snapshots').select('id').where('device_id', '=', deviceId).orderBy('id', 'desc').limit(this.perDevice))
      .where('id', 'not in', (qb) => qb.selectFrom('snapshot_pins').select('snapshot_id').where('device_id', '=', deviceId))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
