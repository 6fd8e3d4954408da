/**
 * A cluster node that finds a device held by no node writes it offline in the shared list
 * index only over the connection it knew: an agent that reconnected to another node wrote a
 * newer connection time first, and the sweep of a slower node must not undo it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceIndex } from '../../controller/server/devices/device-index.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';

let store: TempStore;
beforeEach(async () => {
  store = await openTempStore();
  await addDevice(store.db, 'dev-1');
});
afterEach(() => store.close());

const connectedAt = async () => (await store.db.selectFrom('devices').select('connected_at').where('id', '=', 'dev-1').executeTakeFirstOrThrow()).connected_at;
const connect = (at: number) => store.db.updateTable('devices').set({ connected_at: at }).where('id', '=', 'dev-1').execute();

describe('offline over a known connection', () => {
  it('writes the device offline when the store still shows the connection this node knew', async () => {
    await connect(1_000);
    await new DeviceIndex(store.db).offlineIfStill('dev-1', 1_000, 5_000);
    expect(await connectedAt()).toBeNull();
  });

  it('leaves a newer connection, written by the node the agent moved to, as it is', async () => {
    await connect(1_000);
    await connect(4_000); // the agent reconnected to another node
    await new DeviceIndex(store.db).offlineIfStill('dev-1', 1_000, 5_000);
    expect(Number(await connectedAt())).toBe(4_000);
  });
});

describe('a cluster node starting', () => {
  const online = async (id: string) => (await store.db.selectFrom('devices').select('connected_at').where('id', '=', id).executeTakeFirstOrThrow()).connected_at;
  const connectDevice = (id: string, at: number) => store.db.updateTable('devices').set({ connected_at: at }).where('id', '=', id).execute();

  it('clears only the devices no live node holds, asks who holds what after reading, and never a connection newer than its start', async () => {
    for (const id of ['held', 'orphan', 'moving', 'late']) await addDevice(store.db, id);
    await connectDevice('held', 1_000); // another node holds it
    await connectDevice('orphan', 1_000); // the node that held it is dead
    await connectDevice('moving', 1_000); // reconnects to another node while this one starts
    await connectDevice('late', 9_000); // connected to another node after this one started
    let asked = 0;
    await new DeviceIndex(store.db).resetOnline(async () => {
      asked += 1;
      // Between the read and the writes, 'moving' lands on another node (a newer connection).
      await connectDevice('moving', 8_500);
      return new Set(['held']);
    }, 8_000);
    expect(asked).toBe(1);
    expect(Number(await online('held'))).toBe(1_000);
    expect(await online('orphan')).toBeNull();
    expect(Number(await online('moving'))).toBe(8_500);
    expect(Number(await online('late'))).toBe(9_000);
  });

  it('alone (no cluster), clears every connection', async () => {
    await connect(1_000);
    await new DeviceIndex(store.db).resetOnline();
    expect(await connectedAt()).toBeNull();
  });
});

describe('a device going offline on the node it left', () => {
  const facts = (connectedAt: number | null) => ({ id: 'dev-1', name: null, hostname: 'dev-1', group: null, tags: [], os: null, connectedAt, lastSeen: 10_000, worst: null, findingCount: null });

  it('writes it offline when the store still shows the connection this node wrote', async () => {
    const index = new DeviceIndex(store.db);
    index.save(facts(1_000));
    await index.flush();
    expect(Number(await connectedAt())).toBe(1_000);
    index.save(facts(null));
    await index.flush();
    expect(await connectedAt()).toBeNull();
  });

  it('keeps the newer connection another node wrote before this offline write committed', async () => {
    const index = new DeviceIndex(store.db);
    index.save(facts(1_000));
    await index.flush();
    await connect(3_000); // the agent reconnected to another node, which wrote its connection first
    index.save(facts(null));
    await index.flush();
    expect(Number(await connectedAt())).toBe(3_000);
    // What else changed is written all the same.
    expect(Number((await store.db.selectFrom('devices').select('last_seen').where('id', '=', 'dev-1').executeTakeFirstOrThrow()).last_seen)).toBe(10_000);
  });
});

describe('the node holding a device, repairing the list', () => {
  it('writes online again, with its connection, a device the list shows offline; leaves one online as it is', async () => {
    await addDevice(store.db, 'dev-2');
    await store.db.updateTable('devices').set({ connected_at: 7_000 }).where('id', '=', 'dev-2').execute();
    const index = new DeviceIndex(store.db);
    expect(await index.onlineIfOffline(new Map([['dev-1', 5_000], ['dev-2', 6_000]]))).toBe(1);
    expect(Number(await connectedAt())).toBe(5_000);
    const other = await store.db.selectFrom('devices').select('connected_at').where('id', '=', 'dev-2').executeTakeFirstOrThrow();
    expect(Number(other.connected_at)).toBe(7_000);
    expect(await index.onlineIfOffline(new Map([['dev-1', 5_000]]))).toBe(0);
  });
});

