/**
 * Who may read /metrics. On the main port: only a caller with the metrics token
 * (--metrics-token), kept in memory as its SHA-256 hash (the configuration holds no
 * other form of it) and compared in constant time. On the separate metrics address
 * (--metrics-listen) no token is asked: that address is the protection, so it only
 * answers a Host that no other site can make a browser send (an IP address,
 * localhost, or a name given with --allowed-host): a web page that re-points its own
 * name at that address (DNS rebinding) is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The SHA-256 of a token, hex: what the configuration keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when the Authorization header carries the token whose hash is `tokenHash`. */
export function bearerMatches(authorization: string | undefined, tokenHash: string): boolean {
  const match = /^Bearer +(\S{1,1024})\s*$/i.exec(authorization ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '', 'utf8').digest();
  // Both sides are 32-byte digests: the comparison takes as long whatever was sent.
  return timingSafeEqual(given, Buffer.from(tokenHash, 'hex')) && match !== null;
}

/** The name part of a Host header (`[::1]:9464` → `::1`, `Example.org:9464` → `example.org`). */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Whether the separate metrics address answers this Host: an IP literal, localhost, or an --allowed-host name. */
export function metricsHostAllowed(host: string | undefined, allowedHosts: readonly string[]): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (isIP(name) !== 0 || name === 'localhost') return true;
  return allowedHosts.some((allowed) => hostName(allowed) === name);
}
