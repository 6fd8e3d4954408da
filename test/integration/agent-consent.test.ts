/**
 * The agent against a hostile controller: consent is decided on the machine,
 * by the person, and nothing the controller sends can open a shell without it.
 * Real agent processes, real ptys, websockets on 127.0.0.1 only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startHostileController, TEST_TECHNICIAN, type AgentConnection, type HostileController, type HostileOptions } from '../helpers/hostile-controller.js';
import { repoRoot } from '../helpers/paths.js';
import { childrenOf, isAlive, shellChildren, waitForExit } from '../helpers/processes.js';
import { DEADLINE_MS, settled, until } from '../helpers/until.js';

const CODE = '482193557';
const QUESTION = /Allow\? \[y\/N\]/;
const OPEN = { t: 'shell.open', cols: 100, rows: 30, requestedBy: TEST_TECHNICIAN, window: LIMITS.initialWindowBytes } as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The agent under test gets an empty home folder: the shell starts there, and the
 * machine's own shell start-up files (which may be slow, or wait on a lock) stay out.
 */
function emptyHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'relais-agent-home-'));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  return home;
}

function startAgent(hc: HostileController, args: string[] = [], env: Record<string, string> = {}, spawn: { keepOutputChars?: number } = {}): RunningAgent {
  const home = emptyHome();
  const agent = spawnAgent(['join', `${hc.url}/s/${CODE}`, ...args], { env: { HOME: home, SHELL: '/bin/bash', ...env }, ...spawn });
  cleanups.push(() => agent.stop());
  return agent;
}

/** A hostile controller and an agent joined to it, with the device summary received. */
async function setup(args: string[] = [], options: HostileOptions = {}, spawn: { keepOutputChars?: number } = {}): Promise<{ hc: HostileController; agent: RunningAgent; conn: AgentConnection }> {
  const hc = await startHostileController(options);
  cleanups.push(() => hc.close());
  const agent = startAgent(hc, args, {}, spawn);
  cleanups.push(() => agent.stop());
  const conn = await hc.connection(0);
  await conn.waitFor('device.summary');
  // The diagnostics sent at join run probes (child processes): let them finish before counting children.
  await conn.waitFor('diagnostics.snapshot', (m) => m.requestId === null);
  return { hc, agent, conn };
}

/** Asserts the agent, having handled everything sent so far, runs no shell (probes of the diagnostics may still run). */
async function expectNoChild(conn: AgentConnection, agentPid: number): Promise<void> {
  await conn.handledSoFar();
  expect(shellChildren(agentPid)).toEqual([]);
}

describe('the command line, as a process', () => {
  it('prints the version, and exits 2 with the usage on bad usage', async () => {
    const version = spawnAgent(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.output().trim()).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    const bad = spawnAgent(['join', '12345']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/9 digits[\s\S]*Usage: relais-agent join/);
  });
});

describe('agent joins', () => {
  it('says hello with the code, sends a valid summary at once, and tells the person who and what', async () => {
    const { agent, conn } = await setup();
    expect(conn.hello?.auth).toEqual({ kind: 'code', code: CODE });
    const { summary } = await conn.waitFor('device.summary');
    expect(summary.memory.totalBytes).toBeGreaterThan(0);
    expect(summary.cpu.cores).toBeGreaterThan(0);
    const out = await agent.waitFor(/To end the session/);
    expect(agent.output()).toContain('Mallory Hostile (mallory)');
    expect(agent.output()).toContain('Test Org');
    expect(agent.output()).toContain(summary.hostname);
    expect(agent.output()).toContain(summary.os.kernel);
    for (const a of summary.addresses) expect(agent.output()).toContain(a.address);
    expect(agent.output()).toMatch(/Nothing runs on this computer without your yes/);
    expect(out).toBeTruthy();
    expect(agent.output()).not.toContain(CODE);
    expect(agent.output()).not.toContain(conn.welcome!.resumeToken);
    expect(conn.invalid).toEqual([]);
  });

  it('sends diagnostics at join and on request; requests arriving together share one collection', async () => {
    const { agent, conn } = await setup();
    const first = await conn.waitFor('diagnostics.snapshot', (m) => m.requestId === null);
    expect(first.snapshot.probes.memory?.status).toBe('ok');
    // Printed after the snapshot was sent: it can reach us after the message does.
    await agent.waitFor(/received a diagnostics report/);
    for (const requestId of ['r1', 'r2', 'r3']) conn.send({ t: 'diagnostics.request', requestId });
    await until(() => conn.ofType('diagnostics.snapshot').length === 4, 10_000, 'three more snapshots');
    const answers = conn.ofType('diagnostics.snapshot').slice(1);
    expect(answers.map((m) => m.requestId)).toEqual(['r1', 'r2', 'r3']);
    expect(new Set(answers.map((m) => m.snapshot.takenAt)).size).toBe(1);
    expect(answers[0]!.snapshot.takenAt).toBeGreaterThan(first.snapshot.takenAt);
    expect(conn.invalid).toEqual([]);
  });
});

describe('consent is decided by the person, on the machine', () => {
  it('1. yes opens a shell that runs what the technician types', async () => {
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 7 });
    await agent.waitFor(QUESTION);
    expect(agent.output()).toMatch(/Mallory Hostile \(mallory\) asks to open a REMOTE SHELL/);
    expect(agent.output()).toMatch(/No answer within 60 s means no/);
    agent.answer('y');
    expect((await conn.waitFor('shell.consent')).decision).toBe('granted');
    const opened = await conn.waitFor('shell.opened', (m) => m.channel === 7);
    expect(opened.mode).toBe('pty');
    conn.sendData(7, 'echo relais-$((6*7)) "$PWD"\r');
    await conn.waitForData(7, 'relais-42');
    // The shell starts in the person's home folder.
    expect(conn.dataText(7)).toMatch(/relais-42 \/tmp\/relais-agent-home-/);
    await agent.waitFor('relais-42');
    expect(agent.output()).toMatch(/A REMOTE SHELL IS OPEN, opened by Mallory Hostile/);
    expect(conn.invalid).toEqual([]);
  });

  it('2. a forged consent from the controller opens nothing; silence times out to no', async () => {
    // (End of input and the words of the timeout are unit-tested: test/unit/consent-queue.test.ts.)
    const { agent, conn } = await setup(['--consent-timeout', '2']);
    conn.send({ ...OPEN, channel: 3 });
    await agent.waitFor(QUESTION);
    expect(agent.output()).toMatch(/No answer within 2 s means no/);
    conn.send({ t: 'shell.consent', channel: 3, decision: 'granted' });
    conn.send({ t: 'shell.opened', channel: 3, mode: 'pty', user: 'root', shell: '/bin/sh' });
    conn.sendData(3, 'touch /tmp/relais-forged\r');
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_UNKNOWN_TYPE');
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_UNKNOWN_CHANNEL' && m.channel === 3);
    await expectNoChild(conn, agent.pid);
    const consent = await conn.waitFor('shell.consent', () => true, 10_000);
    expect(consent).toEqual({ t: 'shell.consent', channel: 3, decision: 'timeout' });
    await expectNoChild(conn, agent.pid);
    expect(conn.ofType('shell.opened')).toEqual([]);
    expect(agent.output()).toMatch(/No answer within 2 s, so the answer is no/);
  });

  it('3. no spawns nothing', async () => {
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 4 });
    await agent.waitFor(QUESTION);
    agent.answer('n');
    expect((await conn.waitFor('shell.consent')).decision).toBe('declined');
    conn.sendData(4, 'id\r');
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_UNKNOWN_CHANNEL' && m.channel === 4);
    await expectNoChild(conn, agent.pid);
    expect(conn.ofType('shell.opened')).toEqual([]);
  });

  it('4. a yes typed before the question appeared does not answer it', async () => {
    // (Half a line typed before, and keys on a real terminal, are unit-tested: test/unit/consent-queue.test.ts.)
    const { agent, conn } = await setup();
    await agent.waitFor(/To end the session/);
    agent.answer('y');
    agent.answer('yes');
    await until(() => (agent.output().match(/Nothing is waiting for an answer/g) ?? []).length === 2, 10_000, 'both lines to be read');
    conn.send({ ...OPEN, channel: 5 });
    await agent.waitFor(QUESTION);
    await conn.handledSoFar();
    expect(conn.ofType('shell.consent')).toEqual([]);
    agent.answer('n');
    expect((await conn.waitFor('shell.consent')).decision).toBe('declined');
    await expectNoChild(conn, agent.pid);
  });

  it('asks one question at a time, refuses duplicates and too many channels', async () => {
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 1 });
    conn.send({ ...OPEN, channel: 1 });
    await conn.waitFor('error', (m) => m.channel === 1 && /in use/.test(m.message));
    for (let channel = 2; channel <= LIMITS.maxChannelsPerConnection + 1; channel++) conn.send({ ...OPEN, channel });
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_TOO_MANY_CHANNELS' && m.channel === LIMITS.maxChannelsPerConnection + 1);
    await agent.waitFor(QUESTION);
    await conn.handledSoFar();
    expect(agent.output().match(/Allow\? \[y\/N\]/g)).toHaveLength(1);
    agent.answer('n');
    await conn.waitFor('shell.consent', (m) => m.channel === 1);
    await until(() => (agent.output().match(/Allow\? \[y\/N\]/g) ?? []).length === 2, DEADLINE_MS, 'the second question');
    // The technician withdraws the second request while it is asked.
    conn.send({ t: 'shell.close', channel: 2, reason: 'technician' });
    expect((await conn.waitFor('shell.closed', (m) => m.channel === 2)).exitCode).toBeNull();
    await agent.waitFor(/The request was withdrawn/);
    expect(conn.ofType('shell.consent').map((m) => m.channel)).toEqual([1]);
    expect(shellChildren(agent.pid)).toEqual([]);
  });
});

describe('shells end with the connection, and the agent comes back', () => {
  it('5. a dropped connection kills the shell; the agent reconnects with its resume token', async () => {
    const { hc, agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 9 });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await conn.waitFor('shell.opened');
    conn.sendData(9, 'echo "pid=$$="\r');
    await conn.waitForData(9, /pid=\d+=/);
    const shellPid = Number(/pid=(\d+)=/.exec(conn.dataText(9))![1]);
    expect(childrenOf(agent.pid)).toContain(shellPid);
    expect(isAlive(shellPid)).toBe(true);
    conn.terminate();
    await waitForExit(shellPid);
    await agent.waitFor(/Connection lost — reconnecting in [\d.]+ s/);
    const again = await hc.connection(1);
    expect(again.hello?.auth).toEqual({ kind: 'resume', token: conn.welcome!.resumeToken });
    await agent.waitFor('Reconnected');
    await again.waitFor('device.summary');
    expect(shellChildren(agent.pid)).toEqual([]);
    // A new shell needs a new yes.
    again.send({ ...OPEN, channel: 9 });
    await until(() => (agent.output().match(QUESTION_G) ?? []).length === 2, DEADLINE_MS, 'a new question');
  });

  it('with pipes instead of a pty, the shell and what it started in the background die with the connection', async () => {
    const hc = await startHostileController();
    cleanups.push(() => hc.close());
    const agent = startAgent(hc, [], { RELAIS_AGENT_SHELL_MODE: 'pipes' });
    const conn = await hc.connection(0);
    await conn.waitFor('diagnostics.snapshot');
    conn.send({ ...OPEN, channel: 1 });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    expect((await conn.waitFor('shell.opened')).mode).toBe('pipes');
    // Disowned: the shell will not pass its hang-up on. Under nohup: only SIGKILL ends it.
    conn.sendData(1, 'echo relais-$((6*7)); sleep 300 & disown; A=$!; nohup sleep 301 >/dev/null 2>&1 & disown; echo "pids=$$,$A,$!="\n');
    await conn.waitForData(1, /pids=\d+,\d+,\d+=/);
    await conn.waitForData(1, 'relais-42');
    const pids = /pids=(\d+),(\d+),(\d+)=/.exec(conn.dataText(1))!.slice(1).map(Number);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    conn.terminate();
    for (const pid of pids) await waitForExit(pid);
    await hc.connection(1);
  });

  it('6. garbage never crashes the agent; too many violations close and reconnect', async () => {
    const { hc, agent, conn } = await setup();
    conn.sendRaw('garbage that is not json');
    conn.sendRaw('{"t": "shell.open", "channel": ');
    conn.send({ t: 'shell.exec', command: 'rm -rf /' });
    conn.send({ t: 'shell.open', channel: 0, cols: -1 });
    conn.sendRaw(Buffer.from([9, 0, 0]), true);
    conn.sendData(42, 'hello'); // unknown channel: an error, not a violation
    await until(() => conn.ofType('error').length >= 6, DEADLINE_MS, 'six errors');
    expect(conn.ofType('error').map((m) => m.code)).toEqual([
      'PROTO_ERR_BAD_JSON', 'PROTO_ERR_BAD_JSON', 'PROTO_ERR_UNKNOWN_TYPE', 'PROTO_ERR_INVALID_MESSAGE', 'PROTO_ERR_BAD_FRAME', 'PROTO_ERR_UNKNOWN_CHANNEL',
    ]);
    expect(conn.isOpen).toBe(true);
    // The sixth violation is one too many.
    conn.sendRaw(JSON.stringify({ t: 'x', pad: 'a'.repeat(LIMITS.maxJsonBytes) }));
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_MESSAGE_TOO_LARGE');
    await conn.waitFor('error', (m) => m.code === 'PROTO_ERR_TOO_MANY_VIOLATIONS');
    expect((await conn.closed).code).toBe(4400);
    const second = await hc.connection(1);
    expect(second.hello?.auth.kind).toBe('resume');
    await second.waitFor('device.summary');
    // A frame larger than the protocol allows is cut off by the websocket layer (1009); the agent comes back.
    second.sendRaw(Buffer.alloc(LIMITS.maxFrameBytes + 1, 1), true);
    expect((await second.closed).code).toBe(1009);
    const third = await hc.connection(2);
    expect(third.hello?.auth.kind).toBe('resume');
    expect(agent.exited).toBeDefined();
    expect(isAlive(agent.pid)).toBe(true);
    expect([conn, second, third].flatMap((c) => c.invalid)).toEqual([]);
  });

  it('7. a refused code prints the catalog message and exits 1 without retrying', async () => {
    const hc = await startHostileController({ answerHello: () => ({ error: 'AUTH_ERR_CODE_EXPIRED', close: 4401 }) });
    cleanups.push(() => hc.close());
    const agent = startAgent(hc);
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toContain('This support code has expired. Ask your technician for a new link.');
    expect(agent.output()).not.toContain(CODE);
    // It has exited: it cannot try again.
    expect(hc.connections).toHaveLength(1);
  });

  it('7b. a close code alone (session ended) is fatal too', async () => {
    const hc = await startHostileController({ answerHello: (_hello, index) => (index === 0 ? 'welcome' : 'silent') });
    cleanups.push(() => hc.close());
    const agent = startAgent(hc);
    const conn = await hc.connection(0);
    await conn.waitFor('device.summary');
    conn.socket.close(4410, '');
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toContain('The support session has ended.');
  });
});

describe('flow control and endings', () => {
  it('8. without ACKs the agent stops after about the window, and resumes with ACKs', async () => {
    const window = 16 * 1024;
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 2, window });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await conn.waitFor('shell.opened');
    conn.sendData(2, 'head -c 5000000 /dev/zero | base64\r');
    await until(() => conn.dataBytes(2) >= window, 10_000, 'the first window of output');
    const stalled = await settled(() => conn.dataBytes(2), 500, 10_000, 'the output to stop without credit');
    // One read from the pty can overshoot the window, never much more.
    expect(stalled).toBeLessThan(window + 2 * LIMITS.maxChunkBytes);
    conn.sendAck(2, 256 * 1024);
    await until(() => conn.dataBytes(2) > stalled + 128 * 1024, 10_000, 'more output after the ACK');
    const more = await settled(() => conn.dataBytes(2), 500, 10_000, 'the output to stop when the new credit is spent');
    expect(more).toBeLessThan(stalled + 256 * 1024 + 2 * LIMITS.maxChunkBytes);
  });

  it('a controller that grants endless credit but never reads cannot grow the agent\'s memory', async () => {
    const { agent, conn } = await setup([], {}, { keepOutputChars: 64 * 1024 });
    conn.send({ ...OPEN, channel: 3 });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await conn.waitFor('shell.opened', (m) => m.channel === 3);
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))![1]) * 1024;
    const before = rss();
    for (let i = 0; i < 4; i++) conn.sendAck(3, 0xffffffff);
    conn.keepTailOnly(3);
    conn.socket.pause(); // the lie: credit granted, nothing read
    conn.sendData(3, 'head -c 24000000 /dev/zero | base64; echo FLOOD-$((40+2))\r');
    // The agent mirrors what it reads from the shell to its terminal: once that stops, it has stopped reading,
    // and what it holds is bounded by what it read. Were it not flow-controlled, it would read all 32 MB first.
    await until(() => agent.outputLength() > 1024 * 1024, 10_000, 'the flood to start');
    const read = await settled(() => agent.outputLength(), 500, 60_000, 'the agent to stop reading the shell');
    expect(read).toBeLessThan(20 * 1024 * 1024); // measured: about 8 MB (4 MiB queued in the socket, the rest in the kernel)
    expect(rss() - before).toBeLessThan(64 * 1024 * 1024);
    conn.socket.resume();
    // 24 MB as base64 is 32 MB of output: all of it arrives once the controller reads again.
    await until(() => conn.dataBytes(3) > 32_000_000, 90_000, () => `the whole flood once the controller reads again (${conn.dataBytes(3)} bytes, agent printed ${agent.outputLength()})`);
    await until(() => conn.dataTail(3).includes('FLOOD-42'), 10_000, 'the marker after the flood');
  }, 150_000);

  it('a shell that exits reports its code; the technician closing it reports their reason', async () => {
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 1 });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await conn.waitFor('shell.opened', (m) => m.channel === 1);
    conn.sendData(1, 'exit 3\r');
    expect(await conn.waitFor('shell.closed', (m) => m.channel === 1)).toEqual({ t: 'shell.closed', channel: 1, reason: 'exit', exitCode: 3 });
    await agent.waitFor(/Remote shell closed \(the shell exited with code 3\)/);

    conn.send({ ...OPEN, channel: 1 });
    await until(() => (agent.output().match(QUESTION_G) ?? []).length === 2, DEADLINE_MS, 'the second question');
    agent.answer('yes');
    await conn.waitFor('shell.opened', (m) => m.channel === 1 && conn.ofType('shell.opened').length === 2);
    const [shellPid] = shellChildren(agent.pid);
    conn.send({ t: 'shell.close', channel: 1, reason: 'technician' });
    await until(() => conn.ofType('shell.closed').length === 2, DEADLINE_MS, 'the second shell.closed');
    expect(conn.ofType('shell.closed')[1]).toMatchObject({ channel: 1, reason: 'technician' });
    expect(isAlive(shellPid!)).toBe(false);
  });

  it('the person ends the session: shells killed, controller told, exit 0', async () => {
    const { agent, conn } = await setup();
    conn.send({ ...OPEN, channel: 6 });
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await conn.waitFor('shell.opened');
    // The pty's child may still be between fork and exec when shell.opened arrives.
    await until(() => shellChildren(agent.pid).length > 0, 10_000, 'the shell process to appear');
    const [shellPid] = shellChildren(agent.pid);
    expect(shellPid).toBeDefined();
    agent.answer('quit');
    expect(await agent.exited).toBe(0);
    expect(conn.ofType('shell.closed')).toEqual([{ t: 'shell.closed', channel: 6, reason: 'session-ended', exitCode: null }]);
    expect(conn.ofType('session.end')).toEqual([{ t: 'session.end', reason: 'user' }]);
    expect(agent.output()).toContain('Session ended. Nothing from Relais keeps running on this computer.');
    expect(isAlive(shellPid!)).toBe(false);
  });

  it('session.end from the controller and SIGTERM both end it cleanly with exit 0', async () => {
    const first = await setup();
    first.conn.send({ t: 'session.end', reason: 'resolved by the technician' });
    expect(await first.agent.exited).toBe(0);
    expect(first.agent.output()).toContain('The technician ended the session (resolved by the technician).');

    const second = await setup();
    second.agent.child.kill('SIGTERM');
    expect(await second.agent.exited).toBe(0);
    await second.conn.waitFor('session.end');
  });
});

const QUESTION_G = new RegExp(QUESTION.source, 'g');
