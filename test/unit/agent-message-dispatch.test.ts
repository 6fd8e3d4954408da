/**
 * One dispatcher for the controller's messages, each mode stating what it accepts:
 * the shared handlers route to shells and diagnostics; an attended session refuses
 * jobs and ends on session.end; a managed device keeps running on session.end.
 * Fakes only: no socket, no pty, no person.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ERRORS } from '../../protocol/index.js';
import { dispatchMessage, sharedHandlers, type MessageHandlers } from '../../agent/modes/message-handlers.js';
import type { DiagnosticsReplies } from '../../agent/diagnostics/diagnostics-replies.js';
import type { ShellRequests } from '../../agent/shell/shell-requests.js';
import type { FileRequests } from '../../agent/files/file-requests.js';
import { Session, type SessionParts } from '../../agent/attended/session.js';
import { ManagedService, type ManagedServiceParts } from '../../agent/managed/managed-service.js';
import type { Link, LinkListener, SessionMessage } from '../../agent/link/link.js';
import type { PersonTerminal } from '../../agent/person/person-terminal.js';

const technician = { username: 'sam', name: 'Sam Lee' };
const jobRun: SessionMessage = {
  t: 'job.run', jobId: 'job-1', script: { name: 'flush-dns', interpreter: 'sh', body: 'echo hi', timeoutSeconds: 30 }, params: {}, expiresAt: 1,
};

function fakeShells() {
  return { open: vi.fn(async () => undefined), resize: vi.fn(), close: vi.fn(), frame: vi.fn(), dropAll: vi.fn(() => false), closeAll: vi.fn(async () => undefined), endOpenShells: vi.fn(() => 0), abandon: vi.fn() };
}

function fakeLink() {
  return {
    start: vi.fn(), stop: vi.fn(async () => undefined), send: vi.fn(() => true), sendFrame: vi.fn(() => true), replyError: vi.fn(),
    congested: false, whenDrained: vi.fn(),
  };
}

function fakeTerminal() {
  return { interactive: false, start: vi.fn(), stop: vi.fn(), say: vi.fn(), warn: vi.fn(), ask: vi.fn(), mirror: vi.fn(), chat: vi.fn(), onChat: vi.fn() };
}

describe('the shared handlers', () => {
  function setUp() {
    const shells = fakeShells();
    const diagnostics = { request: vi.fn() };
    const warn = vi.fn();
    const files = { offer: vi.fn(async () => undefined), request: vi.fn(async () => undefined), end: vi.fn(async () => undefined), cancel: vi.fn() };
    const shared = sharedHandlers({ shells: shells as unknown as ShellRequests, files: files as unknown as FileRequests, diagnostics: diagnostics as unknown as DiagnosticsReplies, warn });
    const nope = () => {
      throw new Error('not shared');
    };
    const handlers: MessageHandlers = { ...shared, 'session.end': nope, 'job.run': nope, 'job.cancel': nope, 'job.ack': nope, 'chat.message': nope, 'survey.ask': nope };
    return { shells, files, diagnostics, warn, handlers };
  }

  it('route shell and diagnostics messages to their owners, with exactly their fields', () => {
    const { shells, diagnostics, handlers } = setUp();
    const open: SessionMessage = { t: 'shell.open', channel: 3, cols: 80, rows: 24, requestedBy: technician, window: 65536 };
    dispatchMessage(handlers, open);
    expect(shells.open).toHaveBeenCalledWith(open);
    dispatchMessage(handlers, { t: 'shell.resize', channel: 3, cols: 100, rows: 40 });
    expect(shells.resize).toHaveBeenCalledWith(3, 100, 40);
    dispatchMessage(handlers, { t: 'shell.close', channel: 3, reason: 'technician' });
    expect(shells.close).toHaveBeenCalledWith(3, 'technician');
    dispatchMessage(handlers, { t: 'diagnostics.request', requestId: 'r1' });
    expect(diagnostics.request).toHaveBeenCalledWith('r1');
  });

  it('route file transfers to theirs, in both modes alike', () => {
    const { files, handlers } = setUp();
    const offer: SessionMessage = { t: 'file.offer', channel: 0x8000_0001, requestedBy: technician, name: 'a.txt', size: 3 };
    dispatchMessage(handlers, offer);
    expect(files.offer).toHaveBeenCalledWith(offer);
    const request: SessionMessage = { t: 'file.request', channel: 0x8000_0002, requestedBy: technician, path: '/tmp/a.log', window: 65536, maxBytes: 10 };
    dispatchMessage(handlers, request);
    expect(files.request).toHaveBeenCalledWith(request);
    const end: SessionMessage = { t: 'file.end', channel: 0x8000_0001, size: 3, sha256: 'a'.repeat(64) };
    dispatchMessage(handlers, end);
    expect(files.end).toHaveBeenCalledWith(end);
    dispatchMessage(handlers, { t: 'file.cancel', channel: 0x8000_0002, reason: 'technician' });
    expect(files.cancel).toHaveBeenCalledWith(0x8000_0002, 'technician');
  });

  it('show a controller error in the catalog words', () => {
    const { warn, handlers } = setUp();
    dispatchMessage(handlers, { t: 'error', code: 'PROTO_ERR_UNKNOWN_CHANNEL', message: 'whatever the peer says' });
    expect(warn).toHaveBeenCalledWith(`(The controller reported: ${ERRORS.PROTO_ERR_UNKNOWN_CHANNEL.message})`);
  });
});

describe('each mode states what it accepts', () => {
  const host = { localUser: 'person', home: tmpdir(), env: {}, platform: 'linux' as const };
  const stateDir = mkdtempSync(join(tmpdir(), 'relais-dispatch-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  function attended() {
    const link = fakeLink();
    const terminal = fakeTerminal();
    const parts = {
      config: { target: { code: '482193557', controllerUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9/ws/agent', otherWsUrls: [] }, insecure: false, consentTimeoutMs: 1000, forcePipes: true, resolveNames: [] },
      host, terminal: terminal as unknown as PersonTerminal,
      gatherSummary: () => new Promise<never>(() => undefined),
      collectDiagnostics: () => new Promise<never>(() => undefined),
      createLink: (_listener: LinkListener) => link as unknown as Link,
      diagnoseCommand: 'relais-agent diagnose',
    } satisfies SessionParts;
    return { session: new Session(parts), link, terminal };
  }

  function managed() {
    const link = fakeLink();
    const terminal = fakeTerminal();
    const parts = {
      device: { version: 1, controllerUrl: 'http://127.0.0.1:9', deviceId: 'dev-1', name: 'Reception', group: 'lab', enrolledAt: 1 },
      paths: { dir: stateDir, key: join(stateDir, 'device.key'), device: join(stateDir, 'device.json'), policy: join(stateDir, 'policy.json') },
      host, terminal: terminal as unknown as PersonTerminal, consentTimeoutMs: 1000, forcePipes: true,
      readPolicy: () => ({ ok: false as const, message: 'none' }),
      gatherSummary: () => new Promise<never>(() => undefined),
      collectDiagnostics: () => new Promise<never>(() => undefined),
      createLink: (_listener: LinkListener) => link as unknown as Link,
    } as unknown as ManagedServiceParts;
    return { service: new ManagedService(parts), link, terminal };
  }

  it('attended: a job is refused as not managed, never run', () => {
    const { session, link } = attended();
    session.message(jobRun);
    session.message({ t: 'job.ack', jobId: 'job-1' });
    expect(link.replyError.mock.calls).toEqual([
      ['JOB_ERR_NOT_MANAGED', 'Job job-1 was not run.'],
      ['JOB_ERR_NOT_MANAGED', 'Job job-1 was not run.'],
    ]);
    expect(link.send).not.toHaveBeenCalled();
  });

  it('attended: a chat message is shown to the person, never run, and the person\'s answer goes back as chat.reply', () => {
    const { session, link, terminal } = attended();
    session.message({ t: 'chat.message', from: technician, text: 'rm -rf / ; please restart', at: 1 });
    expect(terminal.chat).toHaveBeenCalledWith(technician.name, 'rm -rf / ; please restart');
    expect(link.send).not.toHaveBeenCalled();
    const answer = terminal.onChat.mock.calls[0]![0] as (text: string) => boolean;
    expect(answer('Bonjour')).toBe(true);
    expect(link.send).toHaveBeenCalledWith({ t: 'chat.reply', text: 'Bonjour' });
  });

  it('attended: session.end from the controller ends the session', async () => {
    const { session, link } = attended();
    session.message({ t: 'session.end', reason: 'done' });
    expect(await session.finished).toBe(0);
    expect(link.stop).toHaveBeenCalled();
  });

  it('managed: session.end is noted and the device keeps running', () => {
    const { service, link, terminal } = managed();
    service.message({ t: 'session.end', reason: 'done' });
    expect(terminal.say).toHaveBeenCalledWith(expect.stringMatching(/A managed device keeps running/));
    expect(link.stop).not.toHaveBeenCalled();
    expect(link.replyError).not.toHaveBeenCalled();
  });
});
