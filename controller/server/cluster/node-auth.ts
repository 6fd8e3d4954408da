/**
 * How one node proves to another that it holds the cluster secret when it opens a node
 * link (/ws/node): HMAC-SHA256 over its node id, a timestamp and a random nonce, sent in
 * upgrade headers. The receiver checks the timestamp window, refuses a nonce seen in that
 * window (a replayed handshake), and compares in constant time. The secret never travels.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const NODE_HEADERS = { node: 'x-relais-node', at: 'x-relais-node-at', nonce: 'x-relais-node-nonce', mac: 'x-relais-node-mac' } as const;

/** How far a handshake's clock may be from ours (either way). */
export const NODE_AUTH_WINDOW_MS = 30_000;

const NODE_ID = /^[A-Za-z0-9._:@-]{1,64}$/;
const NONCE = /^[0-9a-f]{32}$/;
const MAC = /^[0-9a-f]{64}$/;

function mac(secret: string, nodeId: string, at: number, nonce: string): string {
  return createHmac('sha256', secret).update(`relais-node-link\n${nodeId}\n${at}\n${nonce}`).digest('hex');
}

/** The headers a node sends to open a link as `nodeId`. */
export function signNodeHandshake(secret: string, nodeId: string, now = Date.now()): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return { [NODE_HEADERS.node]: nodeId, [NODE_HEADERS.at]: String(now), [NODE_HEADERS.nonce]: nonce, [NODE_HEADERS.mac]: mac(secret, nodeId, now, nonce) };
}

export type NodeAuthResult = { ok: true; nodeId: string } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'replayed' | 'bad-mac' };

/** Checks handshakes; remembers the nonces of its window so that none is accepted twice. */
export class NodeAuthenticator {
  private readonly seen = new Map<string, number>();

  constructor(private readonly secret: string, private readonly now: () => number = Date.now) {}

  verify(headers: Record<string, string | string[] | undefined>): NodeAuthResult {
    const one = (name: string) => {
      const value = headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const nodeId = one(NODE_HEADERS.node);
    const atText = one(NODE_HEADERS.at);
    const nonce = one(NODE_HEADERS.nonce);
    const given = one(NODE_HEADERS.mac);
    if (nodeId === undefined || atText === undefined || nonce === undefined || given === undefined) return { ok: false, reason: 'missing' };
    if (!NODE_ID.test(nodeId) || !/^\d{1,16}$/.test(atText) || !NONCE.test(nonce) || !MAC.test(given)) return { ok: false, reason: 'malformed' };
    const at = Number(atText);
    const now = this.now();
    if (Math.abs(now - at) > NODE_AUTH_WINDOW_MS) return { ok: false, reason: 'stale' };
    const expected = Buffer.from(mac(this.secret, nodeId, at, nonce), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return { ok: false, reason: 'bad-mac' };
    this.forgetOld(now);
    if (this.seen.has(nonce)) return { ok: false, reason: 'replayed' };
    this.seen.set(nonce, at);
    return { ok: true, nodeId };
  }

  private forgetOld(now: number): void {
    for (const [nonce, at] of this.seen) if (Math.abs(now - at) > NODE_AUTH_WINDOW_MS) this.seen.delete(nonce);
  }
}
