/**
 * File transfer through the relay (files, with consent): a real controller (dist/) and a
 * real agent (output to a pipe; person-side.mjs types the person's yes) move a file of
 * --size MB (default 100, random bytes) both ways, each run timed from the moment the
 * bytes may move to the file complete on the other side:
 *   send:  bench ─HTTP upload→ controller ─DATA frames, credit→ agent → ~/Downloads
 *          (timed from the upload's start to its answer: the agent has written the file,
 *          compared its SHA-256 with the controller's and named it)
 *   fetch: agent ─DATA frames, credit→ controller ─HTTP download→ downloader → a file
 *          (timed from the person's yes reaching the console to the last byte on disk)
 * The baseline, in the same run: `cp` through a loopback socket — this process streams the
 * same file into a TCP socket on 127.0.0.1, and a second process writes it to a file. The
 * fetch's downloader is such a small process of its own too (as the browser would be), so
 * the receiving ends compare alike; the sending ends are this process in both.
 * The ceiling, in the same run (bare-transfer.mjs): each direction's topology with nothing
 * of Relais in it — three processes piping through HTTP and a loopback socket, hashing on
 * both sides of the middle hop — the most any relay of that shape gets on this machine.
 * Every copy is checked afterwards: SHA-256 of the file that arrived, and the SHA-256 the
 * transfer reported. Rounds interleave them all (their order rotating), after a warm-up.
 * Target: each direction ≥ 80 % of the baseline's throughput (medians).
 * Prints a table and JSON; writes bench-results/file-transfer.json. Exit 0 when the target
 * is met, 1 when it is missed or the bench failed, 2 for a bad option.
 *
 * Usage: node scripts/bench/file-transfer-bench.mjs [--size=100] [--runs=5] [--directions=send,fetch] [--cpu-prof] [--out=bench-results/file-transfer.json]
 * (--directions: one of them alone, to profile it; the baseline always runs)
 * (--cpu-prof: the controller and the agent write V8 profiles to bench-results/profiles/; see profile-summary.mjs)
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './agent.mjs';
import { runBench } from './bench-main.mjs';
import { cleanHome } from './clean-home.mjs';
import { startCpuMeter } from './cpu-usage.mjs';
import { onCleanup } from './cleanup.mjs';
import { createSupportLink, login } from './console.mjs';
import { startController } from './controller.mjs';
import { connectFileConsole } from './file-console.mjs';
import { loadProtocol } from './protocol-bundle.mjs';
import { machine, writeJson } from './report.mjs';
import { median } from './stats.mjs';
import { bareFetch, bareSend } from './bare-transfer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET_RATIO = 0.8;
const log = (text) => console.log(`bench: ${text}`);

function parseOptions(argv) {
  const options = { size: 100, runs: 5, out: 'bench-results/file-transfer.json', cpuProf: false, directions: ['send', 'fetch'] };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (arg === '--cpu-prof') options.cpuProf = true;
    else if (match?.[1] === 'out') options.out = match[2];
    else if (match?.[1] === 'size' && /^[1-9][0-9]*$/.test(match[2]) && Number(match[2]) <= 2000) options.size = Number(match[2]);
    else if (match?.[1] === 'runs' && /^[1-9][0-9]*$/.test(match[2])) options.runs = Number(match[2]);
    else if (match?.[1] === 'directions' && /^(send|fetch)(,(send|fetch))?$/.test(match[2])) options.directions = [...new Set(match[2].split(','))];
    else throw new Error(`unknown or invalid option ${arg} (see the usage at the top of scripts/bench/file-transfer-bench.mjs)`);
  }
  return options;
}

/** SHA-256 of a file, streamed. */
async function sha256Of(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** The receiving end of the baseline: a process that writes what its socket receives to a file, then says so. */
const RECEIVER = `
const net = require('node:net'); const fs = require('node:fs');
const server = net.createServer((socket) => {
  const out = fs.createWriteStream(process.argv[1]);
  socket.pipe(out);
  out.on('finish', () => process.send('done'));
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

/** The fetch's receiving end, like the baseline's: a process that downloads a URL to a file when told, then says so. */
const DOWNLOADER = `
const http = require('node:http'); const fs = require('node:fs'); const { pipeline } = require('node:stream/promises');
process.on('message', ({ url, cookie, target }) => {
  http.get(url, { headers: { cookie } }, (res) => {
    if (res.statusCode !== 200) return process.send({ error: 'HTTP ' + res.statusCode });
    pipeline(res, fs.createWriteStream(target)).then(() => process.send({ done: true }), (e) => process.send({ error: e.message }));
  }).on('error', (e) => process.send({ error: e.message }));
});
process.send({ ready: true });
process.on('disconnect', () => process.exit(0));
`;

/** `cp` through a loopback socket: this process sends the file, another writes it. */
async function copyThroughSocket(source, target) {
  const child = spawn(process.execPath, ['-e', RECEIVER, target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(`baseline receiver (pid ${child.pid})`, () => void child.kill('SIGKILL'));
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the baseline receiver exited (${code})`)));
  });
  const done = new Promise((resolve) => child.once('message', resolve));
  const meter = startCpuMeter({ receiver: child.pid });
  const started = process.hrtime.bigint();
  const socket = connect(port, '127.0.0.1');
  await pipeline(createReadStream(source), socket);
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter();
  await stop();
  return { seconds, cpu };
}

/** One send through the relay: asks, the person says yes, then the timed upload. */
async function sendThroughRelay({ controller, cookie, technician, agent, deviceId, source, size, downloads }) {
  const consent = agent.answerNextConsent(30_000);
  const transfer = await technician.ask({ t: 'file.send', deviceId, name: 'bench.bin', size });
  await agent.unlessExited(consent, 'the consent question');
  await technician.waitForState(transfer.id, 'ready', 30_000);
  const meter = startCpuMeter({ controller: controller.pid, agent: agent.pid });
  const started = process.hrtime.bigint();
  const answer = await new Promise((resolve, reject) => {
    const req = request(`${controller.url}/api/files/${transfer.id}/upload`, {
      method: 'POST', headers: { cookie, origin: controller.url, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body).transfer) : reject(new Error(`the upload was refused: HTTP ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    createReadStream(source).pipe(req);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter();
  const saved = join(downloads, 'bench.bin');
  return { seconds, cpu, reportedSha256: answer.sha256, arrived: saved };
}

/** One fetch through the relay: asks, the person says yes, then the timed download to a file. */
async function fetchThroughRelay({ controller, cookie, technician, agent, deviceId, source, target }) {
  const consent = agent.answerNextConsent(30_000);
  const transfer = await technician.ask({ t: 'file.fetch', deviceId, path: source });
  await agent.unlessExited(consent, 'the consent question');
  await technician.waitForState(transfer.id, 'ready', 30_000);
  const downloader = spawn(process.execPath, ['-e', DOWNLOADER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(`downloader (pid ${downloader.pid})`, () => void downloader.kill('SIGKILL'));
  const next = () => new Promise((resolve, reject) => {
    downloader.once('message', (m) => (m.error ? reject(new Error(`the download failed: ${m.error}`)) : resolve(m)));
    downloader.once('exit', (code) => reject(new Error(`the downloader exited (${code})`)));
  });
  await next();
  // The agent starts reading at the yes: the clock starts when the console hears it.
  const meter = startCpuMeter({ controller: controller.pid, agent: agent.pid, downloader: downloader.pid });
  const started = process.hrtime.bigint();
  const done = next();
  downloader.send({ url: `${controller.url}/api/files/${transfer.id}/download`, cookie, target });
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter();
  await stop();
  const finished = await technician.waitForState(transfer.id, 'done', 30_000);
  return { seconds, cpu, reportedSha256: finished.sha256, arrived: target };
}

async function measure(options, { outPath, startedAt, config }) {
  if (!existsSync(join(root, 'dist/controller/main.mjs'))) throw new Error('dist/ is missing: run npm run build first');
  const size = options.size * 1e6;
  const work = mkdtempSync(join(tmpdir(), 'relais-bench-files-'));
  onCleanup(`bench files ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const source = join(work, 'source.bin');
  // Written a megabyte at a time: no 100 MB buffer left for this process's garbage collector.
  const out = createWriteStream(source);
  for (let left = size; left > 0; left -= 1e6) if (!out.write(randomBytes(Math.min(1e6, left)))) await new Promise((resolve) => out.once('drain', resolve));
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  const sourceSha256 = await sha256Of(source);
  log(`${options.size} MB of random bytes, sha256 ${sourceSha256.slice(0, 16)}…`);

  const proto = await loadProtocol(root);
  const profileDir = join(root, 'bench-results', 'profiles');
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const controller = await startController({ root, nodeArgs });
  const cookie = await login(controller.url, controller.adminPassword);
  const technician = await connectFileConsole(controller.url, cookie, proto);
  const agent = await spawnAgent({ root, link: await createSupportLink(controller.url, cookie), mode: 'pipe', nodeArgs });
  const deviceId = await agent.unlessExited(technician.waitForDevice(30_000), 'the device to come online');
  const downloads = join(cleanHome(), 'Downloads');
  log(`controller ${controller.url} (pid ${controller.pid}), agent pid ${agent.pid}`);

  const parts = { controller, cookie, technician, agent, deviceId, source, size, downloads };
  const kinds = {
    cp: async () => {
      const target = join(work, 'cp.bin');
      return { ...(await copyThroughSocket(source, target)), reportedSha256: null, arrived: target };
    },
    send: () => sendThroughRelay(parts),
    fetch: () => fetchThroughRelay({ ...parts, target: join(work, 'fetched.bin') }),
    'bare-send': () => bareSend(source, join(work, 'bare-sent.bin'), size),
    'bare-fetch': () => bareFetch(source, join(work, 'bare-fetched.bin'), size),
  };
  const bares = options.directions.map((kind) => `bare-${kind}`);
  const order = ['cp', ...options.directions, ...bares];
  const runs = Object.fromEntries(order.map((kind) => [kind, []]));
  // One warm-up of each (JIT, page cache, the agent's Downloads folder), not counted.
  for (let round = -1; round < options.runs; round += 1) {
    const rotated = order.map((_, i) => order[(i + Math.max(round, 0)) % order.length]);
    for (const kind of rotated) {
      const run = await kinds[kind]();
      const arrivedSha256 = await sha256Of(run.arrived);
      const exact = arrivedSha256 === sourceSha256 && (run.reportedSha256 === null || run.reportedSha256 === sourceSha256) && statSync(run.arrived).size === size;
      unlinkSync(run.arrived);
      if (!exact) throw new Error(`${kind}: the file that arrived differs (sha256 ${arrivedSha256}, reported ${run.reportedSha256}, sent ${sourceSha256})`);
      const cpu = Object.fromEntries(Object.entries(run.cpu).filter(([k, v]) => k !== 'machineBusyCpus' && typeof v === 'number').map(([k, v]) => [k, (v * 1e8) / size]));
      if (round >= 0) runs[kind].push({ seconds: run.seconds, mbPerSecond: size / 1e6 / run.seconds, cpuSecondsPer100MB: cpu, machineBusyCpus: run.cpu.machineBusyCpus, sha256Verified: true });
      if (round >= 0) log(`round ${round + 1}: ${kind.padEnd(11)} ${(size / 1e6 / run.seconds).toFixed(1).padStart(6)} MB/s, CPU-s per 100 MB ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}, machine busy ${run.cpu.machineBusyCpus} CPUs`);
    }
  }

  const mbps = Object.fromEntries(order.map((kind) => [kind, median(runs[kind].map((r) => r.mbPerSecond))]));
  const ratio = Object.fromEntries([...options.directions, ...bares].map((kind) => [kind, mbps[kind] / mbps.cp]));
  // The target speaks of both directions: a run of one alone cannot meet it.
  const met = ratio.send >= TARGET_RATIO && ratio.fetch >= TARGET_RATIO;
  const cpuOf = (kind) => {
    const keys = [...new Set(runs[kind].flatMap((r) => Object.keys(r.cpuSecondsPer100MB)))];
    return Object.fromEntries(keys.map((k) => [k, median(runs[kind].map((r) => r.cpuSecondsPer100MB[k]).filter((v) => v !== undefined))]));
  };
  const cpu = Object.fromEntries(order.map((kind) => [kind, cpuOf(kind)]));
  const cpuText = (kind) => Object.entries(cpu[kind]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  const verdict = (kind, r) => (kind.startsWith('bare-') ? '    ' : r >= TARGET_RATIO ? 'PASS' : 'FAIL');
  const row = (label, kind, r) => `  ${label.padEnd(52)} ${mbps[kind].toFixed(1).padStart(8)} MB/s   ${r === null ? '          ' : `${(r * 100).toFixed(1).padStart(5)} %  ${verdict(kind, r)}`}   ${cpuText(kind)}`;
  const table = [
    `File transfer, ${options.size} MB, median of ${options.runs} runs each (SHA-256 verified every run)`,
    `  ${'path'.padEnd(52)} ${'throughput'.padStart(13)}   ratio (>= ${TARGET_RATIO * 100} %)  CPU-s per 100 MB (median)`,
    row('cp through a loopback socket (baseline)', 'cp', null),
    ...(ratio.send === undefined ? [] : [row('send: browser upload → controller → agent', 'send', ratio.send)]),
    ...(ratio.fetch === undefined ? [] : [row('fetch: agent → controller → browser download', 'fetch', ratio.fetch)]),
    ...(ratio['bare-send'] === undefined ? [] : [row('ceiling, a bare send: HTTP → pipe+sha256 → socket', 'bare-send', ratio['bare-send'])]),
    ...(ratio['bare-fetch'] === undefined ? [] : [row('ceiling, a bare fetch: socket → pipe+sha256 → HTTP', 'bare-fetch', ratio['bare-fetch'])]),
    '  (ceiling: the same processes and SHA-256 passes with nothing of Relais between them, bare-transfer.mjs)',
  ].join('\n');
  await technician.close();
  process.stdout.write(`\n${table}\n\n`);
  const result = { mbPerSecond: mbps, ratio, met, cpuSecondsPer100MB: cpu, sizeBytes: size, sourceSha256 };
  writeJson(outPath, { status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(), config, runs, ...result, target: { ratio: TARGET_RATIO, met } });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(`raw figures written to ${outPath}`);
  return met ? 0 : 1;
}

process.exitCode = await runBench({ root, parseOptions, measure });
