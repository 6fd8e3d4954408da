/**
 * Where a request comes from: the peer's address, or behind a trusted reverse
 * proxy the address it appended to X-Forwarded-For. Resolved once per request by
 * the gate (guards.ts, upgrade.ts), so every throttle and audit line agrees.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const resolved = new WeakMap<IncomingMessage, string>();

/**
 * The client address. With `trustProxy`, the last X-Forwarded-For entry: the one our
 * proxy wrote (entries before it are whatever the client claimed). Without it, or when
 * that entry is not an address, the socket's peer.
 */
export function resolveClientIp(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  let address = peer;
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').pop()?.trim() ?? '';
    if (isIP(last)) address = last;
  }
  resolved.set(req, address);
  return address;
}

export function clientIp(req: IncomingMessage): string {
  return resolved.get(req) ?? req.socket.remoteAddress ?? 'unknown';
}
