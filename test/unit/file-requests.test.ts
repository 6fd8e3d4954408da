/**
 * The agent's file transfers (agent/files/file-requests.ts) on fakes — a recorded wire,
 * a consent authority the test answers, a recorded terminal — with a real temporary
 * folder for Downloads: what is refused before asking, what each answer does, the bytes
 * written and acknowledged, the checks at the end, and every way a transfer stops
 * leaving no partial file behind.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsentAuthority, ConsentOutcome, ConsentRequest } from '../../agent/consent/consent.js';
import { FileRequests } from '../../agent/files/file-requests.js';
import type { ShellWire } from '../../agent/shell/shell-requests.js';
import { FILE_CHANNEL_BASE, FILE_LIMITS, FRAME_HEADER_BYTES, FrameKind, decodeFrame, type AgentToController, type Frame } from '../../protocol/index.js';
import { until } from '../helpers/until.js';

const root = mkdtempSync(join(tmpdir(), 'relais-file-requests-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const technician = { username: 'sam', name: 'Sam Lee' };
let folders = 0;

function setup(options: { maxBytes?: number } = {}) {
  const home = join(root, `home-${++folders}`);
  const downloads = join(home, 'Downloads');
  const sent: AgentToController[] = [];
  const frames: Buffer[] = [];
  const wire: ShellWire = {
    send: (m) => sent.push(m) > 0,
    sendFrame: (f) => frames.push(Buffer.from(f)) > 0,
    congested: false,
    whenDrained: (callback) => callback(),
    replyError: (code, _detail, channel) => void sent.push({ t: 'error', code, message: '', ...(channel !== undefined ? { channel } : {}) }),
  };
  const asked: ConsentRequest[] = [];
  const answers: Array<(outcome: ConsentOutcome) => void> = [];
  const cancelled: number[] = [];
  const consent: ConsentAuthority = {
    ask: (request) => new Promise((resolve) => {
      asked.push(request);
      answers.push(resolve);
    }),
    cancel: (channel) => {
      cancelled.push(channel);
      answers.shift()?.('cancelled');
    },
    cancelAll: () => undefined,
  };
  const said: string[] = [];
  // A home that exists, with no Downloads folder yet (the agent creates it).
  mkdirSync(home, { recursive: true });
  const files = new FileRequests({
    wire, consent, terminal: { say: (text) => void said.push(text), interactive: false },
    host: { home, env: {}, platform: process.platform, localUser: 'pat' }, maxBytes: options.maxBytes ?? 10_000_000, downloads: () => downloads,
  });
  const answer = async (outcome: ConsentOutcome) => {
    await until(() => answers.length > 0, 5000, 'a question');
    answers.shift()!(outcome);
  };
  const of = <T extends AgentToController['t']>(t: T) => sent.filter((m): m is Extract<AgentToController, { t: T }> => m.t === t);
  const data = () => frames.map((f) => decodeFrame(f)).flatMap((r) => (r.ok && r.frame.kind === FrameKind.data ? [r.frame] : []));
  const acked = () => frames.reduce((n, f) => n + (f[0] === FrameKind.ack ? f.readUInt32BE(FRAME_HEADER_BYTES) : 0), 0);
  return { files, home, downloads, sent, asked, cancelled, said, answer, of, data, acked };
}

const dataFrame = (channel: number, payload: Buffer): Frame => ({ kind: FrameKind.data, channel, payload });
const offer = (channel: number, size: number, name = 'report.pdf') => ({ t: 'file.offer' as const, channel, requestedBy: technician, name, size });
const partials = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.part'));

describe('a file sent here', () => {
  it('asks with the name, size and folder; on yes writes it, acknowledges what the disk took, and names it once checked', async () => {
    const s = setup();
    writeFileSync(join(s.home, 'placeholder'), '');
    const channel = FILE_CHANNEL_BASE + 1;
    const bytes = Buffer.alloc(700_000, 9);
    const done = s.files.offer(offer(channel, bytes.length));
    await s.answer('granted');
    await done;
    expect(s.asked[0]!.file!.asked.join('\n')).toMatch(/Sam Lee \(sam\) wants to SEND YOU A FILE: "report\.pdf" \(684\u00a0KB\)[^]*saved in .*Downloads as "report\.pdf"/);
    expect(s.of('file.consent')).toEqual([{ t: 'file.consent', channel, decision: 'granted' }]);
    expect(s.of('file.accept')).toEqual([{ t: 'file.accept', channel, window: FILE_LIMITS.windowBytes, name: 'report.pdf', folder: s.downloads }]);
    for (let at = 0; at < bytes.length; at += 65536) s.files.frame(dataFrame(channel, bytes.subarray(at, at + 65536)));
    await until(() => s.acked() === bytes.length, 5000, 'every byte acknowledged');
    expect(partials(s.downloads)).toHaveLength(1);
    await s.files.end({ t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) });
    const savedAs = join(s.downloads, 'report.pdf');
    expect(s.of('file.done')).toEqual([{ t: 'file.done', channel, size: bytes.length, sha256: sha(bytes), savedAs }]);
    expect(readFileSync(savedAs).equals(bytes)).toBe(true);
    expect(partials(s.downloads)).toEqual([]);
    expect(s.said.at(-1)).toContain(`File received: ${savedAs}`);
  });

  it('never replaces a file: a second one of the same name becomes "name (1)"', async () => {
    const s = setup();
    for (const [index, content] of ['first', 'second'].entries()) {
      const channel = FILE_CHANNEL_BASE + 10 + index;
      const bytes = Buffer.from(content);
      const done = s.files.offer(offer(channel, bytes.length, 'notes.txt'));
      await s.answer('granted');
      await done;
      s.files.frame(dataFrame(channel, bytes));
      await s.files.end({ t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) });
    }
    expect(readFileSync(join(s.downloads, 'notes.txt'), 'utf8')).toBe('first');
    expect(readFileSync(join(s.downloads, 'notes (1).txt'), 'utf8')).toBe('second');
  });

  it('a no, or no answer, writes nothing and reports the decision', async () => {
    const s = setup();
    for (const [index, decision] of (['declined', 'timeout'] as const).entries()) {
      const channel = FILE_CHANNEL_BASE + 20 + index;
      const done = s.files.offer(offer(channel, 5));
      await s.answer(decision);
      await done;
      s.files.frame(dataFrame(channel, Buffer.from('bytes')));
      expect(s.of('file.consent').at(-1)).toEqual({ t: 'file.consent', channel, decision });
    }
    expect(readdirSync(s.downloads)).toEqual([]);
    expect(s.of('file.accept')).toEqual([]);
    expect(s.files.size).toBe(0);
  });

  it('refuses before asking a file over the limit here', async () => {
    const s = setup({ maxBytes: 100 });
    await s.files.offer(offer(FILE_CHANNEL_BASE + 30, 101));
    expect(s.asked).toEqual([]);
    expect(s.of('file.failed')).toEqual([{ t: 'file.failed', channel: FILE_CHANNEL_BASE + 30, code: 'FILE_ERR_TOO_LARGE', detail: '101 > 100' }]);
    expect(s.said.at(-1)).toContain('refused without asking you');
  });

  it('deletes the partial file when the bytes run past the size, the SHA-256 differs, the technician cancels or the person stops it', async () => {
    const s = setup();
    const start = async (channel: number, size: number) => {
      const done = s.files.offer(offer(channel, size, `f${channel}.bin`));
      await s.answer('granted');
      await done;
    };
    const over = FILE_CHANNEL_BASE + 40;
    await start(over, 4);
    s.files.frame(dataFrame(over, Buffer.from('12345')));
    const damaged = FILE_CHANNEL_BASE + 41;
    await start(damaged, 5);
    s.files.frame(dataFrame(damaged, Buffer.from('12345')));
    await s.files.end({ t: 'file.end', channel: damaged, size: 5, sha256: sha(Buffer.from('54321')) });
    const cancelled = FILE_CHANNEL_BASE + 42;
    await start(cancelled, 10);
    s.files.frame(dataFrame(cancelled, Buffer.from('12345')));
    s.files.cancel(cancelled, 'technician');
    const stopped = FILE_CHANNEL_BASE + 43;
    await start(stopped, 10);
    s.files.frame(dataFrame(stopped, Buffer.from('12345')));
    expect(s.files.stopAll()).toBe(1);
    expect(s.of('file.failed').map((m) => [m.channel, m.code])).toEqual([
      [over, 'FILE_ERR_SIZE_MISMATCH'], [damaged, 'FILE_ERR_INTEGRITY'], [stopped, 'FILE_ERR_CANCELLED'],
    ]);
    await until(() => readdirSync(s.downloads).length === 0, 5000, 'no partial file left');
    expect(s.files.size).toBe(0);
  });

  it('a question withdrawn by the technician, or lost with the connection, asks no more and sends nothing', async () => {
    const s = setup();
    const withdrawn = s.files.offer(offer(FILE_CHANNEL_BASE + 50, 5));
    await until(() => s.asked.length === 1, 5000, 'the question');
    s.files.cancel(FILE_CHANNEL_BASE + 50, 'technician');
    await withdrawn;
    expect(s.cancelled).toEqual([FILE_CHANNEL_BASE + 50]);
    const moving = FILE_CHANNEL_BASE + 51;
    const started = s.files.offer(offer(moving, 10));
    await s.answer('granted');
    await started;
    s.files.frame(dataFrame(moving, Buffer.from('12345')));
    s.files.dropAll();
    await until(() => partials(s.downloads).length === 0, 5000, 'the partial file deleted');
    expect(s.of('file.consent').map((m) => m.channel)).toEqual([moving]);
    expect(s.of('file.failed')).toEqual([]);
  });
});

describe('a file fetched from here', () => {
  it('says what it found, asks, then sends no more than the credit allows, then the rest and its SHA-256', async () => {
    const s = setup();
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 11, 5);
    writeFileSync(join(s.home, 'dump.bin'), bytes);
    const channel = FILE_CHANNEL_BASE + 60;
    const window = 1024 * 1024;
    const done = s.files.request({ t: 'file.request', channel, requestedBy: technician, path: '~/dump.bin', window, maxBytes: 1e9 });
    await s.answer('granted');
    expect(s.of('file.info')).toEqual([{ t: 'file.info', channel, name: 'dump.bin', path: join(s.home, 'dump.bin'), size: bytes.length }]);
    expect(s.asked[0]!.file!.asked[0]).toContain(`asks for a COPY OF ONE FILE from this computer: ${join(s.home, 'dump.bin')} (3\u00a0MB)`);
    const sentBytes = () => s.data().reduce((n, f) => n + (f.kind === FrameKind.data ? f.payload.byteLength : 0), 0);
    await until(() => sentBytes() >= window, 5000, 'the first window');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sentBytes()).toBeLessThanOrEqual(window + 4 * 65536);
    while (s.of('file.end').length === 0) {
      const before = sentBytes();
      s.files.frame({ kind: FrameKind.ack, channel, credit: before });
      await until(() => sentBytes() > before || s.of('file.end').length > 0, 5000, 'more bytes');
    }
    await done;
    expect(Buffer.concat(s.data().map((f) => (f.kind === FrameKind.data ? Buffer.from(f.payload) : Buffer.alloc(0)))).equals(bytes)).toBe(true);
    expect(s.of('file.end')).toEqual([{ t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) }]);
  });

  it('refuses a path before asking, and sends nothing after a no', async () => {
    const s = setup();
    await s.files.request({ t: 'file.request', channel: FILE_CHANNEL_BASE + 70, requestedBy: technician, path: '/etc/../etc/passwd', window: 65536, maxBytes: 1e9 });
    expect(s.asked).toEqual([]);
    expect(s.of('file.failed')).toEqual([{ t: 'file.failed', channel: FILE_CHANNEL_BASE + 70, code: 'FILE_ERR_PATH_REFUSED', detail: 'dot-dot' }]);
    writeFileSync(join(s.home, 'secret.txt'), 'secret');
    const done = s.files.request({ t: 'file.request', channel: FILE_CHANNEL_BASE + 71, requestedBy: technician, path: '~/secret.txt', window: 65536, maxBytes: 1e9 });
    await s.answer('declined');
    await done;
    expect(s.data()).toEqual([]);
    expect(s.of('file.consent').at(-1)).toEqual({ t: 'file.consent', channel: FILE_CHANNEL_BASE + 71, decision: 'declined' });
  });
});
