/**
 * Files, with consent, across real processes: a real controller, a real agent (its
 * person answering on its stdin), a console over /ws/console and the browser's HTTP
 * upload and download done with fetch. A file goes each way with the person's yes,
 * byte-exact and SHA-256 checked, into the Downloads folder under a free name; a no,
 * no answer in time, a path that escapes or is not a regular file, and a damaged file
 * (a scripted agent lying about its SHA-256) each end with the catalog's code, no
 * partial file left and an audit entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FILE_CHANNEL_BASE, encodeData, type ControllerToConsole, type FileTransferView } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, startWithConsole, stopAll, type ConsoleClient, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink, login } from '../helpers/controller-process.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';

const QUESTION = /\[y\/N\]/;
let setup: ControllerWithConsole;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  setup = await startWithConsole({ env: { RELAIS_FILE_MAX_BYTES: String(8 * 1024 * 1024) } });
});
afterEach(() => stopAll(agents));
afterAll(() => setup?.stop());

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
let requests = 0;

/** A real agent joined with a fresh HOME; resolves with its device id and home folder. */
async function joinedAgent(args: string[] = [], env: Record<string, string> = {}, home = mkdtempSync(join(tmpdir(), 'relais-files-home-'))): Promise<{ agent: RunningAgent; deviceId: string; home: string }> {
  const link = await createSupportLink(setup.controller, setup.cookie);
  const known = new Set(setup.console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const agent = spawnAgent(['join', link.url, '--no-prompt', ...args], { env: { HOME: home, ...env } });
  agents.push(agent);
  const update = await setup.console.waitFor('device.update', (m) => m.device.online && Boolean(m.device.brief) && !known.has(m.device.id), 20_000);
  await agent.waitFor('Your technician', 15_000);
  return { agent, deviceId: update.device.id, home };
}

async function ask(client: ConsoleClient, message: { t: 'file.send'; deviceId: string; name: string; size: number } | { t: 'file.fetch'; deviceId: string; path: string }): Promise<FileTransferView> {
  const requestId = `f${++requests}`;
  client.send({ ...message, requestId });
  const answer = await Promise.race([
    client.waitFor('file.pending', (m) => m.requestId === requestId),
    client.waitFor('error', (m) => m.requestId === requestId).then((m) => {
      throw new Error(`refused: ${m.code}`);
    }),
  ]);
  return answer.transfer;
}

function state(client: ConsoleClient, id: string, wanted: FileTransferView['state'], timeoutMs = 20_000): Promise<FileTransferView> {
  return client.waitFor('file.update', (m) => m.transfer.id === id && m.transfer.state === wanted, timeoutMs).then((m) => m.transfer);
}

function upload(id: string, body: Buffer, cookie = setup.cookie): Promise<Response> {
  return fetch(`${setup.controller.url}/api/files/${id}/upload`, {
    method: 'POST',
    headers: { cookie, origin: setup.controller.url, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
}

async function auditOf(action: string, transferId: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(`${setup.controller.url}/api/audit?action=${action}&limit=50`, { headers: { cookie: setup.cookie } });
  const entries = (await res.json()).entries as Array<{ detail: Record<string, unknown> }>;
  return entries.find((e) => e.detail.transferId === transferId)?.detail;
}

describe('sending a file to the person', () => {
  it('asks with name, size and folder; on yes the file lands in Downloads, checked, under a free name', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    const downloads = join(home, 'Downloads');
    mkdirSync(downloads);
    writeFileSync(join(downloads, 'report.pdf'), 'already here');
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const pending = await ask(setup.console, { t: 'file.send', deviceId, name: 'report.pdf', size: bytes.length });
    expect(pending).toMatchObject({ state: 'asking', direction: 'send', name: 'report.pdf', size: bytes.length });
    const question = await agent.waitFor(/wants to SEND YOU A FILE[^]*\[y\/N\]/, 15_000);
    expect(question).toContain('"report.pdf" (3\u00a0MB)');
    expect(question).toContain(`saved in ${downloads} as "report (1).pdf"`);
    agent.answer('y');
    const ready = await state(setup.console, pending.id, 'ready');
    expect(ready.name).toBe('report (1).pdf');

    const res = await upload(pending.id, bytes);
    expect(res.status).toBe(200);
    const { transfer } = (await res.json()) as { transfer: FileTransferView };
    expect(transfer).toMatchObject({ state: 'done', bytes: bytes.length, sha256: sha(bytes), savedAs: join(downloads, 'report (1).pdf') });
    expect(sha(readFileSync(join(downloads, 'report (1).pdf')))).toBe(sha(bytes));
    expect(readFileSync(join(downloads, 'report.pdf'), 'utf8')).toBe('already here');
    expect(readdirSync(downloads).filter((f) => f.endsWith('.part'))).toEqual([]);
    await agent.waitFor(`File received: ${join(downloads, 'report (1).pdf')}`);
    expect(await auditOf('file.send', pending.id)).toMatchObject({ name: 'report (1).pdf', size: bytes.length, sha256: sha(bytes), outcome: 'done' });
  });

  it('a no sends nothing: the upload is refused, no file is written', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    const pending = await ask(setup.console, { t: 'file.send', deviceId, name: 'tool.exe', size: 10 });
    await agent.waitFor(QUESTION, 15_000);
    agent.answer('n');
    const failed = await state(setup.console, pending.id, 'failed');
    expect(failed.code).toBe('FILE_ERR_DECLINED');
    const res = await upload(pending.id, Buffer.alloc(10));
    expect(res.status).toBe(404);
    expect(existsSync(join(home, 'Downloads', 'tool.exe'))).toBe(false);
    expect(await auditOf('file.send', pending.id)).toMatchObject({ outcome: 'FILE_ERR_DECLINED' });
  });

  it('no answer in time is no', async () => {
    const { agent, deviceId } = await joinedAgent(['--consent-timeout', '1']);
    const pending = await ask(setup.console, { t: 'file.send', deviceId, name: 'a.txt', size: 1 });
    expect(pending.timeoutMs).toBe(1000);
    await agent.waitFor(QUESTION, 15_000);
    expect((await state(setup.console, pending.id, 'failed')).code).toBe('FILE_ERR_NO_ANSWER');
  });

  it('refuses a file over the limit before asking, on the controller and on the agent', async () => {
    const { agent, deviceId } = await joinedAgent([], { RELAIS_FILE_MAX_BYTES: '1000' });
    const requestId = `f${++requests}`;
    setup.console.send({ t: 'file.send', requestId, deviceId, name: 'big.iso', size: 9 * 1024 * 1024 });
    expect((await setup.console.waitFor('error', (m) => m.requestId === requestId)).code).toBe('FILE_ERR_TOO_LARGE');
    const pending = await ask(setup.console, { t: 'file.send', deviceId, name: 'medium.bin', size: 5000 });
    expect((await state(setup.console, pending.id, 'failed')).code).toBe('FILE_ERR_TOO_LARGE');
    await agent.waitFor('refused without asking you');
    expect(agent.output()).not.toMatch(QUESTION);
  });

  it('an agent killed mid-upload: the upload answers FILE_ERR_INTERRUPTED, and the next file offered into that folder clears what it left', async () => {
    const first = await joinedAgent();
    const downloads = join(first.home, 'Downloads');
    const size = 6 * 1024 * 1024;
    const pending = await ask(setup.console, { t: 'file.send', deviceId: first.deviceId, name: 'big.bin', size });
    await first.agent.waitFor(QUESTION, 15_000);
    first.agent.answer('y');
    await state(setup.console, pending.id, 'ready');
    // The browser sends the first megabyte, then nothing more: the agent dies with the file half written.
    const body = new ReadableStream<Uint8Array>({ start: (stream) => stream.enqueue(new Uint8Array(randomBytes(1024 * 1024))) });
    const answered = fetch(`${setup.controller.url}/api/files/${pending.id}/upload`, {
      method: 'POST',
      headers: { cookie: setup.cookie, origin: setup.controller.url, 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    const partial = () => readdirSync(downloads).filter((f) => f.endsWith('.part') && statSync(join(downloads, f)).size > 0);
    for (const deadline = Date.now() + 15_000; partial().length === 0; ) {
      if (Date.now() > deadline) throw new Error('no partial file appeared in Downloads');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const left = partial();
    process.kill(first.agent.pid, 'SIGKILL');
    await first.agent.exited;

    const res = await answered;
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe('FILE_ERR_INTERRUPTED');
    expect((await state(setup.console, pending.id, 'failed')).code).toBe('FILE_ERR_INTERRUPTED');
    expect(await auditOf('file.send', pending.id)).toMatchObject({ outcome: 'FILE_ERR_INTERRUPTED' });
    // Nobody was left to delete it.
    expect(readdirSync(downloads)).toEqual(left);

    // The person starts the agent again: the next file offered into Downloads clears it.
    const second = await joinedAgent([], {}, first.home);
    const bytes = randomBytes(1000);
    const next = await ask(setup.console, { t: 'file.send', deviceId: second.deviceId, name: 'small.bin', size: bytes.length });
    await second.agent.waitFor(QUESTION, 15_000);
    second.agent.answer('y');
    await state(setup.console, next.id, 'ready');
    expect((await upload(next.id, bytes)).status).toBe(200);
    expect(readdirSync(downloads)).toEqual(['small.bin']);
  });

  it('an upload that does not match the announced size is refused and leaves nothing', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    const pending = await ask(setup.console, { t: 'file.send', deviceId, name: 'short.bin', size: 100 });
    await agent.waitFor(QUESTION, 15_000);
    agent.answer('y');
    await state(setup.console, pending.id, 'ready');
    const res = await upload(pending.id, Buffer.alloc(99));
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('FILE_ERR_SIZE_MISMATCH');
    // The transfer stays ready for a correct upload.
    const ok = await upload(pending.id, Buffer.alloc(100, 7));
    expect(ok.status).toBe(200);
    expect(readFileSync(join(home, 'Downloads', 'short.bin'))).toEqual(Buffer.alloc(100, 7));
  });
});

describe('fetching a file from the person', () => {
  it('asks with the real path and size; on yes the browser downloads it as an attachment, checked', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    const bytes = randomBytes(2 * 1024 * 1024 + 5);
    const file = join(home, 'app.log');
    writeFileSync(file, bytes);
    const pending = await ask(setup.console, { t: 'file.fetch', deviceId, path: '~/app.log' });
    const info = await setup.console.waitFor('file.update', (m) => m.transfer.id === pending.id && m.transfer.size !== null);
    expect(info.transfer).toMatchObject({ name: 'app.log', path: file, size: bytes.length, state: 'asking' });
    const question = await agent.waitFor(/COPY OF ONE FILE[^]*\[y\/N\]/, 15_000);
    expect(question).toContain(`${file} (2\u00a0MB)`);
    agent.answer('y');
    await state(setup.console, pending.id, 'ready');
    const res = await fetch(`${setup.controller.url}/api/files/${pending.id}/download`, { headers: { cookie: setup.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="app.log"; filename*=UTF-8''app.log`);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    const got = Buffer.from(await res.arrayBuffer());
    expect(sha(got)).toBe(sha(bytes));
    const done = await state(setup.console, pending.id, 'done');
    expect(done).toMatchObject({ sha256: sha(bytes), bytes: bytes.length });
    await agent.waitFor(`File sent: ${file}`);
    expect(await auditOf('file.fetch', pending.id)).toMatchObject({ path: file, size: bytes.length, sha256: sha(bytes), outcome: 'done' });
  });

  it('refuses, without asking, what escapes or is not one regular file', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    writeFileSync(join(home, 'secret.txt'), 'x');
    mkdirSync(join(home, 'docs'));
    symlinkSync(join(home, 'secret.txt'), join(home, 'link.txt'));
    symlinkSync(home, join(home, 'docs', 'up'));
    const cases: Array<[string, string]> = [
      [`${home}/docs/../secret.txt`, 'FILE_ERR_PATH_REFUSED'],
      [join(home, 'link.txt'), 'FILE_ERR_PATH_REFUSED'],
      [join(home, 'docs', 'up', 'secret.txt'), 'FILE_ERR_PATH_REFUSED'],
      [join(home, 'docs'), 'FILE_ERR_PATH_REFUSED'],
      ['/dev/null', 'FILE_ERR_PATH_REFUSED'],
      ['docs/secret.txt', 'FILE_ERR_PATH_REFUSED'],
      [join(home, 'nowhere.txt'), 'FILE_ERR_NOT_FOUND'],
    ];
    for (const [path, code] of cases) {
      const pending = await ask(setup.console, { t: 'file.fetch', deviceId, path });
      const failed = await state(setup.console, pending.id, 'failed');
      expect(failed.code, path).toBe(code);
    }
    expect(agent.output()).not.toMatch(QUESTION);
    expect(agent.output()).toContain('refused without asking you');
  });

  it('only the technician who asked may download it', async () => {
    const { agent, deviceId, home } = await joinedAgent();
    writeFileSync(join(home, 'a.txt'), 'hello');
    const pending = await ask(setup.console, { t: 'file.fetch', deviceId, path: join(home, 'a.txt') });
    await agent.waitFor(QUESTION, 15_000);
    agent.answer('y');
    await state(setup.console, pending.id, 'ready');
    const admin = setup.cookie;
    const created = await fetch(`${setup.controller.url}/api/users`, {
      method: 'POST', headers: { cookie: admin, origin: setup.controller.url, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'other.tech', name: 'Other Tech', password: 'a long enough password', role: 'technician' }),
    });
    expect(created.status).toBe(201);
    const other = await login(setup.controller, 'other.tech', 'a long enough password');
    const refused = await fetch(`${setup.controller.url}/api/files/${pending.id}/download`, { headers: { cookie: other } });
    expect(refused.status).toBe(403);
    const res = await fetch(`${setup.controller.url}/api/files/${pending.id}/download`, { headers: { cookie: admin } });
    expect(await res.text()).toBe('hello');
  });
});

describe('a damaged file', () => {
  it('a fetch whose SHA-256 does not match is cut short in the browser and reported', async () => {
    // A scripted agent: it sends bytes, then claims another SHA-256.
    const link = await createSupportLink(setup.controller, setup.cookie);
    const fake = await connectProtocolAgent(setup.controller.url);
    fake.send(helloWithCode(link.code, 'liar-host'));
    await fake.next();
    const console = await connectConsole(setup.controller, setup.cookie);
    try {
      const deviceId = (await setup.console.waitFor('device.update', (m) => m.device.hostname === 'liar-host')).device.id;
      const pending = await ask(console, { t: 'file.fetch', deviceId, path: '/tmp/x.log' });
      const request = await waitForAgentMessage(fake, 'file.request');
      const channel = request.channel as number;
      expect(channel).toBeGreaterThanOrEqual(FILE_CHANNEL_BASE);
      const bytes = randomBytes(100_000);
      fake.send({ t: 'file.info', channel, name: 'x.log', path: '/tmp/x.log', size: bytes.length });
      fake.send({ t: 'file.consent', channel, decision: 'granted' });
      await state(console, pending.id, 'ready');
      const res = await fetch(`${setup.controller.url}/api/files/${pending.id}/download`, { headers: { cookie: setup.cookie } });
      fake.send(Buffer.from(encodeData(channel, bytes.subarray(0, 60_000))));
      fake.send(Buffer.from(encodeData(channel, bytes.subarray(60_000))));
      fake.send({ t: 'file.end', channel, size: bytes.length, sha256: sha(Buffer.from('something else')) });
      // The last bytes are held back until the SHA-256 matches: the download never completes.
      await expect(res.arrayBuffer()).rejects.toThrow();
      const failed = await state(console, pending.id, 'failed');
      expect(failed.code).toBe('FILE_ERR_INTEGRITY');
      const cancel = await waitForAgentMessage(fake, 'file.cancel');
      expect(cancel).toMatchObject({ channel, reason: 'integrity' });
      expect(await auditOf('file.fetch', pending.id)).toMatchObject({ outcome: 'FILE_ERR_INTEGRITY' });
    } finally {
      fake.ws.close();
      await console.close();
    }
  });
});

async function waitForAgentMessage(agent: Awaited<ReturnType<typeof connectProtocolAgent>>, t: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = agent.received.find((m) => (m as { t?: string }).t === t);
    if (found) return found as Record<string, unknown>;
    await agent.next(10_000);
  }
}

export type { ControllerToConsole };
