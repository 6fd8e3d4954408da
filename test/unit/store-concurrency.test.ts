/**
 * Read-modify-write under concurrency. SQLite has one writer at a time; PostgreSQL runs
 * transactions side by side (several connections, several controller nodes), so each
 * decision that reads then writes is locked or conditional: ticket numbers stay unique and
 * consecutive, a technician's waiting links stay within the limit, a job run is claimed by
 * exactly one of two dispatchers sharing the store, and two nodes starting together on a
 * new database agree on one admin and one support-code key. Runs on both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { ensureFirstAdmin, type Account } from '../../controller/server/auth/accounts.js';
import { Dispatcher } from '../../controller/server/jobs/dispatcher.js';
import { JobStore, type NewJob } from '../../controller/server/jobs/job-store.js';
import { SupportCodes } from '../../controller/server/support/support-codes.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';
import type { ControllerToAgent } from '../../protocol/index.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

let store: TempStore;
let tech: Account;

beforeEach(async () => {
  store = await openTempStore();
  const { id } = await store.db.insertInto('users').values({ username: 'tech', name: 'Tech', password_hash: 'x', role: 'l1', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
  tech = { id, username: 'tech', name: 'Tech', role: 'l1' };
});
afterEach(async () => {
  await store.close();
});

describe('concurrent changes to one store', () => {
  it('tickets created at once get unique, consecutive numbers', async () => {
    const audit = new AuditLog(store.db);
    const tickets = new TicketStore(store.db, audit);
    const input = { title: 'Printer', description: '', requester: { name: 'Léa', phone: null, email: null }, category: 'hardware' as const, impact: 'low' as const, urgency: 'low' as const, deviceIds: [] };
    const made = await Promise.all(Array.from({ length: 12 }, () => tickets.create(input, { account: tech, ip: null })));
    expect(made.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 1001 + i));
    await audit.flush();
  });

  it('a technician asking for many links at once gets no more than the waiting limit', async () => {
    const codes = await SupportCodes.open(store.db, 60_000, 5);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => codes.issue(tech)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('LINK_ERR_TOO_MANY_WAITING'));
  });

  it('two dispatchers sharing the store claim each run once, and only the node holding its device sends it', async () => {
    // As on a cluster: each device is connected to one node (a holds d1 and d2, b holds d3).
    const holders: Record<string, string> = { d1: 'a', d2: 'a', d3: 'b' };
    const sent: Array<[string, string, ControllerToAgent['t']]> = [];
    const node = (name: string) =>
      new Dispatcher({
        store: new JobStore(store.db),
        audit: new AuditLog(store.db),
        links: { send: (deviceId, message) => (sent.push([name, deviceId, message.t]), true), isOnline: (deviceId) => holders[deviceId] === name },
      });
    const a = node('a');
    const job: NewJob = {
      id: 'job-shared', scriptId: 's', scriptName: 'flush-dns', body: 'true', interpreter: 'sh', params: {}, target: { deviceIds: ['d1', 'd2', 'd3'] },
      deviceIds: ['d1', 'd2', 'd3'], concurrency: 10, timeoutSeconds: 60, expiresAt: Date.now() + 60_000, createdBy: 'admin', createdAt: Date.now(), status: 'running',
    };
    // Stored before either node loads it; then both hold the job and their devices come online at once.
    await new JobStore(store.db).create(job);
    await a.start();
    const b = node('b');
    await b.start();
    a.deviceOnline('d1');
    a.deviceOnline('d2');
    b.deviceOnline('d3');
    await Promise.all([a.idle(), b.idle()]);
    expect((await new JobStore(store.db).runs(job.id)).map((r) => r.status)).toEqual(['dispatched', 'dispatched', 'dispatched']);
    // Each node sent the runs it claimed, and took the others' status from the store.
    for (const n of [a, b]) expect((await n.view(job.id))!.counts).toMatchObject({ pending: 0, running: 3 });
    // Only the holder sends a device its run. A device whose connection is announced after a claim
    // already sent it its run may get it again (in-flight runs are re-sent on every connection, which
    // is how a run claimed by a node that died reaches its device): the agent's ledger runs it once.
    for (const d of job.deviceIds) {
      const runs = sent.filter(([, device, t]) => device === d && t === 'job.run');
      expect(runs.length, d).toBeGreaterThanOrEqual(1);
      expect(new Set(runs.map(([from]) => from)), d).toEqual(new Set([holders[d]]));
    }
    a.stop();
    b.stop();
  });

  it('two nodes starting on a new database make one admin and share one support-code key', async () => {
    await store.db.deleteFrom('users').execute();
    const [first, second] = await Promise.all([ensureFirstAdmin(store.db, 'pw-1'), ensureFirstAdmin(store.db, 'pw-2')]);
    // Both may find no account; the second insert yields to the first.
    expect([first.created, second.created].filter(Boolean)).toHaveLength(1);
    const admins = await store.db.selectFrom('users').select(['id', 'username', 'name', 'role']).execute();
    expect(admins.map((u) => u.username)).toEqual(['admin']);
    const [one, two] = await Promise.all([SupportCodes.open(store.db, 60_000), SupportCodes.open(store.db, 60_000)]);
    const link = await one.issue(admins[0]!);
    expect((await two.inspect(link.code)).id).toBe(link.id);
  });
});
