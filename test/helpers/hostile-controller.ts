/**
 * A small scriptable controller on 127.0.0.1 for testing the agent: it speaks
 * the agent protocol (accepts hello, answers welcome or a refusal), and lets a
 * test send anything at all — valid messages, forged ones, raw bytes — and
 * look at everything the agent sent back, each message checked against the
 * agent→controller schema.
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import {
  PROTOCOL_VERSION, agentToController, decodeControl, decodeFrame, encodeAck, encodeData, FrameKind,
  type AgentToController, type ControllerToAgent, type ErrorCode,
} from '../../protocol/index.js';
import { DEADLINE_MS, until } from './until.js';

export type AgentHello = Extract<AgentToController, { t: 'hello' }>;
export type WelcomeMessage = Extract<ControllerToAgent, { t: 'welcome' }>;
type AgentMessageType = AgentToController['t'];

/** How to answer a hello: welcome it, refuse it (error + close), or stay silent. */
export type HelloAnswer = 'welcome' | 'silent' | { error: ErrorCode; close?: number };

export interface HostileOptions {
  /** Decides per hello; `index` counts connections from 0. Default: always welcome. */
  answerHello?: (hello: AgentHello, index: number) => HelloAnswer;
  /** Fields to override in the welcome. */
  welcome?: Partial<WelcomeMessage>;
}

const TAIL_BYTES = 64 * 1024;
/** A channel no test opens: the agent answers any frame on it with an error (see handledSoFar). */
export const PROBE_CHANNEL = 0x0fff_fff0;

export const TEST_TECHNICIAN = Object.freeze({ username: 'mallory', name: 'Mallory Hostile' });

/** One agent connection as the controller sees it. */
export class AgentConnection {
  hello: AgentHello | null = null;
  welcome: WelcomeMessage | null = null;
  /** Validated control messages from the agent, hello included. */
  readonly messages: AgentToController[] = [];
  /** Text frames from the agent that did NOT validate (a correct agent sends none). */
  readonly invalid: string[] = [];
  private readonly data = new Map<number, Buffer[]>();
  private readonly dataCount = new Map<number, number>();
  /** Channels whose bytes are counted, with only their last bytes kept (floods). */
  private readonly tailOnly = new Set<number>();
  closeInfo: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket, readonly index: number) {
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
  }

  /** Records one frame from the agent. */
  receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const decoded = decodeFrame(data);
      if (!decoded.ok) return void this.invalid.push(`binary: ${decoded.reason}`);
      if (decoded.frame.kind === FrameKind.data) {
        const { channel, payload } = decoded.frame;
        const chunks = this.data.get(channel) ?? [];
        chunks.push(Buffer.from(payload));
        this.dataCount.set(channel, (this.dataCount.get(channel) ?? 0) + payload.byteLength);
        if (this.tailOnly.has(channel)) while (chunks.length > 1 && chunks.reduce((n, c) => n + c.byteLength, 0) - chunks[0]!.byteLength >= TAIL_BYTES) chunks.shift();
        this.data.set(decoded.frame.channel, chunks);
      }
      return;
    }
    const decoded = decodeControl(agentToController, data);
    if (decoded.ok) this.messages.push(decoded.message);
    else this.invalid.push(`${decoded.code}: ${decoded.detail}: ${data.toString().slice(0, 200)}`);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends any value as JSON, valid or not: the agent must cope. */
  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends raw bytes as a text (default) or binary websocket message. */
  sendRaw(data: string | Uint8Array, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Sends keystrokes (a DATA frame) on a channel. */
  sendData(channel: number, data: string | Uint8Array): void {
    this.socket.send(encodeData(channel, typeof data === 'string' ? Buffer.from(data) : data), { binary: true });
  }

  /** Grants credit (an ACK frame) on a channel. */
  sendAck(channel: number, credit: number): void {
    this.socket.send(encodeAck(channel, credit), { binary: true });
  }

  /** Messages of one type received so far. */
  ofType<T extends AgentMessageType>(type: T): Extract<AgentToController, { t: T }>[] {
    return this.messages.filter((m): m is Extract<AgentToController, { t: T }> => m.t === type);
  }

  /** Waits for a message of `type` matching `predicate`. */
  async waitFor<T extends AgentMessageType>(
    type: T,
    predicate: (message: Extract<AgentToController, { t: T }>) => boolean = () => true,
    timeoutMs = DEADLINE_MS,
  ): Promise<Extract<AgentToController, { t: T }>> {
    let found: Extract<AgentToController, { t: T }> | undefined;
    await until(() => (found = this.ofType(type).find(predicate)) !== undefined, timeoutMs, `"${type}" from the agent (got ${this.summary()})`);
    return found as Extract<AgentToController, { t: T }>;
  }

  /** All DATA bytes received on a channel. */
  dataBytes(channel: number): number {
    return this.dataCount.get(channel) ?? 0;
  }

  /** From now on, counts the channel's bytes but keeps only the last ones (for output too large to keep). */
  keepTailOnly(channel: number): void {
    this.tailOnly.add(channel);
  }

  /** The last bytes received on a channel, as text. */
  dataTail(channel: number, chars = 200): string {
    return Buffer.concat(this.data.get(channel) ?? []).toString('utf8').slice(-chars);
  }

  /** All DATA received on a channel, as text. */
  dataText(channel: number): string {
    return Buffer.concat(this.data.get(channel) ?? []).toString('utf8');
  }

  /** Waits until the channel's output contains `pattern`. */
  async waitForData(channel: number, pattern: string | RegExp, timeoutMs = DEADLINE_MS): Promise<void> {
    const matches = (): boolean => (typeof pattern === 'string' ? this.dataText(channel).includes(pattern) : pattern.test(this.dataText(channel)));
    await until(matches, timeoutMs, `${String(pattern)} on channel ${channel} (got ${JSON.stringify(this.dataText(channel).slice(-300))})`);
  }

  /**
   * Waits until the agent has handled everything sent to it so far: it handles one
   * connection's messages in order, so its error for a frame sent now on a channel
   * nobody opened comes after them.
   */
  async handledSoFar(): Promise<void> {
    const probes = () => this.ofType('error').filter((m) => m.channel === PROBE_CHANNEL).length;
    const before = probes();
    this.sendData(PROBE_CHANNEL, '.');
    await until(() => probes() > before, 10_000, 'the agent to answer the probe frame');
  }

  /** Drops the TCP connection without a close frame, like a network failure. */
  terminate(): void {
    this.socket.terminate();
  }

  private summary(): string {
    return JSON.stringify(this.messages.map((m) => m.t));
  }
}

export interface HostileController {
  /** http://127.0.0.1:PORT — put `/s/<code>` after it for a support link. */
  url: string;
  port: number;
  connections: AgentConnection[];
  /** Waits for connection number `index` (0-based) to have said hello. */
  connection(index: number, timeoutMs?: number): Promise<AgentConnection>;
  close(): Promise<void>;
}

/** Starts the hostile controller on 127.0.0.1, on a free port. */
export async function startHostileController(options: HostileOptions = {}): Promise<HostileController> {
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  // The server accepts big frames so tests can see what the agent sends; only the agent's limits are under test.
  const wss = new WebSocketServer({ server, path: '/ws/agent', maxPayload: 64 * 1024 * 1024 });
  const connections: AgentConnection[] = [];
  wss.on('connection', (socket) => {
    const connection = new AgentConnection(socket, connections.length);
    connections.push(connection);
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer, isBinary) => {
      const first = connection.hello === null && connection.messages.length === 0;
      connection.receive(data, isBinary);
      const hello = connection.messages[0];
      if (!first || hello?.t !== 'hello') return;
      connection.hello = hello;
      answerHello(connection, hello, options);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    async connection(index, timeoutMs = DEADLINE_MS) {
      await until(() => connections[index]?.hello != null, timeoutMs, `agent connection #${index}`);
      return connections[index] as AgentConnection;
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answerHello(connection: AgentConnection, hello: AgentHello, options: HostileOptions): void {
  const answer = options.answerHello?.(hello, connection.index) ?? 'welcome';
  if (answer === 'silent') return;
  if (answer !== 'welcome') {
    connection.send({ t: 'error', code: answer.error, message: `refused: ${answer.error}` });
    if (answer.close !== undefined) connection.socket.close(answer.close, answer.error);
    return;
  }
  const welcome: WelcomeMessage = {
    t: 'welcome',
    v: PROTOCOL_VERSION,
    sessionId: 'sess-hostile',
    deviceId: 'dev-hostile',
    resumeToken: `resume-token-${connection.index}-abcdefghijklmnop`,
    controller: { name: 'Hostile Relais', organization: 'Test Org', url: 'http://127.0.0.1' },
    technician: TEST_TECHNICIAN,
    heartbeatMs: 15_000,
    ...options.welcome,
  };
  connection.welcome = welcome;
  connection.send(welcome);
}
