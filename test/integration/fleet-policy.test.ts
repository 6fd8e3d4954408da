/**
 * The unattended policy, decided on the machine: real `relais-agent run`
 * processes (stdin a pipe, so nobody is at a terminal) asked for shells through a
 * real controller and console. deny and ask-without-a-person reach the technician
 * as "refused by policy" with no shell spawned; allow opens one without a question;
 * the file is read at each request, so the machine's administrator stays in
 * charge. Also: install-service writes a unit systemd accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type DeviceListItem } from '../../protocol/index.js';
import { AGENT_BUNDLE, spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startWithConsole, stopAll, type ConsoleClient, type ControllerWithConsole } from '../helpers/console-client.js';
import type { RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent, tempStateDir } from '../helpers/fleet.js';
import { startHostileController, TEST_TECHNICIAN } from '../helpers/hostile-controller.js';
import { shellChildren, waitForExit } from '../helpers/processes.js';

let suite: ControllerWithConsole;
let c: RunningController;
let cookie: string;
let console: ConsoleClient;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
  ({ controller: c, cookie, console } = suite);
});
afterEach(() => stopAll(agents));
afterAll(() => suite?.stop());

/** Enrolls a machine with these policy options, runs it, and waits until it is online with its diagnostics in. */
async function managedAgent(policyArgs: string[]): Promise<{ agent: RunningAgent; device: DeviceListItem; stateDir: string }> {
  const { token } = await createEnrollmentToken(c, cookie, { group: 'policy' });
  const enrolled = await enrollAgent(c, token, policyArgs);
  expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
  const id = enrolled.device!.deviceId;
  const agent = runAgent(enrolled.stateDir);
  agents.push(agent);
  const update = await console.waitFor('device.update', (m) => m.device.id === id && m.device.online && m.device.brief !== null);
  // (The diagnostics at connect run probes as child processes; shellChildren leaves them out.)
  await console.waitFor('device.diagnostics', (m) => m.deviceId === id);
  return { agent, device: update.device, stateDir: enrolled.stateDir };
}

/**
 * Asserts the agent runs no shell once it has handled everything sent so far: it handles
 * requests in order, so when a new request (refused by the same policy) is answered, the
 * earlier ones are long done.
 */
async function expectNoShellAfterAll(pid: number, deviceId: string): Promise<void> {
  const probe = await console.requestShell(deviceId);
  expect((await console.waitFor('shell.consent', (m) => m.channel === probe)).decision).toBe('refused-by-policy');
  expect(shellChildren(pid)).toEqual([]);
}

describe('shells on a managed device', () => {
  it('policy deny: the technician gets "refused by policy" and nothing is spawned', async () => {
    const { agent, device } = await managedAgent(['--policy-shell', 'deny']);
    expect(device.policy).toEqual({ script: 'ask', shell: 'deny', files: 'ask' });
    const channel = await console.requestShell(device.id);
    const consent = await console.waitFor('shell.consent', (m) => m.channel === channel);
    expect(consent.decision).toBe('refused-by-policy');
    expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('declined');
    console.type(channel, 'touch /tmp/relais-policy-should-not-exist\r');
    await expectNoShellAfterAll(agent.pid, device.id);
    expect(console.messages.some((m) => m.t === 'shell.opened' && m.channel === channel)).toBe(false);
    await agent.waitFor(/Refused a remote shell for Administrator \(admin\): the local policy denies shells \(shell: deny\)/);
    expect(agent.output()).not.toMatch(/\[y\/N\]/);
    const audit = (await (await fetch(`${c.url}/api/audit?limit=100`, { headers: { cookie } })).json()) as { entries: Array<{ action: string; target: string | null; detail: { decision?: string } | null }> };
    expect(audit.entries.some((e) => e.action === 'consent.answered' && e.detail?.decision === 'refused-by-policy')).toBe(true);
  });

  it('policy ask with nobody at a terminal: refused by policy, nothing spawned', async () => {
    const { agent, device } = await managedAgent([]); // ask is the default
    expect(device.policy).toEqual({ script: 'ask', shell: 'ask', files: 'ask' });
    const channel = await console.requestShell(device.id);
    expect((await console.waitFor('shell.consent', (m) => m.channel === channel)).decision).toBe('refused-by-policy');
    await expectNoShellAfterAll(agent.pid, device.id);
    await agent.waitFor(/the local policy says ask \(shell: ask\), and nobody is at a terminal to answer/);
    expect(agent.output()).not.toMatch(/\[y\/N\]/);
  });

  it('policy allow: the shell opens without a question, and the agent says so', async () => {
    const { agent, device } = await managedAgent(['--policy-shell', 'allow']);
    const channel = await console.requestShell(device.id, 100, 30);
    expect((await console.waitFor('shell.consent', (m) => m.channel === channel)).decision).toBe('granted');
    await console.waitFor('shell.opened', (m) => m.channel === channel);
    console.type(channel, 'echo managed-$((6*7))\r');
    await console.waitForOutput(channel, 'managed-42');
    await agent.waitFor(/Opening a remote shell for Administrator \(admin\) without asking: the local policy allows shells/);
    await agent.waitFor(/Remote shell opened on channel \d+ for Administrator/);
    expect(agent.output()).not.toMatch(/\[y\/N\]/);
    // Nobody watches a service's output: the shell's output is not copied into its log.
    expect(agent.output()).not.toContain('managed-42');
    const [shellPid] = shellChildren(agent.pid);
    expect(shellPid).toBeDefined();
    console.send({ t: 'shell.close', channel });
    await console.waitFor('shell.closed', (m) => m.channel === channel);
    await waitForExit(shellPid!);
  });

  it('the policy file is read at each request: the machine tightens it, the next shell is refused', async () => {
    const { agent, device, stateDir } = await managedAgent(['--policy-shell', 'allow']);
    writeFileSync(join(stateDir, 'policy.json'), JSON.stringify({ version: 1, script: 'deny', shell: 'deny' }));
    const channel = await console.requestShell(device.id);
    expect((await console.waitFor('shell.consent', (m) => m.channel === channel)).decision).toBe('refused-by-policy');
    expect(shellChildren(agent.pid)).toEqual([]);
    // A broken policy file allows nothing.
    writeFileSync(join(stateDir, 'policy.json'), '{"version":1,"shell":"yes please"}');
    const again = await console.requestShell(device.id);
    expect((await console.waitFor('shell.consent', (m) => m.channel === again)).decision).toBe('refused-by-policy');
    await agent.waitFor(/the policy file cannot be used/);
    await expectNoShellAfterAll(agent.pid, device.id);
  });
});

describe('a hostile controller cannot get around the policy', () => {
  it('shell.open is refused by policy, a forged consent is an unknown message, and keystrokes reach no shell', async () => {
    const hc = await startHostileController();
    const stateDir = tempStateDir();
    try {
      // A state folder as enroll would leave it, pointing at the hostile controller.
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(join(stateDir, 'device.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      writeFileSync(join(stateDir, 'device.json'), JSON.stringify({ version: 1, controllerUrl: hc.url, deviceId: 'dev-hostile', name: 'victim', group: 'lab', insecure: false, enrolledAt: 1 }));
      writeFileSync(join(stateDir, 'policy.json'), JSON.stringify({ version: 1, script: 'deny', shell: 'deny' }));
      const agent = runAgent(stateDir);
      agents.push(agent);
      const conn = await hc.connection(0);
      expect(conn.hello).toMatchObject({ auth: { kind: 'device', deviceId: 'dev-hostile' }, policy: { script: 'deny', shell: 'deny' } });
      await conn.waitFor('diagnostics.snapshot');
      conn.send({ t: 'shell.open', channel: 9, cols: 80, rows: 24, requestedBy: TEST_TECHNICIAN, window: LIMITS.initialWindowBytes });
      expect((await conn.waitFor('shell.consent', (m) => m.channel === 9)).decision).toBe('refused-by-policy');
      conn.send({ t: 'shell.consent', channel: 9, decision: 'granted' });
      conn.send({ t: 'policy.set', shell: 'allow' });
      conn.sendData(9, 'touch /tmp/relais-hostile-should-not-exist\r');
      await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_UNKNOWN_TYPE');
      await conn.handledSoFar();
      expect(shellChildren(agent.pid)).toEqual([]);
      expect(conn.ofType('shell.opened')).toEqual([]);
      expect(JSON.parse(readFileSync(join(stateDir, 'policy.json'), 'utf8'))).toEqual({ version: 1, script: 'deny', shell: 'deny' });
    } finally {
      await hc.close();
    }
  });
});

describe('install-service', () => {
  it('writes a systemd unit that runs the agent for good (checked with systemd-analyze verify where it exists)', async () => {
    const { token } = await createEnrollmentToken(c, cookie);
    const enrolled = await enrollAgent(c, token);
    expect(enrolled.exitCode).toBe(0);
    const unitPath = join(mkdtempSync(join(tmpdir(), 'relais-unit-')), 'relais-agent.service');
    const install = spawnAgent(['install-service', '--state-dir', enrolled.stateDir, '--unit-path', unitPath]);
    expect(await install.exited, install.output()).toBe(0);
    expect(install.output()).toMatch(/not enabled \(--unit-path\)/);
    const unit = readFileSync(unitPath, 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" "${AGENT_BUNDLE}" "run" "--state-dir" "${enrolled.stateDir}"`);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^StandardInput=null$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(unit).toMatch(/^After=network-online.target$/m);
    const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).status === 0;
    if (hasAnalyze) {
      // verify exits 0 on warnings too, so its output must be empty as well.
      const verify = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
      expect(verify.status, verify.stderr).toBe(0);
      expect(`${verify.stdout}${verify.stderr}`.split('\n').filter((line) => line.includes('relais-agent'))).toEqual([]);
    } else {
      // No systemd-analyze on this machine: the unit's content was checked above instead.
      expect(unit).toMatch(/^\[Service\]$/m);
    }
  });

  it('refuses to install a machine that is not enrolled', async () => {
    const install = spawnAgent(['install-service', '--state-dir', tempStateDir(), '--unit-path', join(tmpdir(), 'never-written.service')]);
    expect(await install.exited).toBe(1);
    expect(install.output()).toMatch(/not enrolled/);
    expect(() => execFileSync('test', ['-e', join(tmpdir(), 'never-written.service')])).toThrow();
  });
});
