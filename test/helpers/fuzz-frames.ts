/**
 * Hostile frames for the socket fuzz test, from a seeded generator so a failure replays:
 * valid messages with mutated fields (hostile values, deleted keys, prototype keys, wrong
 * types), text one character around each field limit, escaped lone surrogates, frames one
 * byte around the JSON and frame limits, truncated and non-UTF-8 text, and binary frames
 * of any kind and channel, payloads one byte around the chunk limit.
 */
import { FRAME_HEADER_BYTES, LIMITS, PROTOCOL_VERSION, agentToController } from '../../protocol/index.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Frame = string | Buffer;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Field limits of the protocol's text, and the sizes one character either side of each. */
const TEXT_LIMITS = [32, 64, 128, 160, 255, 256, 512, 1024];

export class FrameFuzzer {
  constructor(private readonly random: () => number) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /**
   * One frame built from a valid message: as is (`validShare` of the time: an authenticated
   * socket is closed after a few invalid messages, so most of its frames must be valid to
   * keep it long enough to matter), or mutated in one of many hostile ways.
   */
  mutate(message: Json, otherTypes: readonly string[], validShare = 0.3): Frame {
    if (this.chance(validShare)) return JSON.stringify(message);
    const roll = this.random() * 0.7 + 0.3;
    if (roll < 0.55) return JSON.stringify(this.replaceLeaf(structuredClone(message)));
    if (roll < 0.62) return JSON.stringify(this.deleteKey(structuredClone(message)));
    if (roll < 0.7) return this.prototypeKeys(JSON.stringify(message));
    if (roll < 0.76) return JSON.stringify({ ...(message as object), t: this.pick([...otherTypes, 'x'.repeat(300), '\ud800', '__proto__', '']) });
    if (roll < 0.82) return this.textAroundLimit(structuredClone(message));
    if (roll < 0.86) return this.loneSurrogates(JSON.stringify(message));
    if (roll < 0.9) return JSON.stringify(message).slice(0, this.int(JSON.stringify(message).length));
    if (roll < 0.93) return Buffer.from(Array.from({ length: 1 + this.int(64) }, () => this.int(256))).toString('latin1');
    if (roll < 0.934) return this.sizedFrame(message, LIMITS.maxJsonBytes + this.pick([-1, 0, 1]));
    if (roll < 0.944) return this.swell(message);
    if (roll < 0.9445) return this.sizedFrame(message, LIMITS.maxFrameBytes + this.pick([0, 1]));
    return this.binary();
  }

  /** A binary frame: any kind byte, any channel, payloads short, long, or one byte around the chunk limit. */
  binary(channels: readonly number[] = []): Buffer {
    if (this.chance(0.05)) return Buffer.from(Array.from({ length: this.int(FRAME_HEADER_BYTES) }, () => this.int(256)));
    const size = this.chance(0.02) ? LIMITS.maxChunkBytes + this.pick([-1, 0, 1]) : this.chance(0.1) ? 4 : this.int(200);
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + size, this.int(256));
    frame[0] = this.chance(0.8) ? this.pick([1, 2]) : this.int(256);
    const channel = channels.length > 0 && this.chance(0.6) ? this.pick(channels) : this.pick([0, 1, 2, 7, 8, 255, 65_535, 0xffff_ffff, this.int(2 ** 32)]);
    frame.writeUInt32BE(channel >>> 0, 1);
    return frame;
  }

  /** A well-formed data or ack frame on a channel the socket owns: forwarded or dropped, never a violation. */
  validBinary(channel: number): Buffer {
    const ack = this.chance(0.3);
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + (ack ? 4 : 1 + this.int(100)), 0x41);
    frame[0] = ack ? 2 : 1;
    frame.writeUInt32BE(channel, 1);
    if (ack) frame.writeUInt32BE(this.int(1 << 20), FRAME_HEADER_BYTES);
    return frame;
  }

  hostileValue(): Json {
    return this.pick<Json>([
      '\ud800', '\udfff', 'a\u202eb', '\u2066x\u2069', '\u0000', '\u001b[2J', '\u009b31m', 'é'.repeat(this.pick(TEXT_LIMITS)),
      'x'.repeat(this.pick(TEXT_LIMITS) + this.pick([-1, 0, 1])), '', ' ', '0', 'constructor', '__proto__',
      1e308, -1e308, -1, 0, -0, 0.5, 2 ** 53 + 1, -(2 ** 31), 2 ** 32, 65_536, 4_294_967_296, 1e-320,
      null, true, false, [], {}, [null], { t: 'hello' }, this.nested(this.pick([2, 50, 2000])),
    ]);
  }

  private nested(depth: number): Json {
    let value: Json = 'deep';
    for (let i = 0; i < depth; i++) value = this.chance(0.5) ? [value] : { v: value };
    return value;
  }

  private paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
    if (value === null || typeof value !== 'object') return [prefix];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [prefix, ...entries.flatMap(([key, v]) => this.paths(v, [...prefix, key]))];
  }

  private replaceLeaf(message: Json): Json {
    const path = this.pick(this.paths(message).filter((p) => p.length > 0));
    return path ? this.setAt(message, path, this.hostileValue()) : message;
  }

  private deleteKey(message: Json): Json {
    const path = this.pick(this.paths(message).filter((p) => p.length > 0));
    if (!path) return message;
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], message);
    if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
    else delete parent[path.at(-1)!];
    return message;
  }

  private setAt(message: Json, path: Array<string | number>, value: Json): Json {
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], message);
    parent[path.at(-1)!] = value;
    return message;
  }

  /** `__proto__`, `constructor` and `prototype` keys written into the JSON text, where JSON.parse makes them own keys. */
  private prototypeKeys(json: string): string {
    const key = this.pick(['"__proto__":{"isAdmin":true,"t":"hello"}', '"constructor":{"prototype":{"polluted":1}}', '"prototype":null', '"__proto__":null', '"toString":1', '"hasOwnProperty":"x"']);
    const braces = [...json.matchAll(/\{/g)].map((m) => m.index);
    const at = this.pick(braces) + 1;
    return `${json.slice(0, at)}${key}${json[at] === '}' ? '' : ','}${json.slice(at)}`;
  }

  /** A string field set to one character under, at, or over a field limit, in wide characters. */
  private textAroundLimit(message: Json): string {
    const strings = this.paths(message).filter((p) => p.length > 0 && typeof p.reduce<any>((node, key) => node[key], message) === 'string' && p[0] !== 't');
    if (strings.length === 0) return JSON.stringify(message);
    const length = this.pick(TEXT_LIMITS) + this.pick([-1, 0, 1]);
    return JSON.stringify(this.setAt(message, this.pick(strings), this.pick(['a', 'é', '€', '😀']).repeat(length).slice(0, length)));
  }

  /** Every string value's characters swapped for escaped lone surrogates: 6 bytes of JSON, 1 character. */
  private loneSurrogates(json: string): string {
    // The first value is the type: kept, so the frame reaches that type's schema.
    return stringValues(json, (inner, index) => (index === 0 || inner === '' || this.chance(0.3) ? null : '\\ud800'.repeat(Math.min(inner.length, 255))));
  }

  /**
   * The message at its largest: every array grown to its schema's maximum, every string as
   * many lone surrogates as its field allows (1 character and 6 bytes of JSON each), then as
   * many array elements dropped as it takes to fit under the JSON limit. The frame that
   * stopped the controller (issue 8 point 0) was a device.summary like this.
   */
  private swell(message: Json): string {
    const type = (message as { t?: string }).t;
    const schema = agentToController.options.find((o) => o.shape.t.value === type);
    if (!schema) return JSON.stringify(message);
    const arrays: Json[][] = [];
    const grown = swollen(structuredClone(message), schema, arrays);
    let excess = Buffer.byteLength(JSON.stringify(grown)) - LIMITS.maxJsonBytes;
    const sizes = new Map(arrays.map((a) => [a, a.length > 0 ? JSON.stringify(a[0]).length + 1 : 0]));
    // Largest elements first; the last one dropped is the smallest that ends the excess, so the frame ends just under the limit.
    while (excess > 0) {
      const candidates = arrays.filter((a) => a.length > 1).sort((a, b) => sizes.get(a)! - sizes.get(b)!);
      const chosen = candidates.find((a) => sizes.get(a)! >= excess) ?? candidates.at(-1);
      if (!chosen) break;
      chosen.pop();
      excess -= sizes.get(chosen)!;
    }
    return JSON.stringify(grown);
  }

  /** The message padded (in an unknown key, which the schema strips) to exactly `bytes` bytes. */
  private sizedFrame(message: Json, bytes: number): string {
    const base = JSON.stringify({ ...(message as object), pad: '' });
    return `${base.slice(0, -2)}${'p'.repeat(Math.max(0, bytes - base.length))}"}`;
  }
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  checks?: Array<{ _zod: { def: { check: string; maximum?: number } } }>;
}
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;

/** A value grown to its schema's limits: arrays to their maximum, strings to their maximum in lone surrogates. */
function swollen(value: Json, schema: unknown, arrays: Json[][]): Json {
  const def = defOf(schema);
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return swollen(value, def.innerType, arrays);
  if (def.type === 'string' && typeof value === 'string') return '\ud800'.repeat(Math.min((schema as { maxLength: number | null }).maxLength ?? 255, 1024));
  if (def.type === 'array' && Array.isArray(value) && value.length > 0) {
    const max = Math.min(...(def.checks ?? []).filter((c) => c._zod.def.check === 'max_length').map((c) => c._zod.def.maximum!), 256);
    while (value.length < max) value.push(structuredClone(value[0]!));
    const grown = value.map((item) => swollen(item, def.element, arrays));
    arrays.push(grown);
    return grown;
  }
  if (def.type === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, field] of Object.entries(def.shape ?? {})) if (key !== 't' && key in value) value[key] = swollen(value[key]!, field, arrays);
  }
  return value;
}

/** Rewrites the string values (not the keys) of a JSON text; `change` returns the new escaped content, or null to keep it. */
function stringValues(json: string, change: (inner: string, index: number) => string | null): string {
  let index = 0;
  // Every string token in order, so a closing quote is never taken for an opening one.
  return json.replace(/"((?:[^"\\]|\\.)*)"(\s*:)?/g, (whole, inner: string, colon?: string) => (colon ? whole : `"${change(inner, index++) ?? inner}"`));
}

/** Valid messages an attended agent sends, to be mutated; `channel` is one the controller opened, when there is one. */
export function agentCorpus(channel: number): Json[] {
  const summary = {
    hostname: 'fuzz-pc', user: 'bob', os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' }, cpu: { brand: 'CPU', cores: 4 },
    memory: { totalBytes: 8e9, availableBytes: 4e9 }, disks: [{ mount: '/', fs: 'ext4', sizeBytes: 1e11, usedBytes: 5e10 }],
    addresses: [{ iface: 'eth0', address: '10.0.0.2', family: 'IPv4' }], uptimeSeconds: 99, agentVersion: '0.1.0',
  };
  const snapshot = {
    takenAt: 1, durationMs: 2, probes: { storage: { status: 'ok', durationMs: 1 }, dns: { status: 'error', durationMs: 1, error: 'no' } },
    storage: { disks: [], filesystems: [{ fs: '/dev/sda', type: 'ext4', mount: '/', sizeBytes: 100, usedBytes: 95, availableBytes: 5, usePercent: 95 }] },
  };
  return [
    { t: 'device.summary', summary },
    { t: 'shell.consent', channel, decision: 'granted' },
    { t: 'shell.opened', channel, mode: 'pty', user: 'bob', shell: '/bin/sh' },
    { t: 'shell.closed', channel, reason: 'exit', exitCode: 0 },
    { t: 'diagnostics.snapshot', requestId: null, snapshot },
    { t: 'job.started', jobId: 'j1', startedAt: 1 },
    { t: 'job.output', jobId: 'j1', stream: 'stdout', seq: 0, data: 'aGk=' },
    { t: 'job.result', jobId: 'j1', status: 'succeeded', exitCode: 0, signal: null, startedAt: 1, finishedAt: 2, stdoutBytes: 2, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: 0, reason: null },
    { t: 'error', code: 'PROTO_ERR_BAD_JSON', message: 'bad' },
    { t: 'auth.response', signature: `${'S'.repeat(85)}A` },
    { t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'resume', token: 'A'.repeat(43) }, agent: { version: '1', platform: 'linux', arch: 'x64', hostname: 'h' } },
  ];
}

/** Valid messages a console sends, to be mutated; device ids are the fuzz agents' own. */
export function consoleCorpus(deviceId: string, channel: number): Json[] {
  return [
    { t: 'shell.open', requestId: 'r1', deviceId, cols: 80, rows: 24 },
    { t: 'shell.resize', channel, cols: LIMITS.maxCols, rows: LIMITS.maxRows },
    { t: 'shell.close', channel },
    { t: 'diagnostics.refresh', requestId: 'd1', deviceId },
    { t: 'job.watch', jobId: 'j1' },
    { t: 'job.unwatch', jobId: 'j1' },
    { t: 'hello', v: PROTOCOL_VERSION, role: 'console' },
  ];
}

export const AGENT_TYPES = agentCorpus(1).map((m) => (m as { t: string }).t);
export const CONSOLE_TYPES = consoleCorpus('d', 1).map((m) => (m as { t: string }).t);
