/**
 * Shell recordings (issue 10) with real processes: a controller, an agent joined from
 * a support link made from a ticket, a console opening a consented shell. The shell is
 * recorded as asciicast v2 (downloaded, parsed, played by the real `asciinema cat`), the
 * person was told in the consent question, the ticket's timeline has the shell's opening
 * and end; with --no-recording nothing is recorded and the question says nothing of it;
 * a controller killed with SIGKILL mid-shell leaves a readable file with what the shell
 * printed more than a second before, and retention deletes it once old (audited).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DeviceListItem } from '../../protocol/index.js';
import { parseAsciicast, readAsciicastFile } from '../../controller/server/recordings/asciicast-reader.js';
import { recordingAnswers, type RecordingView } from '../../protocol/rest-recording-answers.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startWithConsole, stopAll, type ControllerWithConsole } from '../helpers/console-client.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { withControllerStore } from '../helpers/controller-store.js';
import { eventually } from '../helpers/until.js';

const QUESTION = /\[y\/N\]/i;
const RECORDED = 'This remote shell is recorded';
const agents: RunningAgent[] = [];
const suites: ControllerWithConsole[] = [];
const dirs: string[] = [];
afterEach(() => stopAll(agents));
afterAll(async () => {
  await Promise.all(suites.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function call(c: RunningController, cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; res: Response }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { cookie, origin: c.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, res };
}

/** `asciinema cat` in a pseudo-terminal (it opens /dev/tty), as in asciicast-cli.test.ts. */
function asciinemaCat(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', `/usr/bin/asciinema cat '${path}'`, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      timeout: 30_000,
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`asciinema cat exited with ${code}: ${Buffer.concat(out).toString('utf8')}`))));
  });
}

/** Starts an agent from `url` and waits until the console sees its device online with its summary. */
async function joinAgent(s: ControllerWithConsole, url: string): Promise<{ agent: RunningAgent; device: DeviceListItem }> {
  const known = new Set(s.console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const agent = spawnAgent(['join', url], { env: { RELAIS_LANG: 'en' } });
  agents.push(agent);
  const update = await s.console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null);
  return { agent, device: update.device };
}

/** Asks for a shell, checks the question, says yes; the channel. */
async function openShell(s: ControllerWithConsole, agent: RunningAgent, deviceId: string): Promise<{ channel: number; question: string }> {
  const before = agent.output().length;
  const channel = await s.console.requestShell(deviceId, 100, 30);
  await agent.waitFor(QUESTION);
  const question = agent.output().slice(before);
  agent.answer('y');
  await s.console.waitFor('shell.opened', (m) => m.channel === channel);
  return { channel, question };
}

async function recordingsOf(s: ControllerWithConsole, query: string): Promise<RecordingView[]> {
  const list = await call(s.controller, s.cookie, 'GET', `/api/recordings?${query}`);
  expect(list.status).toBe(200);
  return recordingAnswers.list.parse(list.json).recordings;
}

describe('shell recordings', () => {
  it('records a shell from a ticket: row, timeline, download as asciicast that asciinema plays, and the person is told', async () => {
    expect(existsSync('/usr/bin/asciinema'), 'asciinema is not installed: apt-get install asciinema').toBe(true);
    const s = await startWithConsole();
    suites.push(s);
    const { controller: c, cookie } = s;
    const ticket = await call(c, cookie, 'POST', '/api/tickets', {
      title: 'Imprimante bloquée', description: 'La file ne se vide pas.', requester: { name: 'Claire Martin', phone: '+33 1 23 45 67 89', email: 'claire.martin@example.com' }, category: 'hardware', impact: 'medium', urgency: 'medium',
    });
    expect(ticket.status).toBe(201);
    const number = ticket.json.ticket.number as number;
    const link = await call(c, cookie, 'POST', '/api/support-links', { ticketNumber: number });
    expect(link.status).toBe(201);
    const { agent, device } = await joinAgent(s, link.json.url as string);

    const { channel, question } = await openShell(s, agent, device.id);
    expect(question).toContain(RECORDED);
    s.console.type(channel, 'echo rec-$((6*7))\r');
    await s.console.waitForOutput(channel, 'rec-42');
    s.console.send({ t: 'shell.resize', channel, cols: 90, rows: 20 });
    s.console.send({ t: 'shell.close', channel });
    await s.console.waitFor('shell.closed', (m) => m.channel === channel);

    const [recording] = await eventually(() => recordingsOf(s, `deviceId=${device.id}`), (list) => list[0]?.state === 'closed', 10_000, 'the closed recording');
    expect(recording).toMatchObject({ deviceId: device.id, channel, technician: 'admin', ticketNumber: number, truncated: false, state: 'closed' });
    expect(recording!.bytes).toBeGreaterThan(0);
    expect(recording!.endedAt).toBeGreaterThanOrEqual(recording!.startedAt);
    expect((await recordingsOf(s, `ticket=${number}`)).map((r) => r.id)).toEqual([recording!.id]);
    expect(await recordingsOf(s, 'ticket=999999')).toEqual([]);
    const one = await call(c, cookie, 'GET', `/api/recordings/${recording!.id}`);
    expect(recordingAnswers.one.parse(one.json).recording).toEqual(recording);
    expect((await call(c, cookie, 'GET', '/api/recordings/nosuchrecording')).status).toBe(404);
    expect((await call(c, cookie, 'GET', '/api/recordings?limit=0')).json.error.code).toBe('HTTP_ERR_BAD_REQUEST');

    const cast = await call(c, cookie, 'GET', `/api/recordings/${recording!.id}/cast`);
    expect(cast.status).toBe(200);
    expect(cast.res.headers.get('content-type')).toBe('application/x-asciicast');
    expect(cast.res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="relais-${device.id}-\\d{8}-\\d{6}\\.cast"$`));
    const text = await (await fetch(`${c.url}/api/recordings/${recording!.id}/cast`, { headers: { cookie } })).text();
    const parsed = parseAsciicast(text);
    expect(parsed.header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(parsed.truncatedTail).toBe(false);
    const output = parsed.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(output).toContain('rec-42');
    expect(parsed.events.some((e) => e[1] === 'r' && e[2] === '90x20')).toBe(true);
    expect(parsed.events.every((e) => e[1] !== 'i')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'relais-rec-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'download.cast'), text);
    expect(await asciinemaCat(join(dir, 'download.cast'))).toContain('rec-42');

    // The ticket's timeline: the shell opened, then closed with its recording.
    const timeline = (await call(c, cookie, 'GET', `/api/tickets/${number}/timeline`)).json.events as Array<{ kind: string; data: Record<string, unknown> }>;
    const kinds = timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['agent_joined', 'shell_opened', 'shell_closed']));
    expect(kinds.indexOf('shell_opened')).toBeLessThan(kinds.indexOf('shell_closed'));
    expect(timeline.find((e) => e.kind === 'shell_closed')!.data).toMatchObject({ recordingId: recording!.id, reason: 'technician' });

    const audit = (await call(c, cookie, 'GET', '/api/audit?limit=200')).json.entries as Array<{ action: string; detail: Record<string, unknown> | null }>;
    expect(audit.filter((e) => e.action === 'recording.downloaded').map((e) => e.detail?.recordingId)).toContain(recording!.id);
    expect(audit.find((e) => e.action === 'shell.opened')?.detail?.recordingId).toBe(recording!.id);
  });

  it('with --no-recording nothing is recorded and the question does not say it is', async () => {
    const s = await startWithConsole({ args: ['--no-recording'] });
    suites.push(s);
    const link = await createSupportLink(s.controller, s.cookie);
    const { agent, device } = await joinAgent(s, link.url);
    const { channel, question } = await openShell(s, agent, device.id);
    expect(question).toMatch(QUESTION);
    expect(question).not.toContain(RECORDED);
    s.console.type(channel, 'echo rec-$((6*7))\r');
    await s.console.waitForOutput(channel, 'rec-42');
    s.console.send({ t: 'shell.close', channel });
    await s.console.waitFor('shell.closed', (m) => m.channel === channel);
    await new Promise((r) => setTimeout(r, 300));
    expect(await recordingsOf(s, '')).toEqual([]);
    expect(readdirSync(join(s.controller.dataDir, 'recordings'))).toEqual([]);
  });

  it('a controller killed mid-shell leaves a readable recording with what was printed more than a second before', async () => {
    const s = await startWithConsole({ keepData: true });
    suites.push(s);
    dirs.push(s.controller.dataDir);
    const link = await createSupportLink(s.controller, s.cookie);
    const { agent, device } = await joinAgent(s, link.url);
    const { channel } = await openShell(s, agent, device.id);
    s.console.type(channel, 'echo early-$((6*7))\r');
    await s.console.waitForOutput(channel, 'early-42');
    await new Promise((r) => setTimeout(r, 1200));
    s.console.type(channel, 'for i in 1 2 3 4 5; do echo late-$i; done\r');
    s.controller.child.kill('SIGKILL');
    await new Promise((r) => s.controller.child.once('exit', r));

    const folder = join(s.controller.dataDir, 'recordings');
    const files = readdirSync(folder).filter((f) => f.endsWith('.cast'));
    expect(files).toHaveLength(1);
    const cast = await readAsciicastFile(join(folder, files[0]!));
    expect(cast.header.width).toBe(100);
    expect(cast.events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toContain('early-42');

    // Retention: made 40 days old, the recording goes (file and row) at the next start's first run, audited.
    await withControllerStore(s.controller, (db) => db.updateTable('recordings').set({ started_at: Date.now() - 40 * 24 * 60 * 60 * 1000 }).execute());
    const again = await startController({ dataDir: s.controller.dataDir, args: ['--recording-retention-days', '30'] });
    try {
      const cookie = await login(again, 'admin', s.controller.adminPassword);
      const audit = await eventually(
        async () => (await call(again, cookie, 'GET', '/api/audit?limit=200')).json.entries as Array<{ action: string; detail: Record<string, unknown> | null }>,
        (entries) => entries.some((e) => e.action === 'recordings.purged'),
        20_000,
        'recordings.purged',
      );
      expect(audit.find((e) => e.action === 'recordings.purged')!.detail).toMatchObject({ retentionDays: 30, deleted: 1 });
      expect(readdirSync(folder)).toEqual([]);
      expect((await call(again, cookie, 'GET', '/api/recordings')).json.recordings).toEqual([]);
    } finally {
      await again.stop();
    }
  });
});
