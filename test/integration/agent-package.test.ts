/**
 * The package the controller serves is what people run: install it the way npm
 * does, from the controller's own download URL, and join with it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectConsole, type ConsoleClient } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { until } from '../helpers/until.js';

const run = promisify(execFile);
let c: RunningController;
let cookie: string;
let console: ConsoleClient;
const dirs: string[] = [];

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
  console = await connectConsole(c, cookie);
});
afterAll(async () => {
  await console?.close();
  await c?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relais-pkg-'));
  dirs.push(dir);
  return dir;
}

/** Spawns a command with piped stdin and collects everything it prints. */
function startPiped(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

describe('relais-agent.tgz', () => {
  it('installs with npm from the download URL and joins; without node-pty the shell runs over pipes', async () => {
    const dir = tempDir();
    await run('npm', ['install', '--prefix', dir, '--omit=optional', '--no-audit', '--no-fund', `${c.url}/download/relais-agent.tgz`], { timeout: 120_000 });
    const link = await createSupportLink(c, cookie);
    const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const agent = startPiped(join(dir, 'node_modules', '.bin', 'relais-agent'), ['join', link.url], { ...process.env, HOME: tempDir(), SHELL: '/bin/bash' });
    try {
      const update = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
      const channel = await console.requestShell(update.device.id);
      await until(() => /\[y\/N\]/i.test(agent.output()), 10_000, 'the consent question');
      agent.child.stdin.write('y\n');
      const opened = await console.waitFor('shell.opened', (m) => m.channel === channel);
      expect(opened.mode).toBe('pipes');
      expect(agent.output()).toMatch(/node-pty/);
      console.type(channel, 'echo relais-$((6*7))\n');
      await console.waitForOutput(channel, 'relais-42');
    } finally {
      agent.child.kill('SIGTERM');
    }
  }, 180_000);

  it('the exact command shown to the person works (npx with the tarball URL)', async () => {
    const link = await createSupportLink(c, cookie);
    const [program, ...args] = link.command.split(' ');
    expect(program).toBe('npx');
    // A fresh npm cache: what a person who never ran Relais gets (node-pty builds from source if it can).
    const agent = startPiped('npx', args, { ...process.env, npm_config_cache: join(tempDir(), 'npm-cache'), SHELL: '/bin/bash' });
    try {
      await until(() => /Administrator/.test(agent.output()), 240_000, `the agent to join; output so far:\n${agent.output()}`);
      agent.child.stdin.write('quit\n');
      const code = await new Promise<number | null>((r) => agent.child.once('exit', (exitCode) => r(exitCode)));
      expect(code).toBe(0);
    } finally {
      agent.child.kill('SIGTERM');
    }
  }, 300_000);
});
