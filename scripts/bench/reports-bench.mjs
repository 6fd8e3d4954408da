// Reports at scale (knowledge-base issue, "Bad input and scale"): 100,000 tickets over 12
// months (tickets-seed.mjs), their satisfaction answers and join findings, then the
// dashboard (GET /api/reports) timed on the real controller (dist/) with an
// administrator's session. Server time from the route's `Server-Timing: app;dur=, cpu;dur=`
// header (wall time, and the controller's CPU time for the request).
// Target: the dashboard p95 < 200 ms server time, over the last 30 days and the whole year.
//
//   node scripts/bench/reports-bench.mjs [--tickets=100000] [--events=300000] [--requests=50] [--data-dir=DIR] [--out=bench-results/reports.json]
//
// --data-dir keeps the seeded folder for profiling; given a folder it seeded before, it measures it again.
//
// The first request after the start waits for the figures of the seeded tickets (written
// behind the controller's back, as an upgrade from before migration 0018 would find them):
// reported as "figures built", not counted in the dashboard's times.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench-main.mjs';
import { onCleanup } from './cleanup.mjs';
import { spawnController } from './controller.mjs';
import { machine, writeJson } from './report.mjs';
import { login } from './console.mjs';
import { seedTickets } from './tickets-seed.mjs';
import { summary, timedGets } from './timed-gets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET_MS = 200;
const WARM_UP = 5;
const DAY_MS = 86_400_000;
const CHECKS = ['disk.full', 'memory.low', 'dns.resolution-failed', 'printer.offline', 'updates.restart-pending', 'security.antivirus-off', 'network.packet-loss', 'clock.skew'];

function parseOptions(argv) {
  const o = { tickets: 100_000, events: 300_000, requests: 50, out: 'bench-results/reports.json', dataDir: null };
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    if (m[1] === 'tickets' || m[1] === 'events' || m[1] === 'requests') o[m[1]] = Number(m[2]);
    else if (m[1] === 'out') o.out = m[2];
    else if (m[1] === 'data-dir') o.dataDir = m[2];
    else throw new Error(`unknown option --${m[1]}`);
    if (!(Number.isFinite(o.tickets) && o.tickets > 0 && o.requests > 0 && o.events >= 0)) throw new Error(`--${m[1]} needs a positive number`);
  }
  return o;
}

/** `YYYY-MM-DD` in Paris, as the reports count days. */
const dayOf = (at) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** Surveys answered for 40 % of the resolutions, and the join findings of a third of the tickets, straight into SQLite. */
function seedSatisfactionAndFindings(dataFile, now) {
  const db = new Database(dataFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  let a = 42;
  const random = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  const resolved = db.prepare("SELECT id, number, resolved_at, assignee_id FROM tickets WHERE resolved_at IS NOT NULL").all();
  const insertSurvey = db.prepare(`INSERT INTO satisfaction_surveys (id, ticket_id, ticket_number, resolved_at, technician_id, created_at, expires_at, language, answered_at, answered_day, rating, not_solved, comment, via)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'fr', ?, ?, ?, ?, ?, ?)`);
  const tickets = db.prepare('SELECT id, created_at FROM tickets').all();
  const insertDevice = db.prepare("INSERT INTO devices (id, kind, hostname, summary_json, first_seen, last_seen) VALUES (?, 'attended', ?, NULL, ?, ?)");
  const insertSnapshot = db.prepare("INSERT INTO snapshots (device_id, taken_at, received_at, snapshot_json, findings_json, worst) VALUES (?, ?, ?, '{}', ?, 'warning')");
  const insertEvent = db.prepare("INSERT INTO ticket_events (ticket_id, at, kind, actor, visibility, data_json) VALUES (?, ?, 'findings', NULL, 'internal', ?)");
  let surveys = 0;
  let findings = 0;
  db.transaction(() => {
    for (const t of resolved) {
      if (random() >= 0.4) continue;
      const at = Math.min(now - 60_000, t.resolved_at + Math.floor(random() * 2 * DAY_MS));
      const notSolved = random() < 0.06 ? 1 : 0;
      const rating = notSolved ? null : [5, 5, 5, 4, 4, 4, 3, 2, 1][Math.floor(random() * 9)];
      insertSurvey.run(randomBytes(12).toString('base64url'), t.id, t.number, t.resolved_at, t.assignee_id, t.resolved_at, t.resolved_at + 7 * DAY_MS, at, dayOf(at), rating, notSolved, random() < 0.3 ? 'Merci' : null, random() < 0.5 ? 'agent' : 'page');
      surveys++;
    }
    const snapshots = [];
    for (let d = 0; d < 40; d++) {
      insertDevice.run(`bench-device-${d}`, `pc-${d}`, now, now);
      const picked = CHECKS.filter(() => random() < 0.35).map((check, i) => ({ id: `${check}:${i}`, severity: 'warning' }));
      snapshots.push(Number(insertSnapshot.run(`bench-device-${d}`, now, now, JSON.stringify(picked)).lastInsertRowid));
    }
    for (const t of tickets) {
      if (random() >= 0.33) continue;
      insertEvent.run(t.id, t.created_at, JSON.stringify({ deviceId: 'bench-device', snapshotId: snapshots[Math.floor(random() * snapshots.length)], worst: 'warning', count: 2, join: true }));
      findings++;
    }
  })();
  db.close();
  return { surveys, findingEvents: findings };
}


async function measure(o, run) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'relais-bench-reports-'));
  if (!o.dataDir) onCleanup(`reports data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(dataDir, { recursive: true });
  const dataFile = join(dataDir, 'relais.sqlite');
  const passwordFile = join(dataDir, 'bench-admin-password');
  const reuse = existsSync(passwordFile) && existsSync(dataFile);
  const adminPassword = reuse ? readFileSync(passwordFile, 'utf8').trim() : `bench-${randomBytes(12).toString('hex')}`;
  const now = Date.now();
  let seeded = null;
  let extra = null;
  if (reuse) console.log(`bench: measuring the database seeded before in ${dataDir}`);
  else {
    // The schema from the real controller (every migration, 0018 included), then the data behind its back.
    await (await spawnController({ root, dataDir, adminPassword })).stop();
    writeFileSync(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    console.log(`bench: seeding ${o.tickets} tickets and ${o.events} timeline events…`);
    seeded = await seedTickets({ root, dataFile, tickets: o.tickets, events: o.events, now });
    extra = seedSatisfactionAndFindings(dataFile, now);
    console.log(`bench: seeded in ${seeded.seconds.toFixed(1)} s, ${extra.surveys} answers, ${extra.findingEvents} join findings`);
  }
  const controller = await spawnController({ root, dataDir, adminPassword });
  try {
    const { url } = controller;
    const cookie = await login(url, adminPassword);
    const buildStarted = performance.now();
    const first = await fetch(`${url}/api/reports`, { headers: { cookie } });
    if (!first.ok) throw new Error(`first report: ${first.status} ${await first.text()}`);
    const figuresMs = performance.now() - buildStarted;
    const today = dayOf(now);
    const yearAgo = dayOf(now - 364 * DAY_MS);
    const busiest = new Database(dataFile, { readonly: true }).prepare('SELECT assignee_id AS id FROM tickets WHERE assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY count(*) DESC LIMIT 1').get().id;
    const scenarios = [
      ['dashboard, last 30 days (default)', '/api/reports', true],
      ['dashboard, whole year', `/api/reports?from=${yearAgo}&to=${today}`, true],
      ['dashboard, whole year, one technician', `/api/reports?from=${yearAgo}&to=${today}&technician=${busiest}`, true],
      ['CSV, technicians, whole year', `/api/reports/technicians/csv?from=${yearAgo}&to=${today}`, false],
      ['answers, first page', '/api/satisfaction/answers', false],
    ];
    const results = [];
    for (const [name, path, targeted] of scenarios) {
      const t = await timedGets(url, cookie, { requests: o.requests, warmUp: WARM_UP, path: () => path, timed: false });
      const { p50, p95 } = summary(t.client);
      const r = { server: summary(t.server), serverCpu: t.cpu.length > 0 ? summary(t.cpu) : null, client: { p50, p95 } };
      results.push({ scenario: name, path, targetP95Ms: targeted ? TARGET_MS : null, pass: !targeted || r.server.p95 < TARGET_MS, ...r });
      console.log(`  ${name}: server p95 ${Number.isFinite(r.server.p95) ? r.server.p95.toFixed(1) : '–'} ms`);
    }
    const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–').padStart(7);
    console.log(`\n${'scenario'.padEnd(40)} ${'server p50    p95    max'.padEnd(26)} ${'CPU p50    p95'.padEnd(16)} ${'client p50    p95'.padEnd(20)} target        result`);
    for (const r of results) {
      console.log(`${r.scenario.padEnd(40)} ${ms(r.server.p50)}${ms(r.server.p95)}${ms(r.server.max)}    ${ms(r.serverCpu?.p50 ?? NaN)}${ms(r.serverCpu?.p95 ?? NaN)}    ${ms(r.client.p50)}${ms(r.client.p95)}   ${r.targetP95Ms ? `p95 < ${r.targetP95Ms} ms` : '-'.padEnd(12)}  ${r.targetP95Ms ? (r.pass ? 'PASS' : 'MISS') : 'info'}`);
    }
    console.log('wall time counts the machine\'s other work; CPU time (Server-Timing cpu;dur) the request\'s own, requests going one at a time');
    console.log(`figures built at the first request after start (${o.tickets} tickets): ${(figuresMs / 1000).toFixed(1)} s; database ${(statSync(dataFile).size / 1e6).toFixed(0)} MB`);
    writeJson(run.outPath, { status: 'ran', timestamp: run.startedAt.toISOString(), machine: machine(), config: run.config, seeded: seeded && { ...seeded, ...extra }, figuresBuiltMs: figuresMs, results });
    console.log(`bench: raw figures written to ${run.outPath}`);
    return results.every((r) => r.pass) ? 0 : 1;
  } finally {
    await controller.stop();
  }
}

process.exitCode = await runBench({ root, parseOptions, measure });
