/**
 * What a cluster keeps in Redis, behind one small interface (a fake in unit tests):
 * the live nodes (a key each with a short TTL, refreshed by its node, and a set of their
 * ids), the channel slots they number channels in, which node holds each device
 * (presence: one hash, plus a set per node for its cleanup), and the events channel.
 * Every key starts with `relais:` and the configured prefix.
 */
import { Redis } from 'ioredis';
import { holder as holderSchema, type Holder } from './cluster-events.js';

export interface NodeInfo {
  readonly url: string;
  readonly slot: number;
  readonly startedAt: number;
}

export interface ClusterStore {
  /** Resolves once the store answers; rejects after `timeoutMs` (a node does not start without it). */
  ready(timeoutMs: number): Promise<void>;
  /** Resolves when the store answers now; rejects at once while it is disconnected (readiness). */
  answers(): Promise<void>;
  /** A slot number that `taken` does not refuse, from a counter shared by the nodes. */
  claimSlot(taken: (slot: number) => boolean, slots: number): Promise<number>;
  /** Says the node is alive for `ttlMs` more; true when it had been forgotten (declared dead) meanwhile. */
  heartbeat(nodeId: string, info: NodeInfo, ttlMs: number): Promise<boolean>;
  /** Every node known, with its info while it is alive (null: its key expired, it is dead). */
  nodes(): Promise<Map<string, NodeInfo | null>>;
  /** Forgets a dead node and its presence entries; the devices it held, or null when another node did it first. */
  forgetNode(nodeId: string): Promise<string[] | null>;
  /** Makes `holder.node` the device's holder. */
  hold(deviceId: string, holder: Holder): Promise<void>;
  /** Removes the device's presence if `nodeId` still holds it; true when it did. */
  release(deviceId: string, nodeId: string): Promise<boolean>;
  /** Every device's holder. */
  holders(): Promise<Map<string, Holder>>;
  publish(text: string): Promise<void>;
  /** Hears every event published (its own included) from now on. */
  subscribe(listener: (text: string) => void): Promise<void>;
  close(): Promise<void>;
}

const RELEASE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
if v and cjson.decode(v).node == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0`;

// A leading '+' so that an empty list still says "done here" (Redis turns an empty table into nil).
const FORGET = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return false end
local gone = {'+'}
for _, d in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local v = redis.call('HGET', KEYS[2], d)
  if v and cjson.decode(v).node == ARGV[1] then redis.call('HDEL', KEYS[2], d) table.insert(gone, d) end
end
redis.call('DEL', KEYS[3])
return gone`;

export class RedisClusterStore implements ClusterStore {
  private readonly redis: Redis;
  private subscriber: Redis | null = null;
  private readonly key: (name: string) => string;
  private readonly onError: (err: Error) => void;

  constructor(private readonly url: string, prefix: string, onError: (err: Error) => void) {
    // Commands wait while Redis is away (reconnecting) rather than fail at once.
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null });
    this.redis.on('error', onError);
    this.onError = onError;
    this.key = (name) => `relais:${prefix}${name}`;
  }

  async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${redactRedisUrl(this.url)} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([this.redis.ping(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async answers(): Promise<void> {
    // While reconnecting, a command would wait in ioredis's queue: say so now instead.
    if (this.redis.status !== 'ready') throw new Error(`Redis at ${redactRedisUrl(this.url)} is not connected (${this.redis.status})`);
    await this.redis.ping();
  }

  async claimSlot(taken: (slot: number) => boolean, slots: number): Promise<number> {
    for (let tries = 0; tries < slots; tries++) {
      const slot = (Number(await this.redis.incr(this.key('slots'))) - 1) % slots;
      if (!taken(slot)) return slot;
    }
    throw new Error(`every one of the ${slots} channel slots is taken by a live node`);
  }

  async heartbeat(nodeId: string, info: NodeInfo, ttlMs: number): Promise<boolean> {
    const [, added] = (await this.redis.multi().set(this.key(`node:${nodeId}`), JSON.stringify(info), 'PX', ttlMs).sadd(this.key('nodes'), nodeId).exec()) ?? [];
    return Number(added?.[1]) === 1;
  }

  async nodes(): Promise<Map<string, NodeInfo | null>> {
    const ids = await this.redis.smembers(this.key('nodes'));
    const found = new Map<string, NodeInfo | null>();
    if (ids.length === 0) return found;
    const values = await this.redis.mget(ids.map((id) => this.key(`node:${id}`)));
    ids.forEach((id, i) => found.set(id, parseInfo(values[i] ?? null)));
    return found;
  }

  async forgetNode(nodeId: string): Promise<string[] | null> {
    const result = (await this.redis.eval(FORGET, 3, this.key('nodes'), this.key('presence'), this.key(`presence:${nodeId}`), nodeId)) as string[] | null;
    return result ? result.slice(1) : null;
  }

  async hold(deviceId: string, holder: Holder): Promise<void> {
    await this.redis.multi().hset(this.key('presence'), deviceId, JSON.stringify(holder)).sadd(this.key(`presence:${holder.node}`), deviceId).exec();
  }

  async release(deviceId: string, nodeId: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 2, this.key('presence'), this.key(`presence:${nodeId}`), deviceId, nodeId)) === 1;
  }

  async holders(): Promise<Map<string, Holder>> {
    const all = await this.redis.hgetall(this.key('presence'));
    const found = new Map<string, Holder>();
    for (const [deviceId, text] of Object.entries(all)) {
      const parsed = holderSchema.safeParse(safeJson(text));
      if (parsed.success) found.set(deviceId, parsed.data);
    }
    return found;
  }

  async publish(text: string): Promise<void> {
    await this.redis.publish(this.key('events'), text);
  }

  async subscribe(listener: (text: string) => void): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on('error', this.onError);
    }
    const channel = this.key('events');
    this.subscriber.on('message', (from: string, text: string) => from === channel && listener(text));
    await this.subscriber.subscribe(channel);
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function parseInfo(text: string | null): NodeInfo | null {
  const raw = text === null ? null : (safeJson(text) as Partial<NodeInfo> | null);
  if (!raw || typeof raw.url !== 'string' || typeof raw.slot !== 'number' || typeof raw.startedAt !== 'number') return null;
  return { url: raw.url, slot: raw.slot, startedAt: raw.startedAt };
}
