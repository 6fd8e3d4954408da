/**
 * Open recordings at a start-up: a single controller marks every one interrupted (its last
 * run left them); a cluster node only its own, since the others' are being written now,
 * and a dead node's when it is found dead. A node that was thought dead but closes its
 * recording still has the last word.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { RecordingStore } from '../../controller/server/recordings/recording-store.js';
import { ShellRecorder } from '../../controller/server/recordings/shell-recorder.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';

let store: TempStore;
beforeEach(async () => {
  store = await openTempStore();
  await addDevice(store.db, 'dev-1');
});
afterEach(() => store.close());

const open = (recordings: RecordingStore, id: string, startedAt = 1_000) =>
  recordings.insert({ id, deviceId: 'dev-1', channel: 1, technician: 'lea', sessionId: null, ticketNumber: null, startedAt });
const stateOf = async (id: string) => (await store.db.selectFrom('recordings').select(['state', 'bytes', 'node_id']).where('id', '=', id).executeTakeFirstOrThrow());

describe('recordings left open', () => {
  it('a single controller marks every open recording interrupted, with what reached its file', async () => {
    const recordings = new RecordingStore(store.db, store.dir, new AuditLog(store.db));
    await open(recordings, 'rec-a');
    writeFileSync(recordings.pathOf({ id: 'rec-a' }), '{"version":2}\n[0.1,"o","x"]\n');
    expect(await recordings.markInterrupted()).toEqual([expect.objectContaining({ id: 'rec-a', deviceId: 'dev-1', channel: 1, technician: 'lea', bytes: 28 })]);
    expect(await stateOf('rec-a')).toEqual({ state: 'interrupted', bytes: 28, node_id: null });
  });

  it('a cluster node marks only its own, and a dead node’s when it is found dead', async () => {
    const nodeA = new RecordingStore(store.db, store.dir, new AuditLog(store.db), 'node-a');
    const nodeB = new RecordingStore(store.db, store.dir, new AuditLog(store.db), 'node-b');
    await open(nodeA, 'rec-a');
    await open(nodeB, 'rec-b');
    // Node B restarts: node A's shell is still being recorded.
    expect((await nodeB.markInterrupted()).map((r) => r.id)).toEqual(['rec-b']);
    expect((await stateOf('rec-a')).state).toBe('recording');
    expect(await stateOf('rec-b')).toMatchObject({ state: 'interrupted', node_id: 'node-b' });
    // Node A is found dead by node B.
    expect((await nodeB.nodeDied('node-a')).map((r) => r.id)).toEqual(['rec-a']);
    expect(await stateOf('rec-a')).toMatchObject({ state: 'interrupted', bytes: 0, node_id: 'node-a' });
  });

  it('the end of a shell a dead run left open is told: one shell.closed audit entry, and "shell closed" on its ticket', async () => {
    const recordings = new RecordingStore(store.db, store.dir, new AuditLog(store.db));
    await recordings.insert({ id: 'rec-t', deviceId: 'dev-1', channel: 7, technician: 'lea', sessionId: 'sess-1', ticketNumber: 1001, startedAt: 1_000 });
    await open(recordings, 'rec-u');
    const notes: Array<Record<string, unknown>> = [];
    const events: Array<[string, string, string | null, Record<string, unknown>]> = [];
    const recorder = new ShellRecorder({
      enabled: true, store: recordings, maxBytes: 1e6, language: null,
      audit: { note: (entry: Record<string, unknown>) => void notes.push(entry) } as unknown as AuditLog,
      timeline: { sessionEvent: async (sessionId, kind, actor, data) => (events.push([sessionId, kind, actor, data]), 1001) },
    });
    await recorder.interrupted(await recordings.markInterrupted());
    expect(notes).toEqual([
      expect.objectContaining({ actor: 'lea', action: 'shell.closed', target: 'dev-1', detail: expect.objectContaining({ channel: 7, reason: 'agent-offline', recordingId: 'rec-t', interrupted: true }) }),
      expect.objectContaining({ actor: 'lea', action: 'shell.closed', detail: expect.objectContaining({ recordingId: 'rec-u' }) }),
    ]);
    // Only the shell of a session linked to a ticket has a timeline to close.
    expect(events).toEqual([['sess-1', 'shell_closed', 'lea', expect.objectContaining({ deviceId: 'dev-1', channel: 7, reason: 'agent-offline', recordingId: 'rec-t' })]]);
    // A second start finds nothing left to tell.
    expect(await recordings.markInterrupted()).toEqual([]);
  });

  it('a node thought dead that still closes its recording has the last word', async () => {
    const nodeA = new RecordingStore(store.db, store.dir, new AuditLog(store.db), 'node-a');
    const nodeB = new RecordingStore(store.db, store.dir, new AuditLog(store.db), 'node-b');
    await open(nodeA, 'rec-a');
    await nodeB.nodeDied('node-a');
    await nodeA.finish('rec-a', { endedAt: 5_000, bytes: 4096, truncated: false, state: 'closed' });
    expect(await stateOf('rec-a')).toMatchObject({ state: 'closed', bytes: 4096 });
  });
});
