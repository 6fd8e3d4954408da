/**
 * The real agent's side of file transfers, driven by a scripted (hostile) controller:
 * no byte is written without the person's yes, a damaged file (SHA-256 not the one
 * sent) and a cancelled one leave nothing behind, the person can stop a transfer, and
 * a fetch sends no more than the reader's credit allows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_CHANNEL_BASE, LIMITS } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startHostileController, TEST_TECHNICIAN, type AgentConnection } from '../helpers/hostile-controller.js';
import { until } from '../helpers/until.js';

const CODE = '123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function setup(): Promise<{ agent: RunningAgent; conn: AgentConnection; home: string; downloads: string }> {
  const hc = await startHostileController();
  cleanups.push(() => hc.close());
  const home = mkdtempSync(join(tmpdir(), 'relais-files-agent-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const agent = spawnAgent(['join', `${hc.url}/s/${CODE}`, '--no-prompt'], { env: { HOME: home } });
  cleanups.push(() => agent.stop());
  const conn = await hc.connection(0);
  await conn.waitFor('device.summary');
  await agent.waitFor('Your technician');
  return { agent, conn, home, downloads: join(home, 'Downloads') };
}

const leftovers = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.part'));

describe('a file sent to the agent', () => {
  it('writes nothing for bytes that come without an offer and a yes', async () => {
    const { agent, conn, downloads } = await setup();
    const channel = FILE_CHANNEL_BASE + 7;
    conn.sendData(channel, 'forged bytes');
    conn.send({ t: 'file.end', channel, size: 12, sha256: sha(Buffer.from('forged bytes')) });
    conn.send({ t: 'file.offer', channel, requestedBy: TEST_TECHNICIAN, name: 'evil.sh', size: 12 });
    await agent.waitFor(/\[y\/N\]/, 15_000);
    // Bytes and an end while the person has not answered yet: ignored.
    conn.sendData(channel, 'forged bytes');
    conn.send({ t: 'file.end', channel, size: 12, sha256: sha(Buffer.from('forged bytes')) });
    await conn.handledSoFar();
    agent.answer('n');
    await conn.waitFor('file.consent', (m) => m.channel === channel && m.decision === 'declined');
    await conn.handledSoFar();
    expect(readdirSync(downloads)).toEqual([]);
  });

  it('deletes a file whose SHA-256 is not the one the sender announced', async () => {
    const { agent, conn, downloads } = await setup();
    const channel = FILE_CHANNEL_BASE + 1;
    const bytes = randomBytes(300_000);
    conn.send({ t: 'file.offer', channel, requestedBy: TEST_TECHNICIAN, name: 'setup.msi', size: bytes.length });
    await agent.waitFor(/\[y\/N\]/, 15_000);
    agent.answer('y');
    const accept = await conn.waitFor('file.accept', (m) => m.channel === channel);
    expect(accept).toMatchObject({ name: 'setup.msi', folder: downloads });
    for (let at = 0; at < bytes.length; at += LIMITS.maxChunkBytes) conn.sendData(channel, bytes.subarray(at, at + LIMITS.maxChunkBytes));
    conn.send({ t: 'file.end', channel, size: bytes.length, sha256: sha(Buffer.from('not these bytes')) });
    const failed = await conn.waitFor('file.failed', (m) => m.channel === channel);
    expect(failed.code).toBe('FILE_ERR_INTEGRITY');
    expect(readdirSync(downloads)).toEqual([]);
    await agent.waitFor('was not received');
  });

  it('keeps a checked file, and deletes the partial one when the controller cancels or the person stops it', async () => {
    const { agent, conn, downloads } = await setup();
    const good = FILE_CHANNEL_BASE + 2;
    const bytes = randomBytes(100_000);
    conn.send({ t: 'file.offer', channel: good, requestedBy: TEST_TECHNICIAN, name: 'notes.txt', size: bytes.length });
    await agent.waitFor(/\[y\/N\]/, 15_000);
    agent.answer('y');
    await conn.waitFor('file.accept', (m) => m.channel === good);
    conn.sendData(good, bytes.subarray(0, 60_000));
    conn.sendData(good, bytes.subarray(60_000));
    conn.send({ t: 'file.end', channel: good, size: bytes.length, sha256: sha(bytes) });
    const done = await conn.waitFor('file.done', (m) => m.channel === good);
    expect(done.savedAs).toBe(join(downloads, 'notes.txt'));
    expect(readFileSync(done.savedAs)).toEqual(bytes);

    for (const [channel, stop] of [
      [FILE_CHANNEL_BASE + 3, () => conn.send({ t: 'file.cancel', channel: FILE_CHANNEL_BASE + 3, reason: 'technician' })],
      [FILE_CHANNEL_BASE + 4, () => agent.answer('end')],
    ] as const) {
      conn.send({ t: 'file.offer', channel, requestedBy: TEST_TECHNICIAN, name: 'big.bin', size: 10_000_000 });
      const before = agent.output().length;
      await until(() => agent.output().slice(before).includes('[y/N]'), 15_000, 'the question');
      agent.answer('y');
      await conn.waitFor('file.accept', (m) => m.channel === channel);
      conn.sendData(channel, randomBytes(50_000));
      await until(() => leftovers(downloads).length === 1, 10_000, 'the partial file');
      stop();
      await until(() => leftovers(downloads).length === 0, 10_000, 'the partial file to be deleted');
    }
    await conn.waitFor('file.failed', (m) => m.channel === FILE_CHANNEL_BASE + 4 && m.code === 'FILE_ERR_CANCELLED');
    expect(readdirSync(downloads).sort()).toEqual(['notes.txt']);
  });
});

describe('a file fetched from the agent', () => {
  it('sends no more than the credit allows, then the rest as it is acknowledged, with its SHA-256', async () => {
    const { agent, conn, home } = await setup();
    const bytes = randomBytes(6 * 1024 * 1024);
    writeFileSync(join(home, 'dump.bin'), bytes);
    const channel = FILE_CHANNEL_BASE + 9;
    const window = 1024 * 1024;
    conn.send({ t: 'file.request', channel, requestedBy: TEST_TECHNICIAN, path: join(home, 'dump.bin'), window, maxBytes: bytes.length });
    const info = await conn.waitFor('file.info', (m) => m.channel === channel);
    expect(info).toMatchObject({ name: 'dump.bin', size: bytes.length, path: join(home, 'dump.bin') });
    await agent.waitFor(/\[y\/N\]/, 15_000);
    agent.answer('y');
    await until(() => conn.dataBytes(channel) >= window, 10_000, 'the first window');
    await conn.handledSoFar();
    // One read past the window at most (4 frames), never the whole file.
    expect(conn.dataBytes(channel)).toBeLessThanOrEqual(window + 4 * LIMITS.maxChunkBytes);
    let acked = 0;
    while (acked < bytes.length) {
      const received = conn.dataBytes(channel);
      if (received > acked) {
        conn.sendAck(channel, received - acked);
        acked = received;
      }
      if (acked < bytes.length) await until(() => conn.dataBytes(channel) > acked, 10_000, 'more bytes');
    }
    const end = await conn.waitFor('file.end', (m) => m.channel === channel);
    expect(end).toEqual({ t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) });
    await agent.waitFor('File sent');
  });
});
