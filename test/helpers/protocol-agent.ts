/**
 * A minimal agent speaking the wire protocol from the test itself, for checking
 * what the controller accepts and refuses. The real agent process is spawned with
 * agent-process.ts; this one exists to send what a real agent never would.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, agentToController, encodeControl, type AgentToController, type ControllerToAgent } from '../../protocol/index.js';

export interface ProtocolAgent {
  ws: WebSocket;
  received: Array<ControllerToAgent | { raw: string }>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: AgentToController | string | Buffer): void;
  next(timeoutMs?: number): Promise<ControllerToAgent>;
}

export function helloWithCode(code: string, hostname = 'test-host'): AgentToController {
  return { t: 'hello', v: PROTOCOL_VERSION, role: 'agent', auth: { kind: 'code', code }, agent: { version: '0.0.0-test', platform: 'linux', arch: 'x64', hostname } };
}

/** Opens /ws/agent; resolves once connected (or rejects with the refused upgrade's status). */
export async function connectProtocolAgent(controllerUrl: string, headers: Record<string, string> = {}): Promise<ProtocolAgent> {
  const ws = new WebSocket(controllerUrl.replace(/^http/, 'ws') + '/ws/agent', { headers, maxPayload: 16 * 1024 * 1024 });
  const received: ProtocolAgent['received'] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    try {
      received.push(JSON.parse(text) as ControllerToAgent);
    } catch {
      received.push({ raw: text });
    }
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  let read = 0;
  return {
    ws,
    received,
    closed,
    send: (message) => ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : encodeControl(message)),
    next: (timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const take = () => {
          if (read < received.length) {
            clearTimeout(timer);
            resolve(received[read++] as ControllerToAgent);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms; got ${JSON.stringify(received)}`)), timeoutMs);
        if (!take()) waiters.push(function again() { if (!take()) waiters.push(again); });
      }),
  };
}

export { agentToController };
