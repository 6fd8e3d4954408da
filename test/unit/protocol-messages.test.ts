import { describe, expect, it } from 'vitest';
import {
  CHAT_MAX_CHARS, LIMITS, agentToController, consoleToController, controllerToAgent, controllerToConsole, decodeControl, encodeControl, jobSummaryOf,
  type AgentToController, type ConsoleToController, type ControllerToAgent, type ControllerToConsole,
} from '../../protocol/index.js';

const person = { username: 'alice', name: 'Alice Martin' };
const summary = {
  hostname: 'pc-042', user: 'bob',
  os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0', arch: 'x64' },
  cpu: { brand: 'Intel Core i5', cores: 8 },
  memory: { totalBytes: 16e9, availableBytes: 8e9 },
  disks: [{ mount: '/', fs: 'ext4', sizeBytes: 500e9, usedBytes: 200e9 }],
  addresses: [{ iface: 'eth0', address: '192.168.1.20', family: 'IPv4' as const }],
  uptimeSeconds: 3600, agentVersion: '0.1.0',
};
const snapshot = {
  takenAt: 1, durationMs: 500,
  probes: { cpu: { status: 'ok' as const, durationMs: 10 }, battery: { status: 'timeout' as const, durationMs: 3000, error: 'no answer within 3000 ms' } },
  cpu: { brand: 'Test', physicalCores: 2, logicalCores: 4, speedGHz: 2.5, loadPercent: 12, loadAverage1m: 0.5, temperatureC: null },
};
const device = {
  id: 'dev1', sessionId: 's1', hostname: 'pc-042', online: true, lastSeen: 1, connectedAt: 1, technician: person, sessionStatus: 'active' as const,
  brief: { user: 'bob', os: summary.os, address: '192.168.1.20', agentVersion: '0.1.0' }, worstSeverity: 'warning' as const, findingCount: 1,
};

const agentMessages: AgentToController[] = [
  { t: 'hello', v: 1, role: 'agent', auth: { kind: 'code', code: '482193557' }, agent: { version: '0.1.0', platform: 'linux', arch: 'x64', hostname: 'pc-042' } },
  { t: 'hello', v: 1, role: 'agent', auth: { kind: 'resume', token: 'A'.repeat(43) }, agent: { version: '0.1.0', platform: 'linux', arch: 'x64', hostname: 'pc-042' } },
  { t: 'hello', v: 1, role: 'agent', auth: { kind: 'device', deviceId: 'dev-42' }, agent: { version: '0.1.0', platform: 'linux', arch: 'x64', hostname: 'pc-042' }, policy: { script: 'allow', shell: 'deny' } },
  { t: 'auth.response', signature: `${'S'.repeat(85)}A` },
  { t: 'device.summary', summary },
  { t: 'shell.consent', channel: 1, decision: 'granted' },
  { t: 'shell.consent', channel: 2, decision: 'refused-by-policy' },
  { t: 'shell.opened', channel: 1, mode: 'pty', user: 'bob', shell: '/bin/bash' },
  { t: 'shell.closed', channel: 1, reason: 'exit', exitCode: 0 },
  { t: 'session.end', reason: 'user' },
  { t: 'diagnostics.snapshot', requestId: null, snapshot },
  { t: 'job.started', jobId: 'j1', startedAt: 5 },
  { t: 'job.output', jobId: 'j1', stream: 'stderr', seq: 0, data: 'AAEC/w==' },
  { t: 'job.result', jobId: 'j1', status: 'refused', exitCode: null, signal: null, startedAt: null, finishedAt: 6, stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: -1, reason: 'refused by policy (script: deny)' },
  { t: 'chat.reply', text: 'Bonjour, l’imprimante ne répond plus 🖨️' },
  { t: 'shell.takeover.answer', channel: 1, requestId: 'tk-1', decision: 'timeout' },
  { t: 'survey.answer', surveyId: 's1', answer: { kind: 'rating', rating: 5, comment: 'Merci !' } },
  { t: 'file.consent', channel: 0x8000_0001, decision: 'declined' },
  { t: 'file.accept', channel: 0x8000_0001, window: 4 << 20, name: 'report (1).pdf', folder: '/home/bob/Téléchargements' },
  { t: 'file.info', channel: 0x8000_0002, name: 'Xorg.0.log', path: '/var/log/Xorg.0.log', size: 48_213 },
  { t: 'file.end', channel: 0x8000_0002, size: 48_213, sha256: 'a'.repeat(64) },
  { t: 'file.done', channel: 0x8000_0001, size: 10, sha256: '0'.repeat(64), savedAs: '/home/bob/Téléchargements/report (1).pdf' },
  { t: 'file.failed', channel: 0x8000_0002, code: 'FILE_ERR_PATH_REFUSED', detail: 'dot-dot' },
  { t: 'error', code: 'PROTO_ERR_BAD_JSON', message: 'bad' },
];
const toAgent: ControllerToAgent[] = [
  { t: 'welcome', v: 1, sessionId: 's1', deviceId: 'd1', resumeToken: 'B'.repeat(43), controller: { name: 'Relais', organization: 'ACME', url: 'http://127.0.0.1:8080' }, technician: person, heartbeatMs: 15000 },
  { t: 'auth.challenge', nonce: 'N'.repeat(43) },
  { t: 'welcome', v: 1, sessionId: null, deviceId: 'd2', resumeToken: null, controller: { name: 'Relais', organization: 'ACME', url: 'http://127.0.0.1:8080' }, technician: null, heartbeatMs: 15000 },
  { t: 'shell.open', channel: 7, cols: 80, rows: 24, requestedBy: person, window: 1 << 20 },
  { t: 'shell.resize', channel: 7, cols: 120, rows: 40 },
  { t: 'shell.close', channel: 7, reason: 'technician' },
  { t: 'session.end', reason: 'Alice ended the session.' },
  { t: 'diagnostics.request', requestId: 'd1' },
  { t: 'job.run', jobId: 'j1', script: { name: 'flush-dns', interpreter: 'sh', body: 'echo "$RELAIS_PARAM_X"\n', timeoutSeconds: 60 }, params: { X: 'a b' }, expiresAt: 9 },
  { t: 'job.cancel', jobId: 'j1' },
  { t: 'job.ack', jobId: 'j1' },
  { t: 'chat.message', from: person, text: 'Pouvez-vous redémarrer ?', at: 1 },
  { t: 'shell.viewers', channel: 7, holder: person, observers: [{ username: 'kim', name: 'Kim Roy' }] },
  { t: 'shell.takeover', channel: 7, requestId: 'tk-1', requestedBy: { username: 'kim', name: 'Kim Roy' }, holder: person },
  { t: 'shell.takeover.cancel', channel: 7, requestId: 'tk-1' },
  { t: 'survey.ask', surveyId: 's1', ticketNumber: 1042, title: 'Imprimante hors ligne', technician: 'Sam Lee' },
  { t: 'file.offer', channel: 0x8000_0001, requestedBy: person, name: 'Procédure VPN.pdf', size: 2_400_000 },
  { t: 'file.request', channel: 0x8000_0002, requestedBy: person, path: '~/Desktop/erreur.log', window: 4 << 20, maxBytes: 2 ** 31 },
  { t: 'file.end', channel: 0x8000_0001, size: 2_400_000, sha256: 'b'.repeat(64) },
  { t: 'file.cancel', channel: 0x8000_0002, reason: 'integrity' },
  { t: 'error', code: 'PROTO_ERR_UNKNOWN_TYPE', message: 'The message type is unknown.', channel: 7 },
];
const fromConsole: ConsoleToController[] = [
  { t: 'hello', v: 1, role: 'console' },
  { t: 'shell.open', requestId: 'r1', deviceId: 'd1', cols: 80, rows: 24 },
  { t: 'shell.resize', channel: 3, cols: 100, rows: 30 },
  { t: 'shell.close', channel: 3 },
  { t: 'shell.list', requestId: 'l1', deviceId: 'd1' },
  { t: 'shell.attach', requestId: 'a1', channel: 3, cols: 120, rows: 40 },
  { t: 'shell.detach', channel: 3 },
  { t: 'diagnostics.refresh', requestId: 'd2', deviceId: 'd1' },
  { t: 'job.watch', jobId: 'j1' },
  { t: 'job.unwatch', jobId: 'j1' },
  { t: 'ticket.watch', number: 1001 },
  { t: 'ticket.unwatch', number: 1001 },
  { t: 'chat.send', deviceId: 'd1', text: 'Bonjour' },
  { t: 'shell.observe', requestId: 'o1', channel: 3 },
  { t: 'shell.takeover', requestId: 'k1', channel: 3 },
  { t: 'presence.watch', deviceId: 'd1' },
  { t: 'presence.unwatch', deviceId: 'd1' },
  { t: 'file.send', requestId: 'f1', deviceId: 'd1', name: 'pilote imprimante.zip', size: 12_345_678 },
  { t: 'file.fetch', requestId: 'f2', deviceId: 'd1', path: 'C:\\Users\\Sam\\Desktop\\erreur.log' },
  { t: 'file.cancel', transferId: 'T1' },
];
const counts = { pending: 1, running: 1, succeeded: 0, failed: 0, refused: 0, timedOut: 0, cancelled: 0, expired: 0 };
const job = {
  id: 'j1', scriptId: 's1', scriptName: 'flush-dns', body: 'true\n', interpreter: 'sh' as const, params: {}, target: { tag: 'lab' }, deviceCount: 2,
  concurrency: 10, timeoutSeconds: 60, expiresAt: 10, createdBy: 'alice', createdAt: 1, status: 'running' as const, counts,
};
const run = {
  jobId: 'j1', deviceId: 'd1', status: 'running' as const, exitCode: null, signal: null, startedAt: 2, finishedAt: null, durationMs: null,
  stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, reason: null,
};
const toConsole: ControllerToConsole[] = [
  { t: 'welcome', v: 1, user: person },
  { t: 'device.removed', deviceId: 'dev3' },
  { t: 'device.update', device },
  { t: 'shell.pending', requestId: 'r1', channel: 3, deviceId: 'd1' },
  { t: 'shell.consent', channel: 3, decision: 'timeout' },
  { t: 'shell.consent', channel: 4, decision: 'refused-by-policy' },
  { t: 'device.update', device: { ...device, id: 'dev2', sessionId: null, technician: null, kind: 'managed', name: 'Reception PC', group: 'Front desk', tags: ['lab', 'floor-2'], policy: { script: 'ask', shell: 'deny' }, revoked: false } },
  { t: 'shell.opened', channel: 3, mode: 'pipes', user: 'bob', shell: '/bin/sh', window: 1 << 20 },
  { t: 'shell.closed', channel: 3, reason: 'agent-offline', exitCode: null },
  {
    t: 'shell.live', requestId: 'l1', deviceId: 'd1',
    shells: [{ channel: 3, mode: 'pty', user: 'pat', shell: '/bin/bash', technician: { username: 'sam', name: 'Sam Lee' }, openedAt: 1_700_000_000_000, attached: false }],
  },
  { t: 'shell.attached', requestId: 'a1', channel: 3, deviceId: 'd1', mode: 'pty', user: 'pat', shell: '/bin/bash', window: 1 << 20, scrollbackBytes: 4096 },
  { t: 'shell.detached', channel: 3 },
  { t: 'diagnostics.pending', requestId: 'd2', deviceId: 'd1' },
  { t: 'device.diagnostics', deviceId: 'd1', requestId: 'd2', snapshotId: 4, takenAt: 1, worst: 'warning', findingCount: 1 },
  { t: 'job.update', job: jobSummaryOf(job) },
  { t: 'run.update', jobId: 'j1', run },
  { t: 'run.output', jobId: 'j1', deviceId: 'd1', stream: 'stdout', data: 'aGk=' },
  { t: 'ticket.event', number: 1001, event: { id: 7, at: 1, kind: 'findings', actor: null, visibility: 'internal' } },
  { t: 'chat.message', deviceId: 'd1', from: null, text: 'Merci', at: 2, side: 'person' },
  { t: 'shell.attached', requestId: 'o1', channel: 3, deviceId: 'd1', mode: 'pty', user: 'pat', shell: '/bin/bash', window: 1 << 20, scrollbackBytes: 0, role: 'observer', cols: 120, rows: 40 },
  { t: 'device.presence', deviceId: 'd1', shells: [{ channel: 3, holder: person, holderHere: true, observers: [{ username: 'kim', name: 'Kim Roy' }], cols: 120, rows: 40 }] },
  { t: 'shell.takeover.pending', requestId: 'k1', channel: 3, timeoutMs: 60_000 },
  { t: 'shell.takeover.result', requestId: 'k1', channel: 3, decision: 'granted' },
  { t: 'shell.role', channel: 3, role: 'driver', holder: person, cols: 120, rows: 40 },
  { t: 'shell.skipped', channel: 3, bytes: 4096 },
  {
    t: 'file.pending', requestId: 'f1',
    transfer: { id: 'T1', deviceId: 'd1', direction: 'send', state: 'asking', name: 'a.txt', size: 3, path: null, bytes: 0, sha256: null, savedAs: null, code: null, detail: null, startedAt: 1, timeoutMs: 60_000 },
  },
  {
    t: 'file.update',
    transfer: { id: 'T2', deviceId: 'd1', direction: 'fetch', state: 'done', name: 'x.log', size: 9, path: '/var/log/x.log', bytes: 9, sha256: 'c'.repeat(64), savedAs: null, code: null, detail: null, startedAt: 1 },
  },
  { t: 'error', code: 'SHELL_ERR_DEVICE_OFFLINE', message: 'The device is offline.', requestId: 'r1' },
];

describe('chat messages', () => {
  it('are one line of plain text, bounded, never empty', () => {
    const send = (text: string) => decodeControl(consoleToController, JSON.stringify({ t: 'chat.send', deviceId: 'd1', text }));
    expect(send('x'.repeat(CHAT_MAX_CHARS))).toMatchObject({ ok: true });
    for (const bad of ['x'.repeat(CHAT_MAX_CHARS + 1), '', '   ', 'a\nb', 'rm -rf /\r', '\u001b[2J', 'a\u202eb', 'a\ud800']) {
      expect(send(bad), JSON.stringify(bad)).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
    }
    expect(decodeControl(agentToController, JSON.stringify({ t: 'chat.reply', text: '\u0007' }))).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
  });
});

describe('control messages', () => {
  it.each([
    ['agent → controller', agentToController, agentMessages],
    ['controller → agent', controllerToAgent, toAgent],
    ['console → controller', consoleToController, fromConsole],
    ['controller → console', controllerToConsole, toConsole],
  ] as const)('every %s message type round-trips', (_name, schema, messages) => {
    const types = new Set<string>();
    for (const message of messages) {
      const decoded = decodeControl(schema as never, encodeControl(message));
      expect(decoded).toEqual({ ok: true, message });
      types.add(message.t);
    }
    expect([...types].sort()).toEqual(schema.options.map((o) => String(o.shape.t.value)).sort());
  });

  it('rejects text that is not JSON', () => {
    expect(decodeControl(agentToController, '{"t":')).toMatchObject({ ok: false, code: 'PROTO_ERR_BAD_JSON' });
    expect(decodeControl(agentToController, new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, code: 'PROTO_ERR_BAD_JSON' });
  });

  it('rejects values that are not objects', () => {
    for (const raw of ['null', '42', '"hello"', '[{"t":"hello"}]']) {
      expect(decodeControl(agentToController, raw)).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
    }
  });

  it('tells an unknown type from an invalid message', () => {
    expect(decodeControl(agentToController, '{"t":"shell.exec","cmd":"rm -rf /"}')).toMatchObject({ ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE' });
    expect(decodeControl(agentToController, '{"x":1}')).toMatchObject({ ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE' });
    const invalid = decodeControl(agentToController, '{"t":"shell.consent","channel":0,"decision":"granted"}');
    expect(invalid).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
    if (!invalid.ok) expect(invalid.detail).toContain('channel');
  });

  it('a forged consent is not a message the controller may send to an agent', () => {
    const forged = encodeControl({ t: 'shell.consent', channel: 1, decision: 'granted' } as never);
    expect(decodeControl(controllerToAgent, forged)).toMatchObject({ ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE' });
  });

  it('rejects oversized messages before parsing them', () => {
    const huge = JSON.stringify({ t: 'error', code: 'X', message: 'a'.repeat(LIMITS.maxJsonBytes) });
    expect(decodeControl(agentToController, huge)).toMatchObject({ ok: false, code: 'PROTO_ERR_MESSAGE_TOO_LARGE' });
    expect(() => encodeControl({ t: 'error', message: 'é'.repeat(LIMITS.maxJsonBytes) } as never)).toThrow(RangeError);
  });

  it('bounds and sanitises untrusted text', () => {
    const withControl = { ...summary, hostname: 'pc\u001b[31m' };
    expect(decodeControl(agentToController, JSON.stringify({ t: 'device.summary', summary: withControl }))).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
    const tooLong = { ...summary, hostname: 'h'.repeat(256) };
    expect(decodeControl(agentToController, JSON.stringify({ t: 'device.summary', summary: tooLong }))).toMatchObject({ ok: false });
  });

  it('refuses C1 controls and bidirectional overrides that could disguise what a person reads', () => {
    for (const name of ['Alice\u009b31m', 'Alice\u202eevil', 'Bob\u2066x\u2069', 'Eve\u001b[2J']) {
      const open = JSON.stringify({ t: 'shell.open', channel: 1, cols: 80, rows: 24, requestedBy: { username: 'eve', name }, window: 65536 });
      expect(decodeControl(controllerToAgent, open), JSON.stringify(name)).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
    }
    const fine = JSON.stringify({ t: 'shell.open', channel: 1, cols: 80, rows: 24, requestedBy: { username: 'zoe', name: 'Zoë Ünal\t(L2) — 日本' }, window: 65536 });
    expect(decodeControl(controllerToAgent, fine).ok).toBe(true);
  });

  it('validates support codes, terminal sizes and channels', () => {
    const hello = (code: string) => JSON.stringify({ ...agentMessages[0], auth: { kind: 'code', code } });
    expect(decodeControl(agentToController, hello('12345678')).ok).toBe(false);
    expect(decodeControl(agentToController, hello('12345678a')).ok).toBe(false);
    expect(decodeControl(consoleToController, '{"t":"shell.resize","channel":1,"cols":0,"rows":24}').ok).toBe(false);
    expect(decodeControl(consoleToController, `{"t":"shell.resize","channel":1,"cols":${LIMITS.maxCols + 1},"rows":24}`).ok).toBe(false);
    expect(decodeControl(consoleToController, '{"t":"shell.close","channel":4294967296}').ok).toBe(false);
    expect(decodeControl(consoleToController, '{"t":"shell.close","channel":1.5}').ok).toBe(false);
  });

  it('bounds job messages: output chunks, statuses, parameter names', () => {
    const chunk = (bytes: number) => JSON.stringify({ t: 'job.output', jobId: 'j1', stream: 'stdout', seq: 0, data: Buffer.alloc(bytes).toString('base64') });
    expect(decodeControl(agentToController, chunk(LIMITS.maxJobOutputChunkBytes)).ok).toBe(true);
    expect(decodeControl(agentToController, chunk(LIMITS.maxJobOutputChunkBytes + 3)).ok).toBe(false);
    expect(decodeControl(agentToController, JSON.stringify({ ...agentMessages.find((m) => m.t === 'job.result'), status: 'pending' })).ok).toBe(false);
    const run = toAgent.find((m) => m.t === 'job.run')!;
    expect(decodeControl(controllerToAgent, JSON.stringify({ ...run, params: { 'X; rm -rf /': '1' } })).ok).toBe(false);
    expect(decodeControl(controllerToAgent, JSON.stringify({ ...run, params: { X: 'nul\u0000' } })).ok).toBe(false);
  });

  it('drops unknown fields instead of passing them on', () => {
    const decoded = decodeControl(consoleToController, '{"t":"shell.close","channel":2,"__proto__":{"x":1},"extra":"y"}');
    expect(decoded).toEqual({ ok: true, message: { t: 'shell.close', channel: 2 } });
  });
});
