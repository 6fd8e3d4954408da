/**
 * The pure parts of a cluster node, on fakes: the node-link handshake (HMAC, window,
 * replay), channel slots, the events' schemas, presence bookkeeping and the node registry's
 * death detection over an in-memory store with a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import { FILE_CHANNEL_BASE, FILE_CHANNEL_END, isFileChannel } from '../../protocol/index.js';
import { CHANNEL_SLOTS, fileChannels, shellChannels, slotOfChannel } from '../../controller/server/cluster/channel-slots.js';
import { readEnvelope, type ClusterEvent } from '../../controller/server/cluster/cluster-events.js';
import { EventBus } from '../../controller/server/cluster/event-bus.js';
import { NODE_AUTH_WINDOW_MS, NODE_HEADERS, NodeAuthenticator, signNodeHandshake } from '../../controller/server/cluster/node-auth.js';
import { NodeRegistry } from '../../controller/server/cluster/node-registry.js';
import { ClusterPresence } from '../../controller/server/cluster/presence.js';
import { quietLog } from '../../controller/server/observability/logger.js';
import { FakeClusterStore } from '../helpers/fake-cluster-store.js';

const SECRET = 'a'.repeat(40);

describe('node link handshake', () => {
  it('accepts a handshake signed with the secret, once; refuses another secret, a replay, a stale clock and malformed headers', () => {
    let now = 1_000_000;
    const check = new NodeAuthenticator(SECRET, () => now);
    const headers = signNodeHandshake(SECRET, 'node-a', now);
    expect(check.verify(headers)).toEqual({ ok: true, nodeId: 'node-a' });
    expect(check.verify(headers)).toEqual({ ok: false, reason: 'replayed' });
    expect(check.verify(signNodeHandshake('b'.repeat(40), 'node-a', now))).toEqual({ ok: false, reason: 'bad-mac' });
    // Another node id under the same MAC is not that node.
    expect(check.verify({ ...signNodeHandshake(SECRET, 'node-a', now), [NODE_HEADERS.node]: 'node-b' })).toEqual({ ok: false, reason: 'bad-mac' });
    expect(check.verify(signNodeHandshake(SECRET, 'node-a', now - NODE_AUTH_WINDOW_MS - 1))).toEqual({ ok: false, reason: 'stale' });
    expect(check.verify(signNodeHandshake(SECRET, 'node-a', now + NODE_AUTH_WINDOW_MS + 1))).toEqual({ ok: false, reason: 'stale' });
    expect(check.verify({})).toEqual({ ok: false, reason: 'missing' });
    expect(check.verify({ ...signNodeHandshake(SECRET, 'node a', now) })).toEqual({ ok: false, reason: 'malformed' });
    expect(check.verify({ ...headers, [NODE_HEADERS.mac]: 'zz' })).toEqual({ ok: false, reason: 'malformed' });
    // Nonces are forgotten once out of the window (the memory stays bounded).
    now += NODE_AUTH_WINDOW_MS * 3;
    expect(check.verify(signNodeHandshake(SECRET, 'node-a', now))).toEqual({ ok: true, nodeId: 'node-a' });
  });

  it('never puts the secret in the headers', () => {
    const headers = signNodeHandshake(SECRET, 'node-a');
    expect(JSON.stringify(headers)).not.toContain(SECRET);
  });
});

describe('channel slots', () => {
  it('gives each slot its own shell and file numbers, file numbers stay file channels, and a number tells its slot', () => {
    for (const slot of [0, 1, 17, CHANNEL_SLOTS - 1]) {
      const shells = shellChannels(slot);
      const files = fileChannels(slot);
      expect(shells.first).toBeGreaterThanOrEqual(1);
      expect(shells.end).toBeLessThanOrEqual(FILE_CHANNEL_BASE);
      expect(isFileChannel(shells.first) || isFileChannel(shells.end - 1)).toBe(false);
      expect(isFileChannel(files.first) && isFileChannel(files.end - 1)).toBe(true);
      expect(files.end).toBeLessThanOrEqual(FILE_CHANNEL_END);
      for (const channel of [shells.first, shells.end - 1, files.first, files.end - 1]) expect(slotOfChannel(channel)).toBe(slot);
    }
    // Neighbouring slots do not overlap.
    expect(shellChannels(1).first).toBe(shellChannels(0).end);
    expect(fileChannels(1).first).toBe(fileChannels(0).end);
    expect(slotOfChannel(0)).toBeNull();
    expect(slotOfChannel(0xf000_0000)).toBeNull();
    expect(() => shellChannels(CHANNEL_SLOTS)).toThrow(RangeError);
  });
});

/** Two nodes' event buses on one in-memory store, started. */
async function twoBuses() {
  const store = new FakeClusterStore();
  const a = new EventBus(store, 'node-a', quietLog);
  const b = new EventBus(store, 'node-b', quietLog);
  await a.start();
  await b.start();
  return { store, a, b };
}

describe('cluster events', () => {
  it('reads valid envelopes and refuses anything else', () => {
    const event: ClusterEvent = { t: 'presence', deviceId: 'dev-1', holder: { node: 'node-a', sessionId: null, since: 5 } };
    expect(readEnvelope(JSON.stringify({ from: 'node-a', event }))).toEqual({ from: 'node-a', event });
    expect(readEnvelope('not json')).toBeNull();
    expect(readEnvelope(JSON.stringify({ from: 'node-a', event: { t: 'presence', deviceId: '../etc', holder: null } }))).toBeNull();
    expect(readEnvelope(JSON.stringify({ from: 'node a', event }))).toBeNull();
    expect(readEnvelope(JSON.stringify({ from: 'node-a', event: { t: 'throttle', name: 'login-address', key: 'k', kind: 'explode' } }))).toBeNull();
    expect(readEnvelope(JSON.stringify({ from: 'node-a', event: { t: 'unknown' } }))).toBeNull();
  });

  it('the bus ignores the node\'s own events and invalid ones, and hands the others over', async () => {
    const { store, a, b } = await twoBuses();
    const heardA: string[] = [];
    const heardB: Array<[string, string]> = [];
    a.on((event) => heardA.push(event.t));
    b.on((event, from) => heardB.push([event.t, from]));
    a.publish({ t: 'job.created', jobId: 'job-1' });
    await store.publish('{"from":"node-a","event":{"t":"nope"}}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(heardA).toEqual([]);
    expect(heardB).toEqual([['job.created', 'node-a']]);
  });
});

describe('cluster events gathered', () => {
  it('the events published in one turn leave in one text and arrive in order; a lone event keeps its own envelope', async () => {
    const { store, a, b } = await twoBuses();
    const heard: string[] = [];
    b.on((event) => heard.push(event.t === 'job.created' ? event.jobId : event.t));
    for (let i = 1; i <= 3; i++) a.publish({ t: 'job.created', jobId: `job-${i}` });
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.published).toHaveLength(1);
    expect(heard).toEqual(['job-1', 'job-2', 'job-3']);
    a.publish({ t: 'job.cancelled', jobId: 'job-1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.published).toHaveLength(2);
    expect(readEnvelope(store.published[1]!)).toEqual({ from: 'node-a', event: { t: 'job.cancelled', jobId: 'job-1' } });
    // A text carrying too many events, or none, is refused.
    const many = Array.from({ length: 501 }, (_, i) => ({ t: 'job.created', jobId: `job-${i}` }));
    expect(readEnvelope(JSON.stringify({ from: 'node-a', events: many }))).toBeNull();
    expect(readEnvelope(JSON.stringify({ from: 'node-a', events: [] }))).toBeNull();
  });
});

describe('presence', () => {
  const make = (store: FakeClusterStore, nodeId: string, published: ClusterEvent[]) => new ClusterPresence(store, { publish: (e) => published.push(e) }, nodeId, quietLog);

  it('keeps who holds what from its own changes and the others\' events; a stale release or an older hold is ignored', async () => {
    const store = new FakeClusterStore();
    const published: ClusterEvent[] = [];
    const a = make(store, 'node-a', published);
    const changes: Array<[string, string | null]> = [];
    a.onChange((deviceId, _before, after) => changes.push([deviceId, after?.node ?? null]));

    a.held('dev-1', { sessionId: null, since: 100 });
    expect(a.holder('dev-1')?.node).toBe('node-a');
    expect(store.presence.get('dev-1')?.node).toBe('node-a');
    expect(published).toEqual([{ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-a', sessionId: null, since: 100 } }]);

    // The agent moved to node B (a later hold): B holds it now.
    a.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-b', sessionId: null, since: 200 } }, 'node-b');
    expect(a.holder('dev-1')?.node).toBe('node-b');
    // A's own late release does nothing: it no longer holds it.
    a.released('dev-1');
    expect(a.holder('dev-1')?.node).toBe('node-b');
    // A release from a node that does not hold it is ignored; a holder event naming another node than its sender too.
    a.apply({ t: 'presence', deviceId: 'dev-1', holder: null }, 'node-c');
    a.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-c', sessionId: null, since: 300 } }, 'node-b');
    expect(a.holder('dev-1')?.node).toBe('node-b');
    a.apply({ t: 'presence', deviceId: 'dev-1', holder: null }, 'node-b');
    expect(a.isOnline('dev-1')).toBe(false);

    // Back on A at 400; B's older hold (300) arriving late does not take it.
    a.held('dev-1', { sessionId: null, since: 400 });
    a.apply({ t: 'presence', deviceId: 'dev-1', holder: { node: 'node-b', sessionId: null, since: 300 } }, 'node-b');
    expect(a.holder('dev-1')?.node).toBe('node-a');
    expect(changes.map(([, node]) => node)).toEqual(['node-a', 'node-b', null, 'node-a']);
  });

  it('catches up with the store when events were missed: devices gone offline, holders changed; its own entries stay', async () => {
    const store = new FakeClusterStore();
    const a = make(store, 'node-a', []);
    a.held('own', { sessionId: null, since: 1 });
    a.apply({ t: 'presence', deviceId: 'left', holder: { node: 'node-b', sessionId: null, since: 1 } }, 'node-b');
    a.apply({ t: 'presence', deviceId: 'moved', holder: { node: 'node-b', sessionId: null, since: 1 } }, 'node-b');
    // What happened while A heard nothing: "left" went offline, "moved" went to C, "new" came on B.
    await store.hold('moved', { node: 'node-c', sessionId: null, since: 5 });
    await store.hold('new', { node: 'node-b', sessionId: null, since: 6 });
    await store.hold('on-dead', { node: 'node-dead', sessionId: null, since: 6 });
    expect(await a.reconcile((node) => node !== 'node-dead')).toEqual(['left']);
    expect(a.holder('moved')?.node).toBe('node-c');
    expect(a.holder('new')?.node).toBe('node-b');
    expect(a.isOnline('on-dead')).toBe(false);
    expect(a.holder('own')?.node).toBe('node-a');
  });

  it('forgets a dead node\'s devices, and loads the live holders from the store', async () => {
    const store = new FakeClusterStore();
    await store.hold('dev-1', { node: 'node-b', sessionId: null, since: 1 });
    await store.hold('dev-2', { node: 'node-dead', sessionId: null, since: 1 });
    const a = make(store, 'node-a', []);
    await a.load((node) => node === 'node-b');
    expect(a.devices()).toEqual(['dev-1']);
    a.nodeDied('node-b');
    expect(a.isOnline('dev-1')).toBe(false);
  });
});

describe('node registry', () => {
  it('takes a slot no live node has, sees nodes join, and declares dead a node that stopped refreshing (its presence removed once)', async () => {
    const store = new FakeClusterStore();
    const deaths: string[] = [];
    const forgotten: string[] = [];
    const registry = (id: string, onDeath: (node: string) => void = () => undefined) =>
      new NodeRegistry(store, id, { ttlMs: 3000, everyMs: 1_000_000, log: quietLog, onDeath, onForgotten: () => forgotten.push(id) });
    const a = registry('node-a', (node) => deaths.push(node));
    const b = registry('node-b');
    await a.announce('http://127.0.0.1:1');
    await b.announce('http://127.0.0.1:2');
    expect(a.slot).not.toBe(b.slot);
    await a.tick();
    expect(a.nodes().sort()).toEqual(['node-a', 'node-b']);
    expect(a.urlOf('node-b')).toBe('http://127.0.0.1:2');
    expect(a.nodeWithSlot(b.slot)).toBe('node-b');
    await store.hold('dev-1', { node: 'node-b', sessionId: null, since: 1 });

    // B stops refreshing; A keeps going.
    store.now += 2000;
    await a.tick();
    store.now += 2000;
    await a.tick();
    expect(deaths).toEqual(['node-b']);
    expect(a.isAlive('node-b')).toBe(false);
    expect(store.presence.has('dev-1')).toBe(false);
    expect(store.nodeSet.has('node-b')).toBe(false);

    // B was only slow: at its next refresh it learns it was forgotten, and says so.
    await b.tick();
    expect(forgotten).toEqual(['node-b']);
    a.stop();
    b.stop();
  });
});
