// The knowledge base at scale (issue 17): 100,000 articles (knowledge-seed.mjs) in the
// controller's SQLite, then the search and the suggestions timed over HTTP on the real
// controller (dist/) with a logged-in session. Server time is read from the routes'
// `Server-Timing: app;dur=, cpu;dur=` header (wall time, and the controller's CPU time for the
// request: requests go one at a time); client time is the whole request seen from here.
// Targets: search p95 < 20 ms, suggestions for a ticket p95 < 30 ms (server time).
//
//   node scripts/bench/knowledge-bench.mjs [--articles=100000] [--requests=200]
//        [--data-dir=DIR] [--reuse] [--out=bench-results/knowledge.json]
//
// --data-dir keeps the seeded folder, --reuse measures it again (with the current build).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench } from './bench-main.mjs';
import { onCleanup } from './cleanup.mjs';
import { spawnController } from './controller.mjs';
import { seedKnowledge } from './knowledge-seed.mjs';
import { machine, writeJson } from './report.mjs';
import { login } from './console.mjs';
import { summary, timedGets } from './timed-gets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGETS = { search: 20, suggestions: 30 };
const WARM_UP = 20;
const log = (text) => console.log(`bench: ${text}`);
const nth = (items, i) => items[(((i + WARM_UP) % items.length) + items.length) % items.length];

function parseOptions(argv) {
  const o = { articles: 100_000, requests: 200, dataDir: null, reuse: false, out: 'bench-results/knowledge.json' };
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    const [, name, value] = m;
    if ((name === 'articles' || name === 'requests') && /^[1-9][0-9]*$/.test(value ?? '')) o[name] = Number(value);
    else if (name === 'data-dir' && value) o.dataDir = resolve(value);
    else if (name === 'reuse') o.reuse = true;
    else if (name === 'out' && value) o.out = value;
    else throw new Error(`unknown or invalid option ${arg} (see the usage at the top of scripts/bench/knowledge-bench.mjs)`);
  }
  return o;
}


async function measure(o, { outPath, startedAt, config }) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'relais-bench-kb-'));
  if (!o.dataDir) onCleanup(`knowledge data folder ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const dataFile = join(dataDir, 'relais.sqlite');
  const passwordFile = join(dataDir, 'bench-admin-password');
  const stateFile = join(dataDir, 'bench-knowledge.json');
  let adminPassword = `bench-${randomBytes(12).toString('hex')}`;
  let seeded;
  if (o.reuse && existsSync(dataFile)) {
    log(`reusing the seeded database in ${dataDir}`);
    adminPassword = readFileSync(passwordFile, 'utf8').trim();
    seeded = JSON.parse(readFileSync(stateFile, 'utf8'));
  } else {
    if (existsSync(dataFile)) throw new Error(`${dataFile} exists: pass --reuse to measure it again, or another --data-dir`);
    mkdirSync(dataDir, { recursive: true });
    // The real controller migrates the schema once, then the seed writes straight into it.
    await (await spawnController({ root, dataDir, adminPassword })).stop();
    writeFileSync(passwordFile, adminPassword + '\n', { mode: 0o600 });
    log(`seeding ${o.articles} articles and 2,000 tickets (500 with a device and its findings)…`);
    seeded = await seedKnowledge({ root, dataFile, articles: o.articles, log });
    writeFileSync(stateFile, JSON.stringify(seeded));
    log(`seeded in ${seeded.seconds.toFixed(1)} s`);
  }
  const dbBytes = statSync(dataFile).size;
  const controller = await spawnController({ root, dataDir, adminPassword });
  const loadBefore = loadavg()[0];
  try {
    const { url } = controller;
    const cookie = await login(url, adminPassword);
    const n = o.requests;
    // What technicians type: common words, rare ones, the start of a word, no accents, several words, and FTS5 syntax.
    const queries = ['imprimante', 'vpn', 'outlook', 'reseau', 'impri', 'disque plein', 'mot de passe', 'écran noir', 'windows update lent', 'KB5012',
      'lyon', 'teams son', 'cache', 'pilote', 'profil', 'certificat', 'the printer', '"vpn" AND (wifi', 'NOT ordinateur', 'synchronise'];
    const categories = ['system', 'software', 'hardware', 'network'];
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const scenarios = [
      ['search, one word or prefix', 'search', (i) => `/api/knowledge/articles?q=${encodeURIComponent(nth(queries, i))}`],
      ['search + category filter', 'search', (i) => `/api/knowledge/articles?q=${encodeURIComponent(nth(queries, i))}&category=${nth(categories, i)}`],
      ['search + finding code filter', 'search', (i) => `/api/knowledge/articles?q=${encodeURIComponent(nth(queries, i))}&code=disk.full`],
      ['search, second page', 'search', (i) => `/api/knowledge/articles?q=${encodeURIComponent(nth(queries, i))}&cursor=o20`],
      ['list, newest first (no search)', 'search', () => '/api/knowledge/articles'],
      ['suggestions for a ticket', 'suggestions', () => `/api/knowledge/suggestions?ticket=${seeded.ticketNumbers[Math.floor(random() * seeded.ticketNumbers.length)]}`],
    ];
    const results = [];
    for (const [name, kind, path] of scenarios) {
      const t = await timedGets(url, cookie, { requests: n, warmUp: WARM_UP, path, rowsOf: (b) => b.articles?.length ?? b.suggestions?.length ?? 0 });
      const r = { requests: t.requests, rowsPerAnswer: t.rowsPerAnswer, server: summary(t.server), serverCpu: summary(t.cpu), client: summary(t.client) };
      const target = TARGETS[kind];
      results.push({ scenario: name, kind, targetP95Ms: target, pass: r.server.p95 < target, ...r });
      log(`${name}: server p95 ${r.server.p95.toFixed(1)} ms`);
    }
    const ms = (v) => v.toFixed(1).padStart(6);
    console.log(`\n${'scenario'.padEnd(34)} ${'n'.padStart(4)} ${'rows'.padStart(5)}  ${'server p50  p95    max'.padEnd(24)}  ${'server CPU p50 p95'.padEnd(19)}  ${'client p50  p95'.padEnd(17)}  target    result`);
    for (const r of results) {
      console.log(`${r.scenario.padEnd(34)} ${String(r.requests).padStart(4)} ${r.rowsPerAnswer.toFixed(1).padStart(5)}  ${ms(r.server.p50)} ${ms(r.server.p95)} ${ms(r.server.max)}    ${ms(r.serverCpu.p50)} ${ms(r.serverCpu.p95)}      ${ms(r.client.p50)} ${ms(r.client.p95)}    p95 < ${r.targetP95Ms} ${r.pass ? 'PASS' : 'MISS'}`);
    }
    console.log(`\nload average before and after (1 min): ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs; wall time counts the machine's other work, CPU time the requests' own`);
    console.log(`\ndatabase: ${(dbBytes / 1e6).toFixed(0)} MB, ${seeded.articles} articles${o.reuse ? '' : `, seeded in ${seeded.seconds.toFixed(1)} s`}`);
    const met = results.every((r) => r.pass);
    writeJson(outPath, { status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(), config, dbBytes, seeded, loadAverage: [loadBefore, loadavg()[0]], results });
    console.log(JSON.stringify(results.map((r) => ({ scenario: r.scenario, serverP95Ms: r.server.p95, serverCpuP95Ms: r.serverCpu.p95, pass: r.pass }))));
    log(`raw figures written to ${outPath}`);
    return met ? 0 : 1;
  } finally {
    await controller.stop();
  }
}

process.exitCode = await runBench({ root, parseOptions, measure });
