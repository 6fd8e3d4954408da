/**
 * The helpdesk sections against the real commands of this machine: present and valid,
 * with "absent" (no CUPS, no firewall tool, no mail client) a valid state, never an error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../agent/diagnostics/collect.js';
import { realHost } from '../../agent/diagnostics/probe-host.js';
import { UpdatesProbe } from '../../agent/diagnostics/updates-probe.js';
import { runHealthChecks, snapshot as snapshotSchema, updatesSection, type Snapshot } from '../../protocol/index.js';
import { startController, type RunningController } from '../helpers/controller-process.js';

const has = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('helpdesk sections on this machine', () => {
  let snapshot: Snapshot;
  let controller: RunningController;

  it('every new section is present and valid, and the health checks accept them', async () => {
    controller = await startController();
    try {
      // Generous time limits: this test checks what the probes read, not how fast a busy machine answers (the bench does).
      snapshot = await collectSnapshot({ controllerUrl: controller.url, resolveNames: [], probeTimeLimitMs: 15_000 });
    } finally {
      await controller.stop();
    }
    expect(snapshotSchema.safeParse(snapshot).success).toBe(true);
    for (const probe of ['printers', 'security', 'updates', 'mail', 'connectivity'] as const) {
      expect(snapshot.probes[probe], probe).toMatchObject({ status: 'ok' });
      expect(snapshot[probe], probe).toBeDefined();
    }
    expect(Array.isArray(runHealthChecks(snapshot))).toBe(true);
  }, 60_000);

  it('printers: without lpstat, "no print system" (not an error)', () => {
    if (has('lpstat')) expect(snapshot.printers!.system).toBe('cups');
    else expect(snapshot.printers).toMatchObject({ available: false, system: 'none', printers: [] });
  });

  it('security: lsblk agrees on the root filesystem; the firewall is read or honestly unknown', () => {
    const tree = execFileSync('lsblk', ['-J', '-o', 'NAME,TYPE,MOUNTPOINT'], { encoding: 'utf8' });
    const cryptRoot = /"type":\s*"crypt"/.test(tree);
    const root = snapshot.security!.encryption.volumes.find((v) => v.mount === '/');
    if (root) expect(root.encrypted).toBe(cryptRoot);
    if (!has('ufw') && !has('firewall-cmd') && !has('nft') && !existsSync('/etc/ufw/ufw.conf')) expect(snapshot.security!.firewall.state).toBe('unknown');
  });

  it('connectivity: the controller answered every probe of the series over loopback', () => {
    const c = snapshot.connectivity!.targets.find((t) => t.role === 'controller');
    expect(c).toMatchObject({ host: '127.0.0.1', sent: 10, answered: 10, lossPercent: 0 });
  });

  it('updates: apt history read where it exists; the pending list comes from apt-get -s when waited for', async () => {
    if (existsSync('/var/log/apt/history.log')) expect(snapshot.updates!.lastUpdateSource === 'apt history' || snapshot.updates!.lastUpdateAt === null).toBe(true);
    if (!has('apt-get')) return;
    // The pending list is slow (seconds): the probe waits for it here, started at once and at
    // normal priority (at low priority, a machine this busy with other suites may never give it a turn).
    const host = { ...realHost, run: (file: string, args: readonly string[], timeoutMs: number) => realHost.run(file, args, timeoutMs) };
    const section = await new UpdatesProbe(host, 0).collect(3000, 100_000);
    expect(updatesSection.safeParse(section).success).toBe(true);
    expect(section.pending).toMatchObject({ state: 'ok', source: 'apt-get -s upgrade' });
    const simulated = execFileSync('apt-get', ['-s', '-o', 'Debug::NoLocking=true', 'upgrade'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    expect(section.pending.total).toBe(simulated.split('\n').filter((l) => l.startsWith('Inst ')).length);
  }, 200_000);
});
