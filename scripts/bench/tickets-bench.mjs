// Tickets at scale (issue 10): 100,000 tickets and 1,000,000 timeline events in the
// controller's SQLite, then the queue and ticket routes timed over HTTP on the real
// controller (dist/), with a logged-in session. Server time is read from the routes'
// `Server-Timing: app;dur=, cpu;dur=` header (wall time, and the controller's CPU time for
// the request: steadier on a shared machine); client time is the whole request seen from here.
// Targets: queue page p95 < 50 ms server time, ticket page p95 < 30 ms.
//
//   node scripts/bench/tickets-bench.mjs [--tickets=100000] [--events=1000000] [--requests=200]
//        [--data-dir=DIR] [--reuse] [--only=TEXT] [--out=bench-results/tickets.json]
//
// --data-dir keeps the seeded folder (and --reuse measures an already seeded one again,
// with whatever migrations the current build adds), handy when profiling a change.
// --only=TEXT runs the scenarios whose name contains TEXT (e.g. --only="text + level").
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnController } from './controller.mjs';
import { cleanupAll, cleanUpOnSignals, onCleanup } from './cleanup.mjs';
import { login } from './console.mjs';
import { seedTickets } from './tickets-seed.mjs';
import { summary, timedGets } from './timed-gets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGETS = { queue: 50, ticket: 30 };
const WARM_UP = 20;
/** The i-th of a list, i counted from the first warm-up request (i < 0). */
const nth = (items, i) => items[(((i + WARM_UP) % items.length) + items.length) % items.length];

function options(argv) {
  const o = { tickets: 100_000, events: 1_000_000, requests: 200, dataDir: null, reuse: false, only: null, out: join(root, 'bench-results', 'tickets.json') };
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    const [, name, value] = m;
    if (name === 'tickets' || name === 'events' || name === 'requests') o[name] = Number(value);
    else if (name === 'data-dir') o.dataDir = resolve(value);
    else if (name === 'reuse') o.reuse = true;
    else if (name === 'only' && value) o.only = value;
    else if (name === 'out') o.out = resolve(value);
    else throw new Error(`unknown option --${name}`);
  }
  return o;
}


/** A fresh data folder with the controller's schema: the real controller starts once (migrations) and stops. */
async function migratedDataDir(dataDir, adminPassword) {
  const controller = await spawnController({ root, dataDir, adminPassword });
  await controller.stop();
}

/** Cursors deep in the queue's order, read from the database (as a client paging far would hold them). */
function deepCursors(dataFile, count) {
  const db = new Database(dataFile, { readonly: true });
  try {
    const total = db.prepare('SELECT count(*) AS n FROM tickets').get().n;
    const at = db.prepare('SELECT due_sort, number FROM tickets ORDER BY due_sort, number LIMIT 1 OFFSET ?');
    const cursors = [];
    for (let i = 0; i < count; i++) {
      const row = at.get(Math.floor(total * (0.2 + (0.75 * i) / count)));
      cursors.push(`${row.due_sort}_${row.number}`);
    }
    const heavy = db.prepare('SELECT t.number AS number, count(*) AS n FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id GROUP BY e.ticket_id ORDER BY n DESC LIMIT 3').all();
    const heavyDeepIds = heavy.map((h) => {
      const id = db.prepare('SELECT id FROM tickets WHERE number = ?').get(h.number).id;
      const ev = db.prepare('SELECT id FROM ticket_events WHERE ticket_id = ? ORDER BY id LIMIT 1 OFFSET ?').get(id, Math.floor(h.n * 0.8));
      return { number: h.number, events: h.n, deepCursor: ev.id };
    });
    const numbers = db.prepare('SELECT min(number) AS lo, max(number) AS hi FROM tickets').get();
    return { cursors, heavy: heavyDeepIds, numbers };
  } finally {
    db.close();
  }
}

export async function benchTickets(o, log = console.log) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'relais-bench-tickets-'));
  if (!o.dataDir) onCleanup(`tickets data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const dataFile = join(dataDir, 'relais.sqlite');
  // The administrator's password is set on the first start only: kept beside a reusable folder.
  const passwordFile = join(dataDir, 'bench-admin-password');
  let adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  let seeded = null;
  if (o.reuse && existsSync(dataFile)) {
    log(`bench: reusing the seeded database in ${dataDir}`);
    adminPassword = readFileSync(passwordFile, 'utf8').trim();
  } else {
    if (existsSync(dataFile)) throw new Error(`${dataFile} exists: pass --reuse to measure it again, or another --data-dir`);
    mkdirSync(dataDir, { recursive: true });
    await migratedDataDir(dataDir, adminPassword);
    writeFileSync(passwordFile, adminPassword + '\n', { mode: 0o600 });
    log(`bench: seeding ${o.tickets} tickets and ${o.events} timeline events…`);
    seeded = await seedTickets({ root, dataFile, tickets: o.tickets, events: o.events, log });
    log(`bench: seeded in ${seeded.seconds.toFixed(1)} s (${seeded.events} events, ${seeded.history} status changes)`);
  }
  const dbBytes = statSync(dataFile).size;
  const deep = deepCursors(dataFile, 20);
  const controller = await spawnController({ root, dataDir, adminPassword });
  try {
    const { url } = controller;
    const cookie = await login(url, adminPassword);
    const n = o.requests;
    const span = deep.numbers.hi - deep.numbers.lo + 1;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const words = ['vpn', 'imprimante', 'durand', 'mot de passe', 'outlook lyon', 'écran bleu', 'nguyen', 'partage réseau', 'batterie', 'rançon'];
    const scenarios = [
      ['queue, default (first page)', 'queue', () => '/api/tickets'],
      ['queue, status + priority', 'queue', (i) => `/api/tickets?status=${nth(['new,in_progress,escalated', 'waiting_user', 'resolved,closed'], i)}&priority=${nth(['P1,P2', 'P3', 'P4'], i)}`],
      ['queue, category', 'queue', (i) => `/api/tickets?category=${nth(['network', 'software', 'security', 'hardware,system'], i)}`],
      ['queue, assignee = mine', 'queue', () => '/api/tickets?assignee=mine'],
      ['queue, level L2', 'queue', () => '/api/tickets?level=L2'],
      ['queue, free text', 'queue', (i) => `/api/tickets?q=${encodeURIComponent(nth(words, i))}`],
      ['queue, text + status', 'queue', (i) => `/api/tickets?status=new,in_progress,waiting_user,escalated&q=${encodeURIComponent(nth(words, i))}`],
      ['queue, text + closed', 'queue', (i) => `/api/tickets?status=closed&q=${encodeURIComponent(nth(words, i))}`],
      ['queue, text + level L2', 'queue', (i) => `/api/tickets?level=L2&q=${encodeURIComponent(nth(words, i))}`],
      ['queue, followed by me', 'queue', () => '/api/tickets?follower=mine'],
      ['queue, deep page (keyset cursor)', 'queue', (i) => `/api/tickets?cursor=${nth(deep.cursors, i)}`],
      ['queue, deep page, filtered', 'queue', (i) => `/api/tickets?status=closed&category=software&cursor=${nth(deep.cursors, i)}`],
      ['ticket page (random ticket)', 'ticket', () => `/api/tickets/${deep.numbers.lo + Math.floor(random() * span)}`],
      ['ticket page, long incident', 'ticket', (i) => `/api/tickets/${nth(deep.heavy, i).number}`],
      ['timeline, random ticket', 'timeline', () => `/api/tickets/${deep.numbers.lo + Math.floor(random() * span)}/timeline`],
      ['timeline, long incident, first page', 'timeline', (i) => `/api/tickets/${nth(deep.heavy, i).number}/timeline`],
      ['timeline, long incident, deep page', 'timeline', (i) => { const h = nth(deep.heavy, i); return `/api/tickets/${h.number}/timeline?cursor=${h.deepCursor}`; }],
    ];
    const results = [];
    for (const [name, kind, path] of scenarios.filter(([name]) => !o.only || name.includes(o.only))) {
      const t = await timedGets(url, cookie, { requests: n, warmUp: WARM_UP, path, rowsOf: (b) => b?.tickets?.length ?? b?.events?.length ?? 1 });
      const r = { requests: t.requests, rowsPerAnswer: t.rowsPerAnswer, server: summary(t.server), serverCpu: summary(t.cpu), client: summary(t.client) };
      const target = kind === 'queue' ? TARGETS.queue : TARGETS.ticket;
      results.push({ scenario: name, kind, targetP95Ms: target, pass: r.server.p95 < target, ...r });
      log(`  ${name}: server p95 ${r.server.p95.toFixed(1)} ms (CPU ${r.serverCpu.p95.toFixed(1)} ms)`);
    }
    return { dataDir: o.dataDir, dbBytes, seeded, controllerPid: controller.pid, results };
  } finally {
    await controller.stop();
  }
}

function printTable(results) {
  const ms = (v) => v.toFixed(1).padStart(6);
  console.log(`\n${'scenario'.padEnd(38)} ${'n'.padStart(4)} ${'rows'.padStart(5)}  ${'server p50  p95    max'.padEnd(24)}  ${'CPU p50  p95'.padEnd(14)}  ${'client p50  p95    max'.padEnd(24)}  target    result`);
  for (const r of results) {
    console.log(`${r.scenario.padEnd(38)} ${String(r.requests).padStart(4)} ${r.rowsPerAnswer.toFixed(0).padStart(5)}  ${ms(r.server.p50)} ${ms(r.server.p95)} ${ms(r.server.max)}    ${ms(r.serverCpu.p50)} ${ms(r.serverCpu.p95)}    ${ms(r.client.p50)} ${ms(r.client.p95)} ${ms(r.client.max)}    p95 < ${r.targetP95Ms} ${r.pass ? 'PASS' : 'MISS'}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  cleanUpOnSignals();
  const o = options(process.argv.slice(2));
  const outcome = await benchTickets(o).finally(() => cleanupAll());
  printTable(outcome.results);
  console.log(`\ndatabase: ${(outcome.dbBytes / 1e6).toFixed(0)} MB${outcome.seeded ? `, seeded in ${outcome.seeded.seconds.toFixed(1)} s` : ''}`);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify({ timestamp: new Date().toISOString(), node: process.version, options: { tickets: o.tickets, events: o.events, requests: o.requests }, ...outcome }, null, 2) + '\n');
  console.log(`bench: raw figures written to ${o.out}`);
  process.exitCode = outcome.results.every((r) => r.pass) ? 0 : 1;
}
