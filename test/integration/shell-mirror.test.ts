/**
 * The person's terminal mirrors the remote shell completely and in order, and a
 * slow or frozen terminal holds the shell back only as long as it is behind: the
 * agent itself stays responsive (it never blocks writing to the terminal). Closing the
 * terminal ends the session as Ctrl+C does. Real controller, real agent in a real pty, real shell.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink } from '../helpers/controller-process.js';
import { shellChildren, waitForExit } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

let suite: ControllerWithConsole;
const agents: AgentInTerminal[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(() => suite?.stop());

const SIGHUP = 1;
const START = 'MIRROR-START-2\r\n';
const END = 'MIRROR-END-4';
const LINES = 300_000;
/** What `seq 1 LINES` looks like on a terminal: "\r\n" after every line. */
const expected = Buffer.from(Array.from({ length: LINES }, (_, i) => `${i + 1}\r\n`).join(''));

/** The bytes between the markers; the agent's own pty turned each "\n" of the shell's "\r\n" into "\r\n" again. */
function section(bytes: Buffer, fromTerminal: boolean): Buffer {
  const raw = bytes.toString('latin1');
  const text = fromTerminal ? raw.replaceAll('\r\r\n', '\r\n') : raw;
  const from = text.indexOf(START);
  const to = text.indexOf(END, from);
  if (from === -1 || to === -1) return Buffer.alloc(0);
  return Buffer.from(text.slice(from + START.length, to), 'latin1');
}

async function openShell() {
  const { controller: c, cookie, console } = suite;
  const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const link = await createSupportLink(c, cookie);
  const agent = startAgentInTerminal(['join', link.url, '--no-prompt']);
  agents.push(agent);
  const { device } = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
  // The agent tells the person when the diagnostics report has gone: let that line come before the stream.
  await console.waitFor('device.diagnostics', (m) => m.deviceId === device.id, 30_000);
  await agent.waitFor('diagnostics report');
  const channel = await console.requestShell(device.id, 120, 40);
  await agent.waitFor('[y/N]');
  agent.type('y');
  await console.waitFor('shell.opened', (m) => m.channel === channel);
  console.type(channel, 'echo READY-$((3*3))\r');
  await console.waitForOutput(channel, 'READY-9');
  await agent.waitFor('READY-9');
  // The diagnostics probes run as short-lived children too: wait until the remote shell is the only one.
  await until(() => shellChildren(agent.pid).length === 1, 10_000, 'the remote shell alone');
  const [shellPid] = shellChildren(agent.pid);
  return { agent, channel, console, shellPid: shellPid!, deviceId: device.id };
}

/** Resolves once the console's output for `channel` has not grown for `quietMs`. */
async function untilStalled(console: ControllerWithConsole['console'], channel: number, quietMs: number): Promise<number> {
  let last = -1;
  let since = Date.now();
  await until(() => {
    const now = console.output(channel).length;
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  }, 30_000, 'the shell output to stall');
  return last;
}

describe('the mirror on the person\'s terminal', () => {
  it('gets every byte in order from a slow terminal, and the shell waits for it only while it is behind', async () => {
    const { agent, channel, console } = await openShell();
    agent.freeze();
    console.type(channel, `echo MIRROR-START-$((1+1)); seq 1 ${LINES}; echo MIRROR-END-$((2+2))\r`);
    // A frozen terminal holds the shell back (as it would hold a local shell)...
    const stalledAt = await untilStalled(console, channel, 700);
    expect(stalledAt).toBeLessThan(expected.length);
    // A slow terminal then gets everything, in order, and so does the technician.
    agent.thaw({ bytesPerTick: 64 * 1024, tickMs: 10 });
    await console.waitForOutput(channel, END, 60_000);
    await agent.waitFor(END, 60_000);
    expect(section(Buffer.from(console.output(channel), 'utf8'), false).equals(expected)).toBe(true);
    const mirrored = section(agent.screen(), true);
    expect(mirrored.equals(expected)).toBe(true);
    // Byte for byte, unfolded: the person's terminal adds no second "\r" (its output processing is off, as under ssh).
    expect(section(agent.screen(), false).equals(expected)).toBe(true);
  });

  it.runIf(process.platform === 'linux')('turns the terminal\'s output processing off while the agent runs (Node puts it back at exit: raw-output.test.ts)', async () => {
    const { agent, channel, console } = await openShell();
    // stty reads the modes of its standard input: the agent's terminal, opened through the agent's own
    // descriptor (its /dev/pts name may belong to another mount).
    const terminal = openSync(`/proc/${agent.pid}/fd/1`, 'r+');
    try {
      expect(execFileSync('stty', ['-a'], { encoding: 'utf8', stdio: [terminal, 'pipe', 'pipe'] })).toMatch(/(^|\s)-opost(\s|$)/);
    } finally {
      closeSync(terminal);
    }
    console.type(channel, 'exit\r');
    await agent.waitFor('Remote shell closed', 30_000);
    // The agent's own lines still start at the left edge: every "\n" it wrote comes after a "\r".
    expect(/[^\r]\n/.test(agent.screen().toString('latin1'))).toBe(false);
  });

  it('the agent stays responsive while its terminal is frozen: the technician can close the shell', async () => {
    const { agent, channel, console, shellPid } = await openShell();
    agent.freeze();
    console.type(channel, 'yes relais-mirror-line\r');
    await untilStalled(console, channel, 700);
    console.send({ t: 'shell.close', channel });
    // The agent reads the request and hangs up the shell while its terminal stays frozen
    // (blocked in a write to that terminal, it could not even read the request).
    await waitForExit(shellPid);
    agent.thaw();
    await agent.waitFor('Remote shell closed', 30_000);
    // The mirror carries exactly what the technician received, in order, up to the end.
    const shown = agent.screen().toString('latin1').replaceAll('\r\r\n', '\r\n');
    const sent = console.output(channel);
    const tail = sent.slice(-4096);
    expect(shown.includes(tail)).toBe(true);
  });

  it('the person closes the window: the session ends, the shell with it, and the agent ends by the hang-up, not by a crash', async () => {
    const { agent, channel, console, shellPid, deviceId } = await openShell();
    // Node's exit puts the terminal's modes back and aborted (SIGABRT, or SIGSEGV within) on a terminal that hung up.
    expect(await agent.hangUp()).toEqual({ exitCode: 0, signal: SIGHUP });
    await waitForExit(shellPid);
    await console.waitFor('shell.closed', (m) => m.channel === channel, 15_000);
    await console.waitFor('device.update', (m) => m.device.id === deviceId && !m.device.online && m.device.sessionStatus === 'ended', 15_000);
  });
});
