/** The snapshot on this Linux machine agrees with the OS's own tools, and a bad probe never hangs a snapshot. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../agent/diagnostics/collect.js';
import { runProbes } from '../../agent/diagnostics/probe-runner.js';
import { snapshot as snapshotSchema, type Snapshot } from '../../protocol/index.js';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

describe('probe runner', () => {
  // Deliberately broken probes: the real probes cannot be made to hang on demand.
  it('a probe that hangs or throws yields a partial result within its time limit', async () => {
    const started = performance.now();
    const { values, outcomes } = await runProbes(
      {
        cpu: () => new Promise(() => undefined),
        memory: async () => {
          throw new Error('permission denied');
        },
        os: async () => ({ fine: true }),
      },
      { cpu: 300 },
      1000,
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(900);
    expect(outcomes.cpu).toMatchObject({ status: 'timeout', error: 'no answer within 300 ms' });
    expect(outcomes.cpu!.durationMs).toBeGreaterThanOrEqual(290);
    expect(outcomes.memory).toMatchObject({ status: 'error', error: 'permission denied' });
    expect(outcomes.os).toMatchObject({ status: 'ok' });
    expect(values).toEqual({ os: { fine: true } });
  });
});

describe('snapshot on this machine', () => {
  let snapshot: Snapshot;

  it('collects every probe and passes the schema', async () => {
    snapshot = await collectSnapshot({ controllerUrl: null, resolveNames: ['localhost'] });
    expect(snapshotSchema.safeParse(snapshot).success).toBe(true);
    for (const probe of ['system', 'cpu', 'memory', 'storage', 'os', 'network', 'dns', 'battery', 'processes'] as const) {
      expect(snapshot.probes[probe], probe).toMatchObject({ status: 'ok' });
    }
  }, 20_000);

  it('memory total agrees with /proc/meminfo', () => {
    const kb = Number(/MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(snapshot.memory!.totalBytes).toBe(kb * 1024);
  });

  it('logical CPUs agree with nproc', () => {
    expect(snapshot.cpu!.logicalCores).toBe(Number(sh('nproc', ['--all'])));
  });

  it("the root filesystem's size agrees with df", () => {
    const size = Number(sh('df', ['-B1', '--output=size', '/']).split('\n').pop());
    const root = snapshot.storage!.filesystems.find((f) => f.mount === '/');
    expect(root).toBeDefined();
    // Both read statfs; df rounds to its block size.
    expect(Math.abs(root!.sizeBytes - size)).toBeLessThan(1024 * 1024);
    // Free space moves while tests write files: agree within 256 MB.
    const available = Number(sh('df', ['-B1', '--output=avail', '/']).split('\n').pop());
    expect(Math.abs(root!.availableBytes - available)).toBeLessThan(256 * 1024 * 1024);
  });

  it('the default gateway agrees with ip route (where one exists)', () => {
    const route = sh('ip', ['route', 'show', 'default']);
    const gateway = /default via (\S+)/.exec(route)?.[1] ?? null;
    expect(snapshot.network!.gateway).toBe(gateway);
  });

  it('the hostname agrees with hostname', () => {
    expect(snapshot.os!.hostname).toBe(sh('hostname', []));
  });

  it('the system resolver answers for localhost', () => {
    expect(snapshot.dns!.lookups[0]).toMatchObject({ name: 'localhost', ok: true });
  });
});
