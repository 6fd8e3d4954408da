/** Where the controller is reached from, and whether a request's Origin is our own. */
import type { IncomingMessage } from 'node:http';

/** The origin the request was addressed to (scheme + Host header). */
export function requestOrigin(req: IncomingMessage, tls: boolean): string | null {
  const host = req.headers.host;
  if (!host || !/^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host)) return null;
  return `${tls ? 'https' : 'http'}://${host}`;
}

/** True when the Origin header names this controller (the address used, or the configured public URL). */
export function isOwnOrigin(req: IncomingMessage, tls: boolean, publicUrl: string | null): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  return origin === requestOrigin(req, tls) || (publicUrl !== null && origin === publicUrl);
}

/** The base URL to put in links shown to people. */
export function baseUrl(req: IncomingMessage, tls: boolean, publicUrl: string | null): string {
  return publicUrl ?? requestOrigin(req, tls) ?? 'http://127.0.0.1';
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
