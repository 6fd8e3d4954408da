/**
 * A node killed with -9 cannot say its devices went offline: the nodes left do, over an
 * in-memory cluster store (three real Cluster objects, one fake device list on the node
 * watched). Every device it showed online that no node holds goes offline, also one whose
 * presence event that node missed; a device that moved to a live node stays online, also
 * one whose new connection that node heard of before the presence event saying who holds it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../controller/server/cluster/cluster.js';
import { syncDevices } from '../../controller/server/cluster/device-sync.js';
import type { DeviceRegistry } from '../../controller/server/devices/devices.js';
import type { DiagnosticsStore } from '../../controller/server/diagnostics/diagnostics.js';
import { quietLog } from '../../controller/server/observability/logger.js';
import type { DeviceView } from '../../protocol/index.js';
import { FakeClusterStore } from '../helpers/fake-cluster-store.js';

const opened: Cluster[] = [];
afterEach(async () => {
  for (const cluster of opened.splice(0)) await cluster.close();
});

async function node(store: FakeClusterStore, nodeId: string, port: number): Promise<Cluster> {
  const cluster = await Cluster.open({ redisUrl: 'redis://127.0.0.1:1', redisPrefix: 'unit', secret: 's'.repeat(40), nodeId, log: quietLog, store });
  await cluster.announce(`http://127.0.0.1:${port}`);
  opened.push(cluster);
  return cluster;
}

/** What DeviceRegistry parts syncDevices uses: which devices show online, and the changes consoles would hear. */
function deviceList(online: string[]) {
  const shown = new Set(online);
  const offline: string[] = [];
  const devices = {
    onLocalChange: () => () => undefined,
    onDiagnostics: () => () => undefined,
    onlineSince: () => [...shown].map((id) => [id, 1]),
    isOnline: (id: string) => shown.has(id),
    heldByNone: (id: string, known: number) => {
      expect(known).toBe(1);
      shown.delete(id);
      offline.push(id);
    },
    applyRemote: (view: DeviceView) => void (view.online ? shown.add(view.id) : shown.delete(view.id)),
    removedRemote: () => undefined,
    diagnosedRemote: () => undefined,
  };
  return { shown, offline, devices: devices as unknown as DeviceRegistry };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a dead node\'s devices on the nodes left', () => {
  it('go offline, also one whose presence event was missed; one that moved to a live node stays online', async () => {
    const store = new FakeClusterStore();
    const a = await node(store, 'node-a', 1);
    const b = await node(store, 'node-b', 2);
    const c = await node(store, 'node-c', 3);
    for (const known of [a, b]) await known.registry.tick();
    expect(a.registry.isAlive('node-c')).toBe(true);
    const list = deviceList(['dev-1', 'dev-2', 'dev-3', 'dev-4']);
    syncDevices(a, { devices: list.devices, diagnostics: {} as DiagnosticsStore, log: quietLog });

    // C holds dev-1 and dev-2 (A hears it); dev-3's hold on C was written but its event never reached A.
    c.presence.held('dev-1', { sessionId: null, since: 1 });
    c.presence.held('dev-2', { sessionId: null, since: 1 });
    await store.hold('dev-3', { node: 'node-c', sessionId: null, since: 1 });
    // dev-2's agent moved to B before C died.
    b.presence.held('dev-2', { sessionId: null, since: 2 });
    await settle();
    // dev-4 reconnected to B: A shows its connection (B's device event), but B's presence event
    // has not reached A yet; Redis already says B holds it (written before any event).
    await store.hold('dev-4', { node: 'node-b', sessionId: null, since: 3 });
    expect(a.presence.isOnline('dev-4')).toBe(false);
    expect(a.presence.holder('dev-1')?.node).toBe('node-c');
    expect(a.presence.holder('dev-2')?.node).toBe('node-b');
    expect(a.presence.isOnline('dev-3')).toBe(false);

    // C is killed (no goodbye): its key expires, A notices.
    c.registry.stop();
    opened.splice(opened.indexOf(c), 1);
    store.now += 10_000;
    await b.registry.tick();
    await a.registry.tick();
    expect(a.registry.isAlive('node-c')).toBe(false);
    await expect.poll(() => list.offline.length).toBe(2);
    await settle();
    expect(list.offline.sort()).toEqual(['dev-1', 'dev-3']);
    expect([...list.shown].sort()).toEqual(['dev-2', 'dev-4']);
  });
});
