/**
 * Per-device snapshot retention (issue 8, point 2): a busy device never erases a
 * quiet one's history, the number kept is the operator's, and pinned snapshots
 * (join, a technician's comparison, a ticket later) are never pruned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticsStore } from '../../controller/server/diagnostics/diagnostics.js';
import { SnapshotRetention } from '../../controller/server/diagnostics/snapshot-retention.js';
import type { Snapshot } from '../../protocol/index.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';

const snap = (takenAt: number): Snapshot => ({ takenAt, durationMs: 5, probes: {} });

let store: TempStore;
beforeEach(async () => {
  store = await openTempStore();
  await addDevice(store.db, 'quiet');
  await addDevice(store.db, 'busy');
});
afterEach(() => store.close());

const ids = async (diagnostics: DiagnosticsStore, deviceId: string) => (await diagnostics.list(deviceId, 1000)).map((s) => s.id);

describe('snapshot retention per device', () => {
  it('a busy device recording hundreds of snapshots leaves a quiet device its whole history (default 200 each)', async () => {
    const diagnostics = new DiagnosticsStore(store.db, {}, new SnapshotRetention(store.db, 200));
    const first = await diagnostics.record('quiet', snap(1));
    for (let i = 0; i < 300; i++) await diagnostics.record('busy', snap(10 + i));
    const second = await diagnostics.record('quiet', snap(2));
    expect(await ids(diagnostics, 'quiet')).toEqual([second.id, first.id]);
    expect(await diagnostics.get('quiet', first.id)).not.toBeNull();
    const busy = await ids(diagnostics, 'busy');
    expect(busy).toHaveLength(200);
    expect(Math.min(...busy)).toBe(first.id + 101);
  });

  it('keeps the configured number per device, plus the join snapshot and each technician\'s latest comparison', async () => {
    const retention = new SnapshotRetention(store.db, 3);
    const diagnostics = new DiagnosticsStore(store.db, {}, retention);
    const join = await diagnostics.record('quiet', snap(1), 'first-of-session');
    const before = await diagnostics.record('quiet', snap(2), 'first-of-session');
    const after = await diagnostics.record('quiet', snap(3));
    await retention.pinComparison('quiet', 'sam', before.id, after.id);
    const made = [];
    for (let i = 0; i < 6; i++) made.push(await diagnostics.record('quiet', snap(10 + i)));
    const kept = await ids(diagnostics, 'quiet');
    // The last 3, then the comparison's two and the join (only the session's first snapshot is its join).
    expect(kept).toEqual([...made.slice(-3).map((s) => s.id).reverse(), after.id, before.id, join.id]);
    expect(await diagnostics.get('quiet', made[0]!.id)).toBeNull();

    // A newer comparison by the same technician releases the older pair; another technician's pins stay.
    await retention.pinComparison('quiet', 'alex', after.id, made[5]!.id);
    await retention.pinComparison('quiet', 'sam', made[4]!.id, made[5]!.id);
    await diagnostics.record('quiet', snap(20));
    expect(await diagnostics.get('quiet', before.id)).toBeNull();
    expect(await diagnostics.get('quiet', after.id)).not.toBeNull();
    expect(await diagnostics.get('quiet', join.id)).not.toBeNull();
  });

  it('a managed device keeps the first snapshot of its latest connection; a ticket can pin and release one', async () => {
    const retention = new SnapshotRetention(store.db, 2);
    const diagnostics = new DiagnosticsStore(store.db, {}, retention);
    const firstConnection = await diagnostics.record('busy', snap(1), 'first-of-connection');
    const ticketed = await diagnostics.record('busy', snap(2));
    await retention.pin('busy', 'ticket', 'T-17', ticketed.id);
    const secondConnection = await diagnostics.record('busy', snap(3), 'first-of-connection');
    for (let i = 0; i < 4; i++) await diagnostics.record('busy', snap(10 + i));
    expect(await retention.pinned('busy')).toEqual(expect.arrayContaining([ticketed.id, secondConnection.id]));
    expect(await diagnostics.get('busy', firstConnection.id)).toBeNull();
    expect(await diagnostics.get('busy', secondConnection.id)).not.toBeNull();
    expect(await diagnostics.get('busy', ticketed.id)).not.toBeNull();
    await retention.unpin('busy', 'ticket', 'T-17');
    await diagnostics.record('busy', snap(30));
    expect(await diagnostics.get('busy', ticketed.id)).toBeNull();
  });
});
