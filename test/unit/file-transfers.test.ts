/**
 * The controller's file transfers on fakes (fake websockets, a fake request body and
 * response, fake timers): nothing is asked of an offline device or over the limit, the
 * person's answer decides, only the technician who asked carries a transfer out, the
 * upload is read only as fast as the agent's credit allows, a download holds its last
 * bytes back until the SHA-256 matches, and every end (done, no, cancelled, timeout,
 * device gone, damaged) is told to the page and audited once.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry, AuditLog } from '../../controller/server/audit/audit.js';
import { FileTransfers } from '../../controller/server/files/file-transfers.js';
import { PeerSocket } from '../../controller/server/hubs/peer-socket.js';
import type { AgentLink, ConsoleLink } from '../../controller/server/relay/links.js';
import {
  FILE_CHANNEL_BASE, FILE_LIMITS, FRAME_HEADER_BYTES, FrameKind, LIMITS, RelaisError, agentToController, consoleToController, encodeAck, encodeData,
  type FileTransferView,
} from '../../protocol/index.js';
import { FakeWebSocket } from '../helpers/fake-socket.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const SAM = { id: 1, username: 'sam', name: 'Sam Lee', role: 'l1' } as const;
const KIM = { id: 2, username: 'kim', name: 'Kim Roy', role: 'admin' } as const;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function setup(options: { maxBytes?: number } = {}) {
  const notes: AuditEntry[] = [];
  const audit = { note: (entry: AuditEntry) => void notes.push(entry) } as unknown as AuditLog;
  const agentWs = new FakeWebSocket();
  const agent: AgentLink = { peer: new PeerSocket(agentWs.asWebSocket, agentToController, '127.0.0.1', 'agent'), deviceId: 'dev-1', sessionId: 's-1', channels: new Set(), consentTimeoutMs: 60_000 };
  const consoleWs = new FakeWebSocket();
  const tech: ConsoleLink = { peer: new PeerSocket(consoleWs.asWebSocket, consoleToController, '127.0.0.1', 'console'), account: SAM, channels: new Set() };
  const files = new FileTransfers(audit, new Map([[agent.deviceId, agent]]), { maxBytes: options.maxBytes ?? 1_000_000 });
  const updates = () => consoleWs.messages().filter((m) => m.t === 'file.update').map((m) => m.transfer as FileTransferView);
  const toAgent = () => agentWs.messages();
  return { files, agent, agentWs, tech, consoleWs, notes, updates, toAgent, maxBytes: options.maxBytes ?? 1_000_000 };
}

type Setup = ReturnType<typeof setup>;

function send(s: Setup, size: number, name = 'report.pdf'): { id: string; channel: number } {
  s.files.fromConsole(s.tech, { t: 'file.send', requestId: 'r1', deviceId: 'dev-1', name, size });
  const pending = s.consoleWs.messages().find((m) => m.t === 'file.pending') as unknown as { transfer: FileTransferView };
  const offer = s.toAgent().find((m) => m.t === 'file.offer') as unknown as { channel: number };
  return { id: pending.transfer.id, channel: offer.channel };
}

/** An HTTP request body, paused and resumed as the stream under test asks. */
function body(size: number): PassThrough & IncomingMessage {
  const stream = new PassThrough() as PassThrough & IncomingMessage;
  (stream as { headers: Record<string, string> }).headers = { 'content-length': String(size) };
  return stream;
}

/** What a download response needs, recorded; writes complete when the test says so. */
class FakeResponse extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  readonly chunks: Buffer[] = [];
  private readonly pending: Array<() => void> = [];
  ended = false;
  destroyed = false;
  writableFinished = false;
  writeHead(status: number, headers: Record<string, string>): void {
    this.status = status;
    this.headers = headers;
  }
  flushHeaders(): void {}
  cork(): void {}
  uncork(): void {}
  write(chunk: Buffer, done: () => void): boolean {
    this.chunks.push(chunk);
    this.pending.push(done);
    return true;
  }
  end(done: () => void): void {
    this.ended = true;
    this.writableFinished = true;
    done();
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  /** The network took every byte written so far. */
  drain(): void {
    for (const done of this.pending.splice(0)) done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

describe('asking', () => {
  it('sends the offer to the agent, answers the page with the transfer, and audits the question', () => {
    const s = setup();
    const { id, channel } = send(s, 1234);
    expect(channel).toBe(FILE_CHANNEL_BASE);
    expect(s.toAgent()).toEqual([{ t: 'file.offer', channel, requestedBy: { username: 'sam', name: 'Sam Lee' }, name: 'report.pdf', size: 1234 }]);
    expect(s.consoleWs.messages()[0]).toMatchObject({ t: 'file.pending', requestId: 'r1', transfer: { id, state: 'asking', direction: 'send', name: 'report.pdf', size: 1234, timeoutMs: 60_000 } });
    expect(s.notes).toEqual([{ actor: 'sam', action: 'consent.asked', target: 'dev-1', detail: { channel, action: 'file.send', transferId: id } }]);
  });

  it('refuses an offline device, a file over the limit and a fifth transfer, before asking anything', () => {
    const s = setup({ maxBytes: 100 });
    s.files.fromConsole(s.tech, { t: 'file.send', requestId: 'off', deviceId: 'elsewhere', name: 'a', size: 1 });
    s.files.fromConsole(s.tech, { t: 'file.send', requestId: 'big', deviceId: 'dev-1', name: 'a', size: 101 });
    for (let i = 0; i < FILE_LIMITS.maxTransfersPerConnection + 1; i++) s.files.fromConsole(s.tech, { t: 'file.fetch', requestId: `f${i}`, deviceId: 'dev-1', path: '/tmp/x' });
    const errors = s.consoleWs.messages().filter((m) => m.t === 'error');
    expect(errors.map((e) => [e.requestId, e.code])).toEqual([
      ['off', 'SHELL_ERR_DEVICE_OFFLINE'], ['big', 'FILE_ERR_TOO_LARGE'], [`f${FILE_LIMITS.maxTransfersPerConnection}`, 'PROTO_ERR_TOO_MANY_CHANNELS'],
    ]);
    expect(s.files.size).toBe(FILE_LIMITS.maxTransfersPerConnection);
  });

  it('a no ends the transfer with its code, audited once; the upload is then refused', () => {
    const s = setup();
    const { id, channel } = send(s, 10);
    s.files.fromAgent(s.agent, { t: 'file.consent', channel, decision: 'declined' });
    expect(s.updates().at(-1)).toMatchObject({ id, state: 'failed', code: 'FILE_ERR_DECLINED' });
    expect(s.notes.filter((n) => n.action === 'file.send')).toEqual([
      { actor: 'sam', action: 'file.send', target: 'dev-1', detail: { transferId: id, name: 'report.pdf', size: 10, sha256: null, outcome: 'FILE_ERR_DECLINED', savedAs: null } },
    ]);
    expect(() => s.files.upload(id, SAM, body(10))).toThrow(expect.objectContaining({ code: 'HTTP_ERR_NOT_FOUND' }));
    expect(s.files.size).toBe(0);
  });

  it('another agent cannot answer for this one', () => {
    const s = setup();
    const { channel } = send(s, 10);
    const other: AgentLink = { ...s.agent, deviceId: 'dev-2' };
    s.files.fromAgent(other, { t: 'file.consent', channel, decision: 'granted' });
    s.files.fromAgent(other, { t: 'file.accept', channel, window: 65536, name: 'x', folder: '/tmp' });
    expect(s.updates()).toEqual([]);
  });
});

describe('sending', () => {
  function ready(s: Setup, size: number): { id: string; channel: number } {
    const transfer = send(s, size);
    s.files.fromAgent(s.agent, { t: 'file.consent', channel: transfer.channel, decision: 'granted' });
    s.files.fromAgent(s.agent, { t: 'file.accept', channel: transfer.channel, window: 128 * 1024, name: 'report (1).pdf', folder: '/home/pat/Downloads' });
    return transfer;
  }

  it('only the technician who asked uploads, once the person said yes, with the announced size', () => {
    const s = setup();
    const { id, channel } = send(s, 10);
    expect(() => s.files.upload(id, SAM, body(10))).toThrow(expect.objectContaining({ code: 'FILE_ERR_NOT_READY' }));
    s.files.fromAgent(s.agent, { t: 'file.consent', channel, decision: 'granted' });
    s.files.fromAgent(s.agent, { t: 'file.accept', channel, window: 65536, name: 'report.pdf', folder: '/d' });
    expect(s.updates().at(-1)).toMatchObject({ state: 'ready', name: 'report.pdf' });
    expect(() => s.files.upload(id, KIM, body(10))).toThrow(expect.objectContaining({ code: 'AUTH_ERR_FORBIDDEN' }));
    expect(() => s.files.upload(id, SAM, body(11))).toThrow(expect.objectContaining({ code: 'FILE_ERR_SIZE_MISMATCH' }));
  });

  it('reads the upload only as far as the agent\u2019s credit, sends its SHA-256, and answers once the device has the file', async () => {
    const s = setup();
    const bytes = Buffer.alloc(300 * 1024, 7);
    const { id, channel } = ready(s, bytes.length);
    const request = body(bytes.length);
    const answered = s.files.upload(id, SAM, request);
    for (let at = 0; at < bytes.length; at += 32 * 1024) request.write(bytes.subarray(at, at + 32 * 1024));
    request.end();
    await vi.advanceTimersByTimeAsync(0);
    const dataBytes = () => s.agentWs.frames().filter((f) => f[0] === FrameKind.data).reduce((n, f) => n + f.byteLength - FRAME_HEADER_BYTES, 0);
    // One read past the 128 KiB window at most, then the request is paused.
    expect(dataBytes()).toBeGreaterThanOrEqual(128 * 1024);
    expect(dataBytes()).toBeLessThan(bytes.length);
    expect(s.toAgent().some((m) => m.t === 'file.end')).toBe(false);
    const firstAck = dataBytes();
    s.files.agentBinary(s.agent, Buffer.from(encodeAck(channel, firstAck)));
    await vi.advanceTimersByTimeAsync(0);
    // The page hears how much the device has written.
    expect(s.updates().at(-1)).toMatchObject({ state: 'moving', bytes: firstAck });
    s.files.agentBinary(s.agent, Buffer.from(encodeAck(channel, bytes.length)));
    await vi.advanceTimersByTimeAsync(0);
    expect(dataBytes()).toBe(bytes.length);
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) });
    // Every byte is on the device's disk: only the check is left.
    expect(s.updates().at(-1)).toMatchObject({ state: 'checking', sha256: sha(bytes), bytes: bytes.length });
    s.files.fromAgent(s.agent, { t: 'file.done', channel, size: bytes.length, sha256: sha(bytes), savedAs: '/home/pat/Downloads/report (1).pdf' });
    const view = await answered;
    expect(view).toMatchObject({ state: 'done', savedAs: '/home/pat/Downloads/report (1).pdf', sha256: sha(bytes), bytes: bytes.length });
    expect(s.notes.at(-1)).toMatchObject({ action: 'file.send', detail: { outcome: 'done', sha256: sha(bytes), savedAs: '/home/pat/Downloads/report (1).pdf' } });
  });

  it('a device that reports another SHA-256 than the one sent fails the upload as damaged', async () => {
    const s = setup();
    const bytes = Buffer.from('hello');
    const { id, channel } = ready(s, bytes.length);
    const request = body(bytes.length);
    const answered = s.files.upload(id, SAM, request);
    request.end(bytes);
    await vi.advanceTimersByTimeAsync(0);
    s.files.fromAgent(s.agent, { t: 'file.done', channel, size: 5, sha256: sha(Buffer.from('other')), savedAs: '/x' });
    await expect(answered).rejects.toMatchObject({ code: 'FILE_ERR_INTEGRITY' });
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'integrity' });
  });

  it('an upload that stops before its end cancels the transfer on the device', async () => {
    const s = setup();
    const { id, channel } = ready(s, 100);
    const request = body(100);
    const answered = s.files.upload(id, SAM, request);
    request.write(Buffer.alloc(40));
    request.destroy();
    await expect(answered).rejects.toBeInstanceOf(RelaisError);
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'technician' });
    expect(s.updates().at(-1)).toMatchObject({ state: 'failed', code: 'FILE_ERR_CANCELLED' });
  });

  it('the browser has a minute to start, then the transfer is withdrawn', () => {
    const s = setup();
    const { channel } = ready(s, 100);
    vi.advanceTimersByTime(FILE_LIMITS.readyTimeoutMs);
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'timeout' });
    expect(s.updates().at(-1)).toMatchObject({ state: 'failed', code: 'FILE_ERR_CANCELLED' });
  });
});

describe('fetching', () => {
  function granted(s: Setup, size: number): { id: string; channel: number } {
    s.files.fromConsole(s.tech, { t: 'file.fetch', requestId: 'r1', deviceId: 'dev-1', path: '~/app.log' });
    const request = s.toAgent()[0] as unknown as { channel: number; window: number; maxBytes: number };
    // Only a small window until the browser asks: the controller never holds more meanwhile.
    expect(request).toMatchObject({ t: 'file.request', path: '~/app.log', window: FILE_LIMITS.prefetchBytes, maxBytes: s.maxBytes });
    s.files.fromAgent(s.agent, { t: 'file.info', channel: request.channel, name: 'app.log', path: '/home/pat/app.log', size });
    s.files.fromAgent(s.agent, { t: 'file.consent', channel: request.channel, decision: 'granted' });
    const id = (s.consoleWs.messages()[0] as unknown as { transfer: FileTransferView }).transfer.id;
    return { id, channel: request.channel };
  }
  const data = (channel: number, bytes: Buffer) => Buffer.from(encodeData(channel, bytes));

  it('keeps what arrives before the browser asks, then streams it as an attachment, acknowledging what the network took', () => {
    const s = setup();
    const bytes = Buffer.alloc(3 * LIMITS.maxChunkBytes, 1);
    const { id, channel } = granted(s, bytes.length);
    expect(s.updates().at(-1)).toMatchObject({ state: 'ready', name: 'app.log', path: '/home/pat/app.log', size: bytes.length });
    s.files.agentBinary(s.agent, data(channel, bytes.subarray(0, LIMITS.maxChunkBytes)));
    s.files.agentBinary(s.agent, data(channel, bytes.subarray(LIMITS.maxChunkBytes, 2 * LIMITS.maxChunkBytes)));
    expect(() => s.files.download(id, KIM, new FakeResponse() as unknown as ServerResponse)).toThrow(expect.objectContaining({ code: 'AUTH_ERR_FORBIDDEN' }));
    const response = new FakeResponse();
    s.files.download(id, SAM, response as unknown as ServerResponse);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Disposition': `attachment; filename="app.log"; filename*=UTF-8''app.log`, 'Content-Length': String(bytes.length) });
    // The first chunk is written; the second is the last so far, held back.
    expect(response.chunks.length).toBe(1);
    response.drain();
    vi.advanceTimersByTime(20);
    const acks = s.agentWs.frames().filter((f) => f[0] === FrameKind.ack).map((f) => f.readUInt32BE(FRAME_HEADER_BYTES));
    // The download widens the window at once, then returns what the network took.
    expect(acks).toEqual([FILE_LIMITS.windowBytes - FILE_LIMITS.prefetchBytes, LIMITS.maxChunkBytes]);
    s.files.agentBinary(s.agent, data(channel, bytes.subarray(2 * LIMITS.maxChunkBytes)));
    s.files.fromAgent(s.agent, { t: 'file.end', channel, size: bytes.length, sha256: sha(bytes) });
    response.drain();
    expect(response.ended).toBe(true);
    expect(response.bytes.equals(bytes)).toBe(true);
    expect(s.updates().at(-1)).toMatchObject({ state: 'done', sha256: sha(bytes), bytes: bytes.length });
    expect(s.notes.at(-1)).toMatchObject({ action: 'file.fetch', detail: { outcome: 'done', path: '/home/pat/app.log', sha256: sha(bytes) } });
  });

  it('a SHA-256 that does not match cuts the download before its last bytes and tells the device', () => {
    const s = setup();
    const bytes = Buffer.alloc(100, 2);
    const { id, channel } = granted(s, bytes.length);
    const response = new FakeResponse();
    s.files.download(id, SAM, response as unknown as ServerResponse);
    s.files.agentBinary(s.agent, data(channel, bytes));
    s.files.fromAgent(s.agent, { t: 'file.end', channel, size: bytes.length, sha256: sha(Buffer.from('else')) });
    expect(response.destroyed).toBe(true);
    expect(response.bytes.length).toBe(0);
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'integrity' });
    expect(s.updates().at(-1)).toMatchObject({ state: 'failed', code: 'FILE_ERR_INTEGRITY' });
  });

  it('more bytes than announced, or data for a send, are refused', () => {
    const s = setup();
    const { channel } = granted(s, 10);
    s.files.agentBinary(s.agent, data(channel, Buffer.alloc(11)));
    expect(s.updates().at(-1)).toMatchObject({ state: 'failed', code: 'FILE_ERR_SIZE_MISMATCH' });
    const sendChannel = send(s, 10).channel;
    s.files.agentBinary(s.agent, data(sendChannel, Buffer.alloc(5)));
    expect(s.agentWs.messages().some((m) => m.t === 'error' && m.code === 'PROTO_ERR_INVALID_MESSAGE')).toBe(true);
  });

  it('bytes past the credit the device was given are refused, not kept: the transfer ends and the device hears why', () => {
    const s = setup({ maxBytes: 64 * 1024 * 1024 });
    const size = 4 * FILE_LIMITS.prefetchBytes;
    const { channel } = granted(s, size);
    const chunk = Buffer.alloc(LIMITS.maxChunkBytes, 3);
    // The first window (before the browser asks) is taken whole, and one read past it, as a sender reads...
    for (let sent = 0; sent < FILE_LIMITS.prefetchBytes + FILE_LIMITS.readBytes; sent += chunk.length) s.files.agentBinary(s.agent, data(channel, chunk));
    expect(s.updates().at(-1)).toMatchObject({ state: 'ready' });
    expect(s.agentWs.messages().some((m) => m.t === 'error')).toBe(false);
    // ...and one byte more, with no acknowledgement sent, is a violation.
    s.files.agentBinary(s.agent, data(channel, chunk.subarray(0, 1)));
    expect(s.agentWs.messages().some((m) => m.t === 'error' && m.code === 'PROTO_ERR_CREDIT_EXCEEDED')).toBe(true);
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'error' });
    expect(s.updates().at(-1)).toMatchObject({ state: 'failed', code: 'FILE_ERR_CANCELLED' });
    expect(s.notes.at(-1)).toMatchObject({ action: 'file.fetch', detail: { outcome: 'FILE_ERR_CANCELLED' } });
  });

  it('credit acknowledged to the device widens what it may send', () => {
    const s = setup({ maxBytes: 64 * 1024 * 1024 });
    const size = 2 * FILE_LIMITS.prefetchBytes;
    const { id, channel } = granted(s, size);
    const response = new FakeResponse();
    s.files.download(id, SAM, response as unknown as ServerResponse);
    const chunk = Buffer.alloc(LIMITS.maxChunkBytes, 4);
    for (let sent = 0; sent < size; sent += chunk.length) s.files.agentBinary(s.agent, data(channel, chunk));
    expect(s.agentWs.messages().some((m) => m.t === 'error')).toBe(false);
    expect(s.updates().at(-1)).toMatchObject({ state: 'moving' });
  });

  it('a file larger than the limit, as the device found it, is withdrawn', () => {
    const s = setup({ maxBytes: 50 });
    s.files.fromConsole(s.tech, { t: 'file.fetch', requestId: 'r1', deviceId: 'dev-1', path: '/big' });
    const { channel } = s.toAgent()[0] as unknown as { channel: number };
    s.files.fromAgent(s.agent, { t: 'file.info', channel, name: 'big', path: '/big', size: 51 });
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'too-large' });
  });
});

describe('the ends of a connection', () => {
  it('the device gone ends its transfers as interrupted; the page gone withdraws what it asked, not a download under way', () => {
    const s = setup();
    const asked = send(s, 10);
    s.files.fromConsole(s.tech, { t: 'file.fetch', requestId: 'r2', deviceId: 'dev-1', path: '/a' });
    const fetchChannel = (s.toAgent().at(-1) as unknown as { channel: number }).channel;
    s.files.fromAgent(s.agent, { t: 'file.info', channel: fetchChannel, name: 'a', path: '/a', size: 4 });
    s.files.fromAgent(s.agent, { t: 'file.consent', channel: fetchChannel, decision: 'granted' });
    const fetchId = s.updates().at(-1)!.id;
    s.files.download(fetchId, SAM, new FakeResponse() as unknown as ServerResponse);
    s.files.consoleGone(s.tech);
    expect(s.toAgent().filter((m) => m.t === 'file.cancel')).toEqual([{ t: 'file.cancel', channel: asked.channel, reason: 'technician' }]);
    expect(s.files.size).toBe(1);
    s.files.agentGone(s.agent);
    expect(s.files.size).toBe(0);
    expect(s.notes.filter((n) => n.action === 'file.fetch').map((n) => n.detail?.outcome)).toEqual(['FILE_ERR_INTERRUPTED']);
  });

  it('a frame on a file channel never opened is a violation; one for a finished transfer is dropped quietly', () => {
    const s = setup();
    const { channel } = send(s, 10);
    s.files.fromAgent(s.agent, { t: 'file.consent', channel, decision: 'declined' });
    s.files.agentBinary(s.agent, Buffer.from(encodeAck(channel, 10)));
    expect(s.agentWs.messages().filter((m) => m.t === 'error')).toEqual([]);
    s.files.agentBinary(s.agent, Buffer.from(encodeAck(channel + 5, 10)));
    expect(s.agentWs.messages().filter((m) => m.t === 'error').map((m) => m.code)).toEqual(['PROTO_ERR_UNKNOWN_CHANNEL']);
  });
});

describe('a transfer that stops moving', () => {
  it('is stopped after the stall time with nothing moving, and told to the device', async () => {
    const s = setup();
    const { id, channel } = send(s, 1000);
    s.files.fromAgent(s.agent, { t: 'file.consent', channel, decision: 'granted' });
    s.files.fromAgent(s.agent, { t: 'file.accept', channel, window: 64 * 1024, name: 'report.pdf', folder: '/d' });
    const request = body(1000);
    const answered = s.files.upload(id, SAM, request);
    answered.catch(() => undefined);
    request.write(Buffer.alloc(100));
    await vi.advanceTimersByTimeAsync(FILE_LIMITS.stallTimeoutMs / 2);
    // Still moving: an acknowledgement counts.
    s.files.agentBinary(s.agent, Buffer.from(encodeAck(channel, 100)));
    await vi.advanceTimersByTimeAsync(FILE_LIMITS.stallTimeoutMs * 0.75);
    expect(s.files.size).toBe(1);
    await vi.advanceTimersByTimeAsync(FILE_LIMITS.stallTimeoutMs);
    await expect(answered).rejects.toMatchObject({ code: 'FILE_ERR_STALLED' });
    expect(s.toAgent().at(-1)).toEqual({ t: 'file.cancel', channel, reason: 'error' });
  });
});
