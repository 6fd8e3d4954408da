/**
 * The technicians' command line, end to end: `relais fleet run` (dist/cli/relais.mjs)
 * with an API token against a real controller and real enrolled agent processes;
 * its exit statuses (0 all succeeded, 1 a device failed, 2 usage, 3 connection or
 * auth) and its words; and controllers that lie, send garbage or hang, which must
 * end in a clear error within the request timeout, never a crash or a hang.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_WORDS_FR, ERRORS, type Job, type Run } from '../../protocol/index.js';
import type { RunningAgent } from '../helpers/agent-process.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';
import { repoRoot } from '../helpers/paths.js';
import { eventuallyDefined } from '../helpers/until.js';

const CLI = join(repoRoot, 'dist', 'cli', 'relais.mjs');
const DEVICE_NAMES = ['cli-lab-a', 'cli-lab-b'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the bundled CLI to completion (killed after `killAfterMs`, which fails the test's expectations). */
function relais(args: string[], env: Record<string, string> = {}, killAfterMs = 30_000): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, RELAIS_TOKEN: '', RELAIS_CONTROLLER: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

let c: RunningController;
let cookie: string;
let apiToken: string;
const agents: RunningAgent[] = [];

async function adminPost(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${c.url}${path}`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function waitOnline(names: string[], timeoutMs = 20_000): Promise<void> {
  await eventuallyDefined(async () => {
    const res = await fetch(`${c.url}/api/devices`, { headers: { cookie } });
    const { devices } = (await res.json()) as { devices: Array<{ name?: string; online: boolean }> };
    return names.every((n) => devices.some((d) => d.name === n && d.online)) ? true : undefined;
  }, timeoutMs, `devices ${names.join(', ')} to come online`);
}

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
  apiToken = String((await adminPost('/api/api-tokens', { name: 'cli test' })).token);
  const { token } = await createEnrollmentToken(c, cookie, { group: 'cli', maxUses: DEVICE_NAMES.length });
  for (const name of DEVICE_NAMES) {
    const enrolled = await enrollAgent(c, token, ['--name', name, '--tag', 'cli-lab', '--policy-script', 'allow']);
    expect(enrolled.exitCode).toBe(0);
    agents.push(runAgent(enrolled.stateDir));
  }
  await waitOnline(DEVICE_NAMES);
  await adminPost('/api/scripts', { name: 'cli-hello', title: 'Say hello', interpreter: 'sh', body: 'echo "hello $RELAIS_PARAM_WHO"\n', parameters: [{ name: 'who', description: 'Who to greet' }], timeoutSeconds: 30 });
  await adminPost('/api/scripts', { name: 'cli-fail', title: 'Fail', interpreter: 'sh', body: 'echo "disk is broken" >&2\nexit 3\n', timeoutSeconds: 30 });
}, 90_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await c?.stop();
});

describe('relais fleet run against a real controller and agents', () => {
  it('--json: exits 0 with every device succeeded and its exact output', async () => {
    const r = await relais(['fleet', 'run', '--controller', c.url, '--tag', 'cli-lab', '--script', 'cli-hello', '--param', 'who=technician', '--json'], { RELAIS_TOKEN: apiToken });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { job: Job; runs: Array<Run & { stdout: string }> };
    expect(out.job.status).toBe('completed');
    expect(out.runs).toHaveLength(2);
    for (const run of out.runs) {
      expect(run.status).toBe('succeeded');
      expect(run.exitCode).toBe(0);
      expect(Buffer.from(run.stdout, 'base64').toString()).toBe('hello technician\n');
    }
  });

  it('a failing script: exits 1 with a table naming each device, its status, exit code and first line', async () => {
    const r = await relais(['fleet', 'run', '--controller', c.url, '--token', apiToken, '--tag', 'cli-lab', '--script', 'cli-fail']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+STATUS\s+EXIT\s+DURATION\s+OUTPUT$/);
    for (const name of DEVICE_NAMES) {
      const line = lines.find((l) => l.startsWith(name));
      expect(line, `a row for ${name} in:\n${r.stdout}`).toMatch(/failed\s+3\s+.*disk is broken$/);
    }
    expect(r.stdout).toMatch(/0 of 2 devices succeeded, 2 did not\./);
    // Not a terminal: no progress bar, no carriage returns.
    expect(r.stderr).not.toContain('\r');
    expect(r.stdout + r.stderr).not.toContain(apiToken);
  });

  it('output that tries to reorder the terminal (bidirectional overrides, escapes) is printed inert', async () => {
    await adminPost('/api/scripts', { name: 'cli-bidi', title: 'Bidi', interpreter: 'sh', body: "printf 'lab-pc\\342\\200\\256gpj.exe\\033[2J\\n'\nexit 1\n", timeoutSeconds: 30 });
    const r = await relais(['fleet', 'run', '--controller', c.url, '--token', apiToken, '--tag', 'cli-lab', '--script', 'cli-bidi']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/lab-pc gpj\.exe \[2J/);
    expect(r.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u001b]/);
  });

  it('jobs and job <id> list what ran; an unknown job id is a usage error in the catalog words', async () => {
    const jobs = await relais(['fleet', 'jobs', '--controller', c.url, '--json'], { RELAIS_TOKEN: apiToken });
    expect(jobs.code).toBe(0);
    const list = (JSON.parse(jobs.stdout) as { jobs: Job[] }).jobs;
    expect(list.map((j) => j.scriptName)).toEqual(expect.arrayContaining(['cli-hello', 'cli-fail']));
    const one = await relais(['fleet', 'job', list.find((j) => j.scriptName === 'cli-hello')!.id, '--controller', c.url], { RELAIS_TOKEN: apiToken });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/cli-lab-a .*succeeded\s+0\s+.*hello technician/);
    const missing = await relais(['fleet', 'job', 'no-such-job', '--controller', c.url], { RELAIS_TOKEN: apiToken });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(ERRORS.JOB_ERR_NOT_FOUND.message);
  });

  it('a wrong token: exit 3 with the catalog message, and the token is never printed', async () => {
    const wrong = 'wrong-token-0123456789abcdef';
    const r = await relais(['fleet', 'run', '--controller', c.url, '--tag', 'cli-lab', '--script', 'cli-hello'], { RELAIS_TOKEN: wrong });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(ERRORS.AUTH_ERR_BAD_API_TOKEN.message);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const noTarget = await relais(['fleet', 'run', '--controller', c.url, '--script', 'cli-hello'], { RELAIS_TOKEN: apiToken });
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toMatch(/exactly one of --tag T, --group G or --device ID/);
    const noToken = await relais(['fleet', 'jobs', '--controller', c.url]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/No API token given/);
  });

  it('speaks French when the environment does (LANG=fr_FR.UTF-8) or with --lang fr; --json stays the same', async () => {
    const FR = { LANG: 'fr_FR.UTF-8' };
    const help = await relais(['--help'], FR);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Utilisation\u00a0: relais fleet|tickets <commande> [options]');
    expect(help.stdout).toContain('lance un script sur plusieurs postes');
    const table = await relais(['fleet', 'jobs', '--controller', c.url], { ...FR, RELAIS_TOKEN: apiToken });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TÂCHE\s+SCRIPT\s+ÉTAT\s+POSTES\s+RÉUSSIS\s+ÉCHECS\s+CRÉÉE LE$/);
    expect(table.stdout).toMatch(/terminée/);
    const missing = await relais(['fleet', 'job', 'no-such-job', '--controller', c.url, '--lang', 'fr'], { RELAIS_TOKEN: apiToken });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(ERROR_WORDS_FR.JOB_ERR_NOT_FOUND);
    const noToken = await relais(['fleet', 'jobs', '--controller', c.url], FR);
    expect(noToken.stderr).toMatch(/Aucun jeton d'API indiqué/);
    const english = await relais(['fleet', 'jobs', '--controller', c.url, '--lang', 'en'], { ...FR, RELAIS_TOKEN: apiToken });
    expect(english.stdout.split('\n')[0]).toMatch(/^JOB\s+SCRIPT\s+STATUS/);
    const jsonFr = await relais(['fleet', 'jobs', '--controller', c.url, '--json'], { ...FR, RELAIS_TOKEN: apiToken });
    const jsonEn = await relais(['fleet', 'jobs', '--controller', c.url, '--json'], { RELAIS_TOKEN: apiToken });
    expect(jsonFr.stdout).toBe(jsonEn.stdout);
    const badLang = await relais(['fleet', 'jobs', '--lang', 'de']);
    expect(badLang.code).toBe(2);
    expect(badLang.stderr).toMatch(/--lang must be fr or en, got "de"/);
  });
});

describe('relais against a controller that lies, sends garbage or hangs', () => {
  let fake: Server;
  let fakeUrl: string;
  const answers: Record<string, (res: import('node:http').ServerResponse) => void> = {
    '/garbage': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>surprise</html>'),
    '/lies': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jobs: [{ id: 'x', status: 'exploded', counts: 'many' }] })),
    '/error-shape': (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream exploded'),
    '/hang': () => {},
    '/hang-body': (res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"jobs": ['),
  };

  beforeAll(async () => {
    // Every request gets the answer of the current mode, whatever it asks.
    fake = createServer((_req, res) => answers[modeNow]!(res));
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((r) => fake.close(r));
  });

  let modeNow = '/garbage';
  const jobsAgainstFake = (mode: string) => {
    modeNow = mode;
    return relais(['fleet', 'jobs', '--controller', fakeUrl, '--request-timeout', '2'], { RELAIS_TOKEN: 'some-api-token-0123456789' }, 15_000);
  };

  it('garbage (not JSON): exit 3, a clear message', async () => {
    const r = await jobsAgainstFake('/garbage');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^relais: The controller sent an answer this command does not understand\..*not JSON/);
  });

  it('a lie (JSON of the wrong shape): exit 3, naming the field', async () => {
    const r = await jobsAgainstFake('/lies');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not understand.*jobs\.0\./);
  });

  it('an error that is not a Relais error: exit 3', async () => {
    const r = await jobsAgainstFake('/error-shape');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not understand.*HTTP 500/);
  });

  it.each(['/hang', '/hang-body'])('a controller that hangs (%s): exit 3 within the request timeout', async (mode) => {
    const r = await jobsAgainstFake(mode);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not answer in time/);
    // The fake never answers: without the request timeout the CLI would wait until the test's own deadline.
    // The bound is loose on purpose (a busy machine starts Node slowly); it only tells "timed out" from "hung".
    expect(r.ms).toBeLessThan(30_000);
  });

  it('nothing listening: exit 3, could not reach', async () => {
    const r = await relais(['fleet', 'jobs', '--controller', 'http://127.0.0.1:9', '--token', 'some-api-token-0123456789']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Could not reach the controller/);
  });
});
