/**
 * A keystroke into the pty, the agent's last step before the shell sees it: node-pty's
 * own write (fs.write, a round trip through libuv's thread pool) against the agent's
 * PtyWriter (agent/shell/pty-writer.ts: a direct write on the non-blocking descriptor),
 * on one shell running `stty raw -echo; cat`. One byte is written and timed until its
 * echo is read back; the two ways take turns, keystroke by keystroke, back to back.
 * Prints a table and JSON; writes bench-results/pty-write.json. Exit 0 when it ran.
 *
 * Usage: node scripts/bench/pty-write-bench.mjs [--samples=3000] [--warmup=200] [--out=bench-results/pty-write.json]
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runBench } from './bench-main.mjs';
import { onCleanup } from './cleanup.mjs';
import { machine, writeJson } from './report.mjs';
import { summarizeLatency } from './stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseOptions(argv) {
  const options = { samples: 3000, warmup: 200, out: 'bench-results/pty-write.json' };
  for (const arg of argv) {
    const match = /^--(samples|warmup|out)=(.+)$/.exec(arg);
    if (!match) throw new Error(`unknown or invalid option ${arg} (see the usage at the top of scripts/bench/pty-write-bench.mjs)`);
    if (match[1] === 'out') options.out = match[2];
    else if (/^[0-9]+$/.test(match[2])) options[match[1]] = Number(match[2]);
    else throw new Error(`--${match[1]} takes a whole number`);
  }
  if (options.samples < 10) throw new Error('--samples must be at least 10');
  return options;
}

/** The agent's PtyWriter, bundled from its source as the agent's build would. */
async function loadPtyWriter() {
  const outfile = join(root, 'dist', 'bench', 'pty-writer.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ entryPoints: [join(root, 'agent/shell/pty-writer.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

async function measure(options, { outPath, startedAt, config }) {
  const { PtyWriter } = await loadPtyWriter();
  const pty = createRequire(join(root, 'package.json'))('node-pty');
  const term = pty.spawn('/bin/sh', ['-c', 'stty raw -echo; echo READY; exec cat'], { name: 'xterm-256color', cols: 80, rows: 24, encoding: null });
  onCleanup(`shell (pid ${term.pid})`, () => term.kill('SIGKILL'));
  let received = 0;
  let wake = null;
  let seen = '';
  term.onData((data) => {
    received += data.byteLength;
    if (seen.length < 64) seen += data.toString('latin1');
    const w = wake;
    wake = null;
    w?.();
  });
  const until = (condition) => new Promise((resolvePromise) => {
    const check = () => (condition() ? resolvePromise() : (wake = check));
    check();
  });
  await until(() => seen.includes('READY'));
  received = 0;
  const writer = new PtyWriter(term.fd, () => term._socket?.destroyed === false);
  const ways = { 'node-pty write': (bytes) => term.write(bytes), 'agent PtyWriter': (bytes) => writer.write(bytes) };
  const samples = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
  const key = Buffer.from('x');
  for (let i = 0; i < options.warmup + options.samples; i += 1) {
    for (const [name, write] of Object.entries(ways)) {
      const target = received + 1;
      const started = process.hrtime.bigint();
      write(key);
      await until(() => received >= target);
      if (i >= options.warmup) samples[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  writer.close();
  const summary = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, summarizeLatency(list)]));
  const ms = (v) => `${v.toFixed(3)} ms`;
  const lines = [
    `Keystroke into a pty until its echo is read back (n=${options.samples} each, taking turns)`,
    `  ${'way'.padEnd(18)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'max'.padStart(10)}`,
    ...Object.entries(summary).map(([name, s]) => `  ${name.padEnd(18)} ${ms(s.p50).padStart(10)} ${ms(s.p99).padStart(10)} ${ms(s.max).padStart(10)}`),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n${JSON.stringify(summary)}\n`);
  writeJson(outPath, { status: 'ok', timestamp: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), machine: machine(), config, summary, samples });
  return 0;
}

process.exitCode = await runBench({ root, parseOptions, measure });
