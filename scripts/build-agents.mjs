// Builds the agent as Node single executable applications (SEA) on this Linux machine:
// linux-x64, win-x64, darwin-x64 and darwin-arm64, into dist/agents/. Each is the pinned
// Node binary (scripts/agents/node-binaries.mjs) with the agent's CommonJS bundle and
// node-pty's files for that platform (scripts/agents/pty-pack.mjs) injected by postject.
// Windows: the Node binary's signature is removed before injection, and the result is
// signed with osslsigncode when a certificate is configured. macOS: left unsigned (see
// the README: signing happens on a Mac).
//
// A build is skipped when its inputs have not changed (a key of them beside each file),
// so tests and `npm run build:agents` only pay for what changed.
//
// Usage: node scripts/build-agents.mjs [--platform linux-x64]... [--force] [--quiet]
//        [--out DIR] [--without-pty] (tests: an executable without node-pty, elsewhere)
// Signing (win-x64): RELAIS_SIGN_PFX=file.pfx [RELAIS_SIGN_PASSWORD=...], or
// RELAIS_SIGN_CERT=cert.pem RELAIS_SIGN_KEY=key.pem; RELAIS_SIGN_TIMESTAMP_URL to timestamp.
// Cache of Node binaries: RELAIS_BUILD_CACHE, default ~/.cache/relais-build.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { NODE_VERSION, TARGETS, nodeBinary } from './agents/node-binaries.mjs';
import { ptyPack } from './agents/pty-pack.mjs';
import { systemInfoWorkerDefine } from './agents/system-info-worker.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { platform: { type: 'string', multiple: true }, force: { type: 'boolean' }, quiet: { type: 'boolean' }, out: { type: 'string' }, 'without-pty': { type: 'boolean' } },
});
const out = values.out ? resolve(values.out) : join(root, 'dist', 'agents');
// Per process: two builds side by side (two test files) never share their scratch files.
const work = join(out, `.work-${process.pid}`);
const cacheDir = process.env.RELAIS_BUILD_CACHE || join(homedir(), '.cache', 'relais-build');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const platforms = values.platform?.length ? values.platform : Object.keys(TARGETS);
for (const platform of platforms) if (!TARGETS[platform]) throw new Error(`unknown platform ${platform}; one of ${Object.keys(TARGETS).join(', ')}`);
const log = (text) => values.quiet || process.stderr.write(`build-agents: ${text}\n`);
if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the executables are built on linux-x64 (the blob is made by the linux-x64 Node binary)');

const started = Date.now();
mkdirSync(work, { recursive: true });
// Scratch files (and a signing password) never outlive the build, even a failed one.
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** The agent as one CommonJS file (SEA runs CommonJS), with the same defines as the npm bundle. */
async function bundleAgent() {
  const outfile = join(work, 'relais-agent.cjs');
  await build({
    entryPoints: [join(root, 'agent', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // node-pty comes from the executable's own assets (agent/executable/pty-assets.ts); ws
    // falls back to JavaScript without bufferutil and utf-8-validate.
    external: ['node-pty', 'bufferutil', 'utf-8-validate'],
    define: { __RELAIS_VERSION__: JSON.stringify(pkg.version), ...(await systemInfoWorkerDefine('node22')) },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return outfile;
}

/** protocol/executable (PE layout, checksum), bundled once so this script shares the agent's and controller's code. */
async function executableTools() {
  const outfile = join(work, 'executable-tools.mjs');
  await build({ entryPoints: [join(root, 'protocol', 'executable', 'index.ts')], outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}

/** The signing settings; the password goes to osslsigncode in a private file (never on a command line, never in the build key). */
function signing() {
  const { RELAIS_SIGN_PFX: pfx, RELAIS_SIGN_PASSWORD: password, RELAIS_SIGN_CERT: cert, RELAIS_SIGN_KEY: key, RELAIS_SIGN_TIMESTAMP_URL: timestamp } = process.env;
  let args = null;
  if (pfx) args = ['-pkcs12', pfx];
  else if (cert && key) args = ['-certs', cert, '-key', key];
  if (!args) return null;
  if (password) {
    const file = join(work, 'sign-password');
    writeFileSync(file, password, { mode: 0o600 });
    args.push('-readpass', file);
  }
  return { args, files: pfx ? [pfx] : [cert, key], timestamp };
}

function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? part : part).update('\0');
  return hash.digest('hex');
}

const ownSources = ['scripts/build-agents.mjs', 'scripts/agents/node-binaries.mjs', 'scripts/agents/pty-pack.mjs', 'scripts/agents/system-info-worker.mjs'].map((file) => readFileSync(join(root, file)));
const postjectVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'postject', 'package.json'), 'utf8')).version;

const bundle = await bundleAgent();
const bundleBytes = readFileSync(bundle);
const tools = await executableTools();
const sign = signing();
const builder = nodeBinary('linux-x64', cacheDir, log);
const results = [];

for (const platform of platforms) {
  const target = TARGETS[platform];
  const file = join(out, tools.agentFileName(platform));
  const pack = values['without-pty'] ? null : ptyPack(root, target.ptyPrebuilds);
  const signer = platform.startsWith('win-') ? sign : null;
  // Code cache only where the blob's maker is the target itself (V8's cache is per build).
  const useCodeCache = platform === 'linux-x64';
  const key = sha256(NODE_VERSION, target.integrity, bundleBytes, pack ?? 'no-pty', postjectVersion, String(useCodeCache), ...ownSources,
    ...(signer ? [...signer.files, ...signer.files.map((f) => readFileSync(f)), signer.timestamp ?? ''] : ['unsigned']));
  const keyFile = `${file}.key`;
  if (!values.force && existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
    results.push({ platform, file, cached: true, bytes: statSync(file).size, signed: Boolean(signer) });
    continue;
  }
  const t0 = Date.now();
  const dir = join(work, platform);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const assets = {};
  if (pack) {
    writeFileSync(join(dir, 'pty.pack'), pack);
    assets['pty.pack'] = join(dir, 'pty.pack');
  }
  const blob = join(dir, 'sea-prep.blob');
  writeFileSync(join(dir, 'sea-config.json'), JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache, assets }));
  execFileSync(builder, ['--experimental-sea-config', join(dir, 'sea-config.json')], { stdio: 'pipe' });
  const base = nodeBinary(platform, cacheDir, log);
  const image = join(dir, 'image');
  if (target.os === 'win32') writeFileSync(image, tools.withoutSignature(new Uint8Array(readFileSync(base))));
  else copyFileSync(base, image);
  chmodSync(image, 0o755);
  const { inject } = await import('postject');
  await inject(image, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: SENTINEL_FUSE,
    ...(target.os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
    overwrite: false,
  });
  if (target.os === 'win32') {
    writeFileSync(image, tools.withChecksum(new Uint8Array(readFileSync(image))));
    if (signer) {
      const signed = join(dir, 'signed');
      const timestamp = signer.timestamp ? ['-ts', signer.timestamp] : [];
      execFileSync('osslsigncode', ['sign', ...signer.args, '-h', 'sha256', '-n', 'Relais agent', ...timestamp, '-in', image, '-out', signed], { stdio: ['ignore', 'ignore', 'inherit'] });
      renameSync(signed, image);
    }
  }
  renameSync(image, file);
  writeFileSync(keyFile, key);
  rmSync(dir, { recursive: true, force: true });
  results.push({ platform, file, cached: false, bytes: statSync(file).size, signed: Boolean(signer), seconds: (Date.now() - t0) / 1000 });
}

rmSync(work, { recursive: true, force: true });
for (const r of results) {
  log(`${r.platform}: ${(r.bytes / 1e6).toFixed(1)} MB${r.signed ? ', signed' : ''}${r.cached ? ' (unchanged)' : ` in ${r.seconds.toFixed(1)} s`} → ${relative(process.cwd(), r.file)}`);
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (Node ${NODE_VERSION})`);
