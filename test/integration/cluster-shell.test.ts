/**
 * Two controller nodes on one PostgreSQL database and Redis: an attended agent joins
 * node B, a technician's console is on node A. A sees the device online, opens a shell on
 * it through the node link, and the bytes arrive exact and flow-controlled end to end;
 * files go both ways the same way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type FileTransferView } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, stopAll, type ConsoleClient } from '../helpers/console-client.js';
import { startClusterNodes, type ClusterNodes } from '../helpers/cluster-nodes.js';
import { createSupportLink, login, type RunningController } from '../helpers/controller-process.js';

const QUESTION = /\[y\/N\]/i;

describe('a shell across cluster nodes', () => {
  let cluster: ClusterNodes;
  let a: RunningController;
  let b: RunningController;
  let console: ConsoleClient;
  let cookieB: string;
  const agents: RunningAgent[] = [];

  beforeAll(async () => {
    cluster = await startClusterNodes(2);
    [a, b] = cluster.nodes as [RunningController, RunningController];
    console = await connectConsole(a, await login(a));
    cookieB = await login(b);
  });
  afterAll(async () => {
    await stopAll(agents);
    await console?.close();
    await cluster?.stop();
  });

  /** An agent joins node B from a link made on B; the console on A sees it online. */
  async function joinB(env: Record<string, string> = {}): Promise<{ agent: RunningAgent; deviceId: string }> {
    const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
    const link = await createSupportLink(b, cookieB);
    const agent = spawnAgent(['join', link.url], { env });
    agents.push(agent);
    const update = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online, 30_000);
    return { agent, deviceId: update.device.id };
  }

  async function openShell(agent: RunningAgent, deviceId: string, on: ConsoleClient = console): Promise<number> {
    const channel = await on.requestShell(deviceId, 100, 30);
    await agent.waitFor(QUESTION);
    agent.answer('y');
    await on.waitFor('shell.opened', (m) => m.channel === channel, 30_000);
    return channel;
  }

  it('a console on node A sees the agent of node B online, and its shell relays both ways, bytes exact', async () => {
    const { agent, deviceId } = await joinB();
    // The device list read over REST on A shows it online too (the index B wrote).
    const page = await fetch(`${a.url}/api/devices?limit=50`, { headers: { cookie: await login(a) } }).then((r) => r.json()) as { devices: Array<{ id: string; online: boolean }> };
    expect(page.devices.find((d) => d.id === deviceId)?.online).toBe(true);

    const channel = await openShell(agent, deviceId);
    console.type(channel, 'stty -echo; seq 1 40000; echo "END-$((6*7))"\r');
    await console.waitForOutput(channel, 'END-42', 60_000);
    const text = console.output(channel).replace(/\r/g, '');
    const expected = Array.from({ length: 40000 }, (_, i) => `${i + 1}\n`).join('');
    expect(text).toContain(`${expected}END-42`);

    console.send({ t: 'shell.close', channel });
    expect((await console.waitFor('shell.closed', (m) => m.channel === channel)).reason).toBe('technician');
  });

  it('credit flows end to end: a console that acknowledges nothing stops the shell after its window', async () => {
    const { agent, deviceId } = await joinB();
    const silent = await connectConsole(a, await login(a), { ack: false });
    try {
      const channel = await openShell(agent, deviceId, silent);
      silent.type(channel, 'stty -echo; head -c 20000000 /dev/zero | od -v | head -c 20000000; echo\r');
      // Output arrives up to the window, then stops: the agent paused the pty.
      await silent.waitForOutput(channel, /0{6}/, 30_000);
      let last = -1;
      await expect.poll(() => {
        const size = silent.output(channel).length;
        const steady = size === last;
        last = size;
        return steady && size > 0;
      }, { timeout: 30_000, interval: 500 }).toBe(true);
      expect(silent.output(channel).length).toBeLessThanOrEqual(LIMITS.initialWindowBytes + LIMITS.maxChunkBytes * 2);
      expect(silent.output(channel).length).toBeGreaterThan(LIMITS.initialWindowBytes / 2);
      silent.send({ t: 'shell.close', channel });
      await silent.waitFor('shell.closed', (m) => m.channel === channel);
    } finally {
      await silent.close();
    }
  });

  it('a file sent from node A lands on the agent of node B, and one fetched from it downloads from node A, SHA-256 exact', async () => {
    const home = mkdtempSync(join(tmpdir(), 'relais-cluster-files-'));
    mkdirSync(join(home, 'Downloads'));
    const { agent, deviceId } = await joinB({ HOME: home });
    const cookieA = await login(a);
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const ask = async (message: { t: 'file.send'; deviceId: string; name: string; size: number } | { t: 'file.fetch'; deviceId: string; path: string }): Promise<FileTransferView> => {
      const requestId = message.t === 'file.send' ? 'send-1' : 'fetch-1';
      console.send({ ...message, requestId });
      return (await console.waitFor('file.pending', (m) => m.requestId === requestId, 30_000)).transfer;
    };
    const ready = (id: string) => console.waitFor('file.update', (m) => m.transfer.id === id && m.transfer.state === 'ready', 30_000);

    const sent = randomBytes(3 * 1024 * 1024 + 17);
    const sending = await ask({ t: 'file.send', deviceId, name: 'report.bin', size: sent.length });
    await agent.waitFor(/SEND YOU A FILE[^]*\[y\/N\]/, 30_000);
    agent.answer('y');
    await ready(sending.id);
    const uploaded = await fetch(`${a.url}/api/files/${sending.id}/upload`, { method: 'POST', headers: { cookie: cookieA, origin: a.url, 'content-type': 'application/octet-stream' }, body: new Uint8Array(sent) });
    expect(uploaded.status).toBe(200);
    expect(sha(readFileSync(join(home, 'Downloads', 'report.bin')))).toBe(sha(sent));

    const kept = randomBytes(2 * 1024 * 1024 + 5);
    writeFileSync(join(home, 'app.log'), kept);
    const fetching = await ask({ t: 'file.fetch', deviceId, path: '~/app.log' });
    await agent.waitFor(/COPY OF ONE FILE[^]*\[y\/N\]/, 30_000);
    agent.answer('y');
    await ready(fetching.id);
    const downloaded = await fetch(`${a.url}/api/files/${fetching.id}/download`, { headers: { cookie: cookieA } });
    expect(downloaded.status).toBe(200);
    expect(sha(Buffer.from(await downloaded.arrayBuffer()))).toBe(sha(kept));
  });

  it('the shell ends as agent-offline on node A when the agent on node B is killed', async () => {
    const { agent, deviceId } = await joinB();
    const channel = await openShell(agent, deviceId);
    process.kill(agent.pid, 'SIGKILL');
    const closed = await console.waitFor('shell.closed', (m) => m.channel === channel, 30_000);
    expect(closed.reason).toBe('agent-offline');
    await console.waitFor('device.update', (m) => m.device.id === deviceId && !m.device.online, 30_000);
  });
});
