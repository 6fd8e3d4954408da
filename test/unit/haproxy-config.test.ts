/**
 * The HAProxy configuration the cluster tests and bench run (scripts/cluster/cluster.mjs) is
 * one HAProxy accepts, and the README shows the same one: every directive of it, bar the
 * addresses, is in the README's "The balancer: HAProxy" block.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAPROXY_PATH, haproxyConfig } from '../../scripts/cluster/cluster.mjs';
import { repoRoot } from '../helpers/paths.js';
import { hasTool } from '../helpers/system-tools.js';

const config = haproxyConfig({ port: 18080, statsPort: 18404, nodes: [{ id: 'node1', port: 18081 }, { id: 'node2', port: 18082 }] });

/** Directive lines without comments; addresses (bind, server, the check's Host) differ on purpose. */
function directives(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && !/^(bind|server) /.test(line) && !line.startsWith('http-check send'));
}

describe('the cluster HAProxy configuration', () => {
  it.skipIf(!hasTool('haproxy'))(`is accepted by haproxy -c (${HAPROXY_PATH})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'relais-haproxy-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      writeFileSync(file, config);
      expect(() => execFileSync(HAPROXY_PATH, ['-c', '-q', '-f', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps websockets open, checks readiness with the public host, and is the one the README shows', () => {
    expect(config).toMatch(/timeout tunnel 1h/);
    expect(config).toMatch(/http-check send meth GET uri \/api\/health\/ready ver HTTP\/1\.1 hdr Host 127\.0\.0\.1:18080/);
    expect(config).toMatch(/server node1 127\.0\.0\.1:18081 check/);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The balancer: HAProxy'), readme.indexOf('### The balancer: nginx'));
    const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(directives(block)).toEqual(directives(config));
  });
});
