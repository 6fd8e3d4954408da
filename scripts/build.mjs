// Builds everything the controller serves and runs: the server bundle, the
// browser bundle, the agent bundle and the agent package (relais-agent.tgz),
// and the technicians' command line (dist/cli/relais.mjs).
// Usage: node scripts/build.mjs [--agent-only]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemInfoWorkerDefine } from './agents/system-info-worker.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const agentOnly = process.argv.includes('--agent-only');
const started = Date.now();

// Bundled CommonJS dependencies call require(); give the ESM bundle one.
const requireBanner = "import { createRequire as __relaisCreateRequire } from 'node:module'; const require = __relaisCreateRequire(import.meta.url);";

async function buildAgent() {
  const outfile = join(dist, 'agent', 'relais-agent.mjs');
  await build({
    entryPoints: [join(root, 'agent', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native and optional, loaded at run time when installed: node-pty for shells on a
    // pty; bufferutil (and utf-8-validate on Node without buffer.isUtf8) so ws masks
    // frames natively. Without them: pipes, and ws's JavaScript fallbacks.
    external: ['node-pty', 'bufferutil', 'utf-8-validate'],
    banner: { js: `#!/usr/bin/env node\n${requireBanner}` },
    define: { __RELAIS_VERSION__: JSON.stringify(pkg.version), ...(await systemInfoWorkerDefine('node20')) },
    legalComments: 'none',
    // Comments and whitespace out, names kept (readable stack traces): V8 keeps the whole
    // source in memory, as two bytes per character if a single comment holds a non-Latin-1 one.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

async function packAgent() {
  const stage = join(dist, 'agent-package');
  const downloads = join(dist, 'download');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  mkdirSync(downloads, { recursive: true });
  copyFileSync(join(dist, 'agent', 'relais-agent.mjs'), join(stage, 'relais-agent.mjs'));
  chmodSync(join(stage, 'relais-agent.mjs'), 0o755);
  const agentPackage = {
    name: 'relais-agent',
    version: pkg.version,
    description: 'Relais remote-assistance agent: diagnostics, and a remote shell only with your consent.',
    type: 'module',
    bin: { 'relais-agent': 'relais-agent.mjs' },
    engines: { node: '>=20' },
    optionalDependencies: Object.fromEntries(['node-pty', 'bufferutil', 'utf-8-validate'].map((name) => [name, pkg.optionalDependencies[name]])),
    // bufferutil and utf-8-validate ship prebuilt binaries: their install scripts are not needed.
    allowScripts: { 'node-pty': true, bufferutil: false, 'utf-8-validate': false },
    license: 'UNLICENSED',
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(agentPackage, null, 2) + '\n');
  writeFileSync(join(stage, 'README.md'), '# relais-agent\n\nStarted from a Relais support link. Nothing happens on this machine without your consent.\n');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', downloads], { cwd: stage, stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = readdirSync(downloads).find((f) => f.startsWith('relais-agent-') && f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced no relais-agent tarball');
  renameSync(join(downloads, tgz), join(downloads, 'relais-agent.tgz'));
}

async function buildController() {
  await build({
    entryPoints: [join(root, 'controller', 'server', 'main.ts')],
    outfile: join(dist, 'controller', 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    banner: { js: requireBanner },
    define: { __RELAIS_VERSION__: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
}

async function buildCli() {
  const outfile = join(dist, 'cli', 'relais.mjs');
  await build({
    entryPoints: [join(root, 'controller', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: `#!/usr/bin/env node\n${requireBanner}` },
    define: { __RELAIS_VERSION__: JSON.stringify(pkg.version) },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

/**
 * zod re-exports every language it ships (`z.locales`), which the browser bundle would
 * carry in full (~170 KB) although Relais only speaks English: point that one module
 * at English alone.
 */
const englishOnlyZodLocales = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: 'zod-locales-en', namespace: 'relais' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales-en$/, namespace: 'relais' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};

async function buildWeb() {
  const out = join(dist, 'web');
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(root, 'controller', 'web', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    plugins: [englishOnlyZodLocales],
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(root, 'controller', 'web', file), join(out, file));
  copyFileSync(join(root, 'node_modules', '@xterm', 'xterm', 'css', 'xterm.css'), join(out, 'xterm.css'));
  // The reports' charts (uPlot): its stylesheet, served like xterm's.
  copyFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(out, 'uplot.css'));
}

await buildAgent();
await packAgent();
if (!agentOnly) await Promise.all([buildController(), buildWeb(), buildCli()]);
console.error(`relais: built ${agentOnly ? 'agent' : 'controller, web, agent and CLI'} in ${Date.now() - started} ms`);
