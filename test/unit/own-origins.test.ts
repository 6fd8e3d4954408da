/** Which Host and Origin headers the controller takes as its own, and where links point (no network: interfaces are a fake). */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientIp, resolveClientIp } from '../../controller/server/http/origin.js';
import { OwnOrigins, type OwnOriginsConfig } from '../../controller/server/http/own-origins.js';

const origins = (config: Partial<OwnOriginsConfig>, port = 8080) =>
  new OwnOrigins({ host: '127.0.0.1', publicUrl: null, allowedHosts: [], tls: false, ...config }, () => port, (ipv6) => ['192.0.2.10', ...(ipv6 ? ['[2001:db8::10]'] : [])]);

describe('OwnOrigins', () => {
  it('answers to the bind address and the localhost names on its port, and nothing else', () => {
    const o = origins({});
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080', '[0:0::1]:8080']) expect(o.ownHost(host), host).not.toBeNull();
    for (const host of ['attacker.example:8080', 'localhost:8081', 'localhost', '127.0.0.1', 'evil@127.0.0.1:8080', '127.0.0.1:8080/x', '', undefined]) {
      expect(o.ownHost(host), String(host)).toBeNull();
    }
    expect(o.needsAnnouncement).toBe(false);
  });

  it('on a wildcard bind, answers to the machine\'s addresses and says so at start', () => {
    const o = origins({ host: '0.0.0.0', allowedHosts: ['help.example.com'] });
    expect(o.needsAnnouncement).toBe(true);
    expect(o.ownHost('192.0.2.10:8080')).toBe('192.0.2.10:8080');
    expect(o.ownHost('[2001:db8::10]:8080')).toBeNull(); // 0.0.0.0 is IPv4 only
    expect(origins({ host: '::' }).ownHost('[2001:db8::10]:8080')).toBe('[2001:db8::10]:8080');
    expect(o.describe()).toContain('192.0.2.10:8080');
    expect(o.describe()).toContain('--allowed-host');
    expect(o.primaryUrl()).toBe('http://127.0.0.1:8080');
    expect(origins({ host: '0.0.0.0', publicUrl: 'https://help.example.com' }).needsAnnouncement).toBe(false);
  });

  it('--allowed-host without a port means our port or the default one; with a port, that one only', () => {
    const o = origins({ allowedHosts: ['help.example.com', '10.0.0.5:9000'] });
    expect(o.ownHost('help.example.com')).toBe('help.example.com');
    expect(o.ownHost('help.example.com:80')).toBe('help.example.com');
    expect(o.ownHost('help.example.com:8080')).toBe('help.example.com:8080');
    expect(o.ownHost('help.example.com:9999')).toBeNull();
    expect(o.ownHost('10.0.0.5:9000')).toBe('10.0.0.5:9000');
    expect(o.ownHost('10.0.0.5:8080')).toBeNull();
  });

  it('an Origin is ours by scheme and accepted host, or by being the public URL, whatever the Host was', () => {
    const o = origins({ publicUrl: 'https://help.example.com' });
    expect(o.isOwnOrigin('http://127.0.0.1:8080')).toBe(true);
    expect(o.isOwnOrigin('http://localhost:8080')).toBe(true);
    expect(o.isOwnOrigin('https://help.example.com')).toBe(true);
    expect(o.isOwnOrigin('https://127.0.0.1:8080')).toBe(false);
    expect(o.isOwnOrigin('http://attacker.example:8080')).toBe(false);
    expect(o.isOwnOrigin('http://127.0.0.1:8080/path')).toBe(false);
    expect(o.isOwnOrigin('null')).toBe(false);
    expect(o.isOwnOrigin(undefined)).toBe(false);
  });

  it('links: the public URL first, else the own name the request came to, never a foreign Host', () => {
    expect(origins({ publicUrl: 'https://help.example.com' }).baseUrl('localhost:8080')).toBe('https://help.example.com');
    const o = origins({ allowedHosts: ['help.example.com'] });
    expect(o.baseUrl('HELP.example.com:8080')).toBe('http://help.example.com:8080');
    expect(o.baseUrl('attacker.example:8080')).toBe('http://127.0.0.1:8080');
    expect(origins({ tls: true }, 443).baseUrl('localhost:443')).toBe('https://localhost');
  });
});

describe('client address', () => {
  const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

  it('is the peer unless --trust-proxy, then the entry the proxy appended last', () => {
    const direct = req('127.0.0.1', '203.0.113.9');
    expect(resolveClientIp(direct, false)).toBe('127.0.0.1');
    expect(clientIp(direct)).toBe('127.0.0.1');
    const proxied = req('127.0.0.1', '1.2.3.4, 203.0.113.9');
    expect(resolveClientIp(proxied, true)).toBe('203.0.113.9');
    expect(clientIp(proxied)).toBe('203.0.113.9');
    expect(resolveClientIp(req('127.0.0.1', 'not-an-address'), true)).toBe('127.0.0.1');
    expect(resolveClientIp(req('127.0.0.1'), true)).toBe('127.0.0.1');
  });
});
