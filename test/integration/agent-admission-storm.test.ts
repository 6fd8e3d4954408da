/**
 * A reconnect storm against a controller whose PostgreSQL pool is tiny (2 connections) while
 * the devices table is write-locked for longer than the pool's 10 s wait: the store's writes
 * (what each device reported, its summary, the audit) time out in the pool queue. The controller
 * must stay up (a timeout is no unhandled rejection), refuse what it cannot take as busy (the
 * agents retry after their backoff), never throttle the agents' shared address for it, and
 * have every agent online once the lock goes. PostgreSQL project only (the pool is PostgreSQL's).
 */
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimAgent } from '../../scripts/bench/fleet-sim-agent.mjs';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollKey } from '../helpers/fleet.js';

const AGENTS = 300;
/** Longer than the pool's wait for a connection (postgres-pool.ts, 10 s). */
const LOCK_MS = 12_000;

describe('agents reconnecting at once while the store is stuck (pool of 2)', () => {
  let controller: RunningController;
  const agents: SimAgent[] = [];
  const refusals = new Map<string, number>();

  beforeAll(async () => {
    controller = await startController({ env: { RELAIS_DATABASE_POOL_SIZE: '2' } });
    const cookie = await login(controller);
    const { token } = await createEnrollmentToken(controller, cookie, { maxUses: AGENTS });
    let next = 0;
    const enrollSome = async () => {
      while (next < AGENTS) {
        const index = next++;
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const hostname = `storm-${index}`;
        const res = await enrollKey(controller, token, publicKey.export({ format: 'jwk' }).x!, { name: hostname, policy: { script: 'allow', shell: 'deny' } });
        if (res.status !== 201) throw new Error(`enrolling ${hostname}: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { deviceId: string; controller: { url: string } };
        agents.push(new SimAgent({ deviceId: body.deviceId, origin: body.controller.url, privateKey, hostname }, {
          wsUrl: controller.url.replace(/^http/, 'ws') + '/ws/agent',
          events: { online: () => {}, offline: () => {}, result: () => {}, acked: () => {}, refused: (_a, code) => void refusals.set(code, (refusals.get(code) ?? 0) + 1) },
        }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, enrollSome));
  }, 180_000);

  afterAll(async () => {
    for (const agent of agents) agent.stop();
    await controller?.stop();
  });

  it('stays up, refuses as busy what it cannot take, throttles nobody, and every agent comes online', async () => {
    const locker = new pg.Client({ connectionString: controller.databaseUrl! });
    await locker.connect();
    try {
      // Reads go on (devices prove who they are), writes to the devices table wait.
      await locker.query('begin');
      await locker.query('lock table devices in exclusive mode');
      for (const agent of agents) agent.start();
      // The pool is stuck once writes wait on the lock; then it stays stuck past the pool's wait.
      await expect.poll(async () => (await locker.query("select count(*)::int as n from pg_locks where not granted")).rows[0].n, { timeout: 60_000, interval: 200 }).toBeGreaterThan(0);
      const stuckAt = Date.now();
      await expect.poll(() => Date.now() - stuckAt >= LOCK_MS, { timeout: LOCK_MS + 5_000, interval: 500 }).toBe(true);
      expect(controller.child.exitCode, controller.logs().slice(-3000)).toBeNull();
      await locker.query('commit');
    } finally {
      await locker.end();
    }
    await expect.poll(() => agents.filter((a) => a.online).length, { timeout: 120_000, interval: 500 }).toBe(AGENTS);
    expect(controller.child.exitCode, controller.logs().slice(-3000)).toBeNull();
    expect(controller.logs()).not.toMatch(/unhandled promise rejection/);
    expect(refusals.get('AUTH_ERR_THROTTLED') ?? 0).toBe(0);
    const live = await fetch(`${controller.url}/api/health/live`);
    expect(live.status).toBe(200);
  }, 240_000);
});
