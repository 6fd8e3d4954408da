/**
 * Where websocket frames travel, and whether they need random masks: one rule for the
 * agent's link to its controller and for the links between cluster nodes.
 */

/** localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped address): traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return host.split('.').every((part) => Number(part) <= 255);
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // WHATWG URL normalises ::ffff:127.x.y.z to hex: ::ffff:7fxx:xxxx.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/**
 * Whether our websocket frames need random masks. Masking keeps a browser's script
 * from steering the bytes a clear-text proxy sees (RFC 6455 §10.3); shell output can
 * be steered too, so it stays on for plain ws:// across a network. Inside TLS no
 * intermediary reads the frames, and loopback has none: there a zero mask (which ws
 * skips) saves a copy and a pass over every frame on both ends.
 */
export function framesNeedMasking(wsUrl: string): boolean {
  const url = new URL(wsUrl);
  return !(url.protocol === 'wss:' || isLoopbackHost(url.hostname));
}

/** ws's `generateMask` for a link whose frames need no masking: a zero mask, which ws skips. */
export function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}
