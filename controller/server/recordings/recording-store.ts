/**
 * Where recordings live: a row per relayed shell (migration 0012) and its asciicast file
 * under `<data dir>/recordings/`. Lists are keyset-paged, newest first; retention removes
 * file and row together, audited as `recordings.purged`.
 */
import { mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordingQuery, RecordingView } from '../../../protocol/rest-recording-answers.js';
import type { AuditLog } from '../audit/audit.js';
import type { Db } from '../store/database.js';
import type { RecordingsTable } from '../store/schema.js';

/** Rows removed per retention run, so one run never holds the database for long; the next run takes the rest. */
const PURGE_BATCH = 500;
export const RECORDINGS_FOLDER = 'recordings';

export interface NewRecording {
  readonly id: string;
  readonly deviceId: string;
  readonly channel: number;
  readonly technician: string;
  readonly sessionId: string | null;
  readonly ticketNumber: number | null;
  readonly startedAt: number;
}

export interface RecordingEnd {
  readonly endedAt: number;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly state: 'closed' | 'failed';
}

function viewOf(row: RecordingsTable): RecordingView {
  return {
    id: row.id, deviceId: row.device_id, channel: row.channel, technician: row.technician, sessionId: row.session_id, ticketNumber: row.ticket_number,
    startedAt: row.started_at, endedAt: row.ended_at, bytes: row.bytes, truncated: row.truncated === 1, state: row.state,
  };
}

/** `<startedAt>_<id>`: the keyset of the newest-first order, as a URL-safe cursor. */
function cursorOf(row: { started_at: number; id: string }): string {
  return `${row.started_at}_${row.id}`;
}

function readCursor(cursor: string): { startedAt: number; id: string } | null {
  const m = /^([0-9]{1,15})_([A-Za-z0-9_-]{1,64})$/.exec(cursor);
  return m ? { startedAt: Number(m[1]), id: m[2]! } : null;
}

/** A shell whose recording a dead run left open: what is known of it, to tell its end. */
export interface InterruptedRecording extends NewRecording {
  readonly endedAt: number;
  readonly bytes: number;
}

export class RecordingStore {
  readonly folder: string;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly audit: AuditLog,
    /** This cluster node's id; null on a single controller, where every open recording is this process's. */
    private readonly nodeId: string | null = null,
  ) {
    this.folder = join(dataDir, RECORDINGS_FOLDER);
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
  }

  /** The file a new recording is written to, and its path as stored (relative to the data directory). */
  fileFor(id: string): { path: string; stored: string } {
    const stored = `${RECORDINGS_FOLDER}/${id}.cast`;
    return { path: join(this.dataDir, stored), stored };
  }

  pathOf(recording: { id: string }): string {
    return this.fileFor(recording.id).path;
  }

  async insert(recording: NewRecording): Promise<void> {
    await this.db
      .insertInto('recordings')
      .values({
        id: recording.id, device_id: recording.deviceId, channel: recording.channel, technician: recording.technician, session_id: recording.sessionId,
        ticket_number: recording.ticketNumber, started_at: recording.startedAt, ended_at: null, bytes: 0, truncated: 0, state: 'recording',
        file: this.fileFor(recording.id).stored, node_id: this.nodeId,
      })
      .execute();
  }

  async finish(id: string, end: RecordingEnd): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ ended_at: end.endedAt, bytes: end.bytes, truncated: end.truncated ? 1 : 0, state: end.state })
      .where('id', '=', id)
      .execute();
  }

  /**
   * At start-up: recordings the last run never closed (it was killed) are `interrupted`,
   * with the size and time of what reached the file. On a cluster node, only this node's:
   * the others' are being written now.
   */
  async markInterrupted(): Promise<InterruptedRecording[]> {
    return this.interrupt(this.nodeId);
  }

  /** A cluster node died: the recordings it was writing end as `interrupted` (their files stay in its folder). */
  async nodeDied(nodeId: string): Promise<InterruptedRecording[]> {
    return this.interrupt(nodeId);
  }

  private async interrupt(nodeId: string | null): Promise<InterruptedRecording[]> {
    let query = this.db.selectFrom('recordings').select(['id', 'started_at', 'device_id', 'channel', 'technician', 'session_id', 'ticket_number']).where('state', '=', 'recording');
    if (nodeId !== null) query = query.where('node_id', '=', nodeId);
    const open = await query.execute();
    const ended: InterruptedRecording[] = [];
    for (const row of open) {
      // Another node's file is not in this folder: its end is when it started, its size unknown here.
      const file = nodeId === this.nodeId ? await stat(this.pathOf(row)).catch(() => null) : null;
      const end = { bytes: file?.size ?? 0, endedAt: file ? Math.max(row.started_at, Math.floor(file.mtimeMs)) : row.started_at };
      const updated = await this.db
        .updateTable('recordings')
        .set({ state: 'interrupted', bytes: end.bytes, ended_at: end.endedAt })
        .where('id', '=', row.id)
        .where('state', '=', 'recording')
        .executeTakeFirst();
      // Another node may have ended it meanwhile: only the one that did tells its end.
      if (Number(updated.numUpdatedRows) !== 1) continue;
      ended.push({
        id: row.id, deviceId: row.device_id, channel: row.channel, technician: row.technician, sessionId: row.session_id,
        ticketNumber: row.ticket_number, startedAt: row.started_at, ...end,
      });
    }
    return ended;
  }

  async get(id: string): Promise<RecordingView | null> {
    const row = await this.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? viewOf(row) : null;
  }

  /** One page, newest first; `nextCursor` null on the last. */
  async list(query: RecordingQuery): Promise<{ recordings: RecordingView[]; nextCursor: string | null }> {
    let select = this.db.selectFrom('recordings').selectAll();
    if (query.deviceId !== undefined) select = select.where('device_id', '=', query.deviceId);
    if (query.ticket !== undefined) select = select.where('ticket_number', '=', query.ticket);
    const after = query.cursor === undefined ? null : readCursor(query.cursor);
    if (after) {
      select = select.where((eb) => eb.or([eb('started_at', '<', after.startedAt), eb.and([eb('started_at', '=', after.startedAt), eb('id', '<', after.id)])]));
    }
    const rows = await select.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return { recordings: shown.map(viewOf), nextCursor: rows.length > query.limit && last ? cursorOf(last) : null };
  }

  /** Removes recordings started before `before` that are not being written (file, then row); audited once per run. */
  async purgeOlderThan(before: number, retentionDays: number): Promise<number> {
    const old = await this.db
      .selectFrom('recordings')
      .select(['id', 'device_id'])
      .where('started_at', '<', before)
      .where('state', '!=', 'recording')
      .orderBy('started_at')
      .limit(PURGE_BATCH)
      .execute();
    if (old.length === 0) return 0;
    for (const row of old) await rm(this.pathOf(row), { force: true });
    await this.db.deleteFrom('recordings').where('id', 'in', old.map((r) => r.id)).execute();
    this.audit.note({ actor: 'system', action: 'recordings.purged', detail: { before, retentionDays, deleted: old.length, ids: old.slice(0, 50).map((r) => r.id) } });
    return old.length;
  }
}
