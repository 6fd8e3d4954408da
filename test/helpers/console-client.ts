/** A real technician console over /ws/console, speaking the protocol like the browser does (validation, ACKs). */
import WebSocket from 'ws';
import {
  FrameKind, LIMITS, PROTOCOL_VERSION, controllerToConsole, decodeControl, decodeFrame, encodeAck, encodeControl, encodeData,
  type ConsoleToController, type ControllerToConsole,
} from '../../protocol/index.js';
import { login, startController, type ControllerAddress, type ControllerOptions, type RunningController } from './controller-process.js';
import { DEADLINE_MS } from './until.js';

export interface ConsoleClient {
  ws: WebSocket;
  messages: ControllerToConsole[];
  /** Output bytes received per channel. */
  output(channel: number): string;
  send(message: ConsoleToController): void;
  type(channel: number, text: string): void;
  waitFor<T extends ControllerToConsole['t']>(t: T, match?: (m: Extract<ControllerToConsole, { t: T }>) => boolean, timeoutMs?: number): Promise<Extract<ControllerToConsole, { t: T }>>;
  waitForOutput(channel: number, pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Opens a shell and returns its channel once the controller assigned one. */
  requestShell(deviceId: string, cols?: number, rows?: number): Promise<number>;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  /** Acknowledge output like the browser does (default true). */
  ack?: boolean;
}

export async function connectConsole(c: ControllerAddress, cookie: string, opts: ConsoleOptions = {}): Promise<ConsoleClient> {
  const wsUrl = c.url.replace(/^http/, 'ws') + '/ws/console';
  const ws = new WebSocket(wsUrl, { headers: { cookie, origin: c.url }, maxPayload: LIMITS.maxFrameBytes });
  const messages: ControllerToConsole[] = [];
  const chunks = new Map<number, Buffer[]>();
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) {
      const decoded = decodeFrame(data);
      if (!decoded.ok || decoded.frame.kind !== FrameKind.data) return;
      const { channel, payload } = decoded.frame;
      (chunks.get(channel) ?? chunks.set(channel, []).get(channel)!).push(Buffer.from(payload));
      if (opts.ack !== false) ws.send(encodeAck(channel, payload.byteLength));
    } else {
      const decoded = decodeControl(controllerToConsole, data);
      if (!decoded.ok) throw new Error(`controller sent an invalid message: ${decoded.code} ${decoded.detail}`);
      messages.push(decoded.message);
    }
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`console upgrade refused: ${res.statusCode}`)));
  });
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, role: 'console' }));

  const waitUntil = <T>(probe: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found !== undefined) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; got: ${JSON.stringify(messages.map((m) => m.t))}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  const client: ConsoleClient = {
    ws,
    messages,
    output: (channel) => Buffer.concat(chunks.get(channel) ?? []).toString('utf8'),
    send: (message) => ws.send(encodeControl(message)),
    type: (channel, text) => ws.send(encodeData(channel, Buffer.from(text))),
    waitFor: (t, match = () => true, timeoutMs = DEADLINE_MS) =>
      waitUntil(() => messages.find((m) => m.t === t && match(m as never)) as never, timeoutMs, `"${t}"`),
    waitForOutput: (channel, pattern, timeoutMs = DEADLINE_MS) =>
      waitUntil(() => {
        const text = client.output(channel);
        return (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) ? text : undefined;
      }, timeoutMs, `output ${String(pattern)} on channel ${channel}`),
    async requestShell(deviceId, cols = 80, rows = 24) {
      const requestId = 'r' + Math.random().toString(36).slice(2, 10);
      client.send({ t: 'shell.open', requestId, deviceId, cols, rows });
      const pending = await client.waitFor('shell.pending', (m) => m.requestId === requestId);
      return pending.channel;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  await client.waitFor('welcome');
  return client;
}

export interface ControllerWithConsole {
  controller: RunningController;
  cookie: string;
  console: ConsoleClient;
  /** Closes the console, then stops the controller. */
  stop(): Promise<void>;
}

/** A real controller, logged in as admin, with a console connected: how most integration files begin. */
export async function startWithConsole(options: ControllerOptions = {}): Promise<ControllerWithConsole> {
  const controller = await startController(options);
  const cookie = await login(controller);
  const console = await connectConsole(controller, cookie);
  return {
    controller,
    cookie,
    console,
    stop: async () => {
      await console.close();
      await controller.stop();
    },
  };
}

/** Stops every agent in the list and empties it (an afterEach for files that start agents). */
export async function stopAll(agents: Array<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
}
