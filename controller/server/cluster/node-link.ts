/**
 * One direct websocket between two nodes, either direction. Control messages are JSON
 * (checked on arrival: the agent's messages against the agent schema, the controller's
 * against the controller's); stream frames are binary, in one of two framings agreed at
 * the handshake (NODE_FRAMING_HEADER, sent both ways):
 *
 *   routed (both nodes know it): a route message when the device or direction changes,
 *       [0xff][1 byte: 1 towards the agent, 2 from it][1 byte: device id length][device id]
 *     then each frame as it came, untouched: no copy, no tag. A frame never starts with
 *     0xff (its first byte is its kind, 1 or 2). Measured on one machine, this cut the CPU
 *     per byte of the node holding the agent by about two thirds (scripts/bench/README.md).
 *   tagged (a node of an earlier version, during a rolling upgrade): every frame copied
 *     behind its tag, [1 byte: direction][1 byte: device id length][device id][frame].
 *
 * Bytes waiting in the socket are counted, as PeerSocket does, so that the relay can stop
 * reading from whoever feeds this link while it has too much queued.
 */
import { z } from 'zod';
import type { WebSocket } from 'ws';
import { FRAME_HEADER_BYTES, LIMITS, agentToController, controllerToAgent, id, type AgentToController, type ControllerToAgent } from '../../../protocol/index.js';
import type { Log } from '../observability/logger.js';

export const nodeMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('to-agent'), deviceId: id, message: controllerToAgent }),
  z.object({ t: z.literal('from-agent'), deviceId: id, message: agentToController }),
  /** The device's agent link is gone from the node that held it (sent after its last frames). */
  z.object({ t: z.literal('agent-gone'), deviceId: id }),
]);
export type NodeMessage = z.infer<typeof nodeMessage>;

export const enum FrameDirection {
  toAgent = 1,
  fromAgent = 2,
}

export interface NodeLinkHandlers {
  message(link: NodeLink, message: NodeMessage): void;
  frame(link: NodeLink, direction: FrameDirection, deviceId: string, frame: Buffer): void;
  closed(link: NodeLink): void;
}

/** The handshake header (request and answer) by which a node says it reads routed framing. */
export const NODE_FRAMING_HEADER = 'x-relais-node-frames';
export type NodeFraming = 'routed' | 'tagged';
/** The headers a node adds to its handshake, opening a link or answering one. */
export const FRAMING_HANDSHAKE: Readonly<Record<string, string>> = Object.freeze({ [NODE_FRAMING_HEADER]: 'routed' });

/** The framing the other node's handshake headers allow. */
export function framingOf(headers: Record<string, string | string[] | undefined>): NodeFraming {
  return headers[NODE_FRAMING_HEADER] === 'routed' ? 'routed' : 'tagged';
}

const ROUTE_MARK = 0xff;

/** Largest message on a node link: an agent's frame or JSON, with its tag. */
export const NODE_LINK_MAX_PAYLOAD = LIMITS.maxFrameBytes + 1024;
const HEARTBEAT_MS = 5000;
const SEND_OPTIONS = Object.freeze({ binary: true, compress: false, fin: true });

export class NodeLink {
  pendingBytes = 0;
  closed = false;
  /** What was sent while the link was still opening, framed once the framing is agreed. */
  private readonly waiting: Array<{ message: string | Buffer | RoutedFrame; written?: (() => void) | undefined }> = [];
  /** Routed framing: the route of the last frame sent, and of the frames arriving. */
  private sentRoute: string | null = null;
  private receivedRoute: Route | null = null;
  private drainWaiters: Array<() => void> = [];
  private alive = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly ws: WebSocket,
    /** The node at the other end. */
    readonly peerNode: string,
    private readonly handlers: NodeLinkHandlers,
    readonly logger: Log,
    /** Agreed already (a link this node accepted), or once the answer to our handshake arrives (agree()). */
    private framing: NodeFraming = 'tagged',
  ) {
    ws.on('open', () => {
      for (const { message, written } of this.waiting.splice(0)) {
        this.pendingBytes -= sizeOf(message);
        if (typeof message === 'string' || Buffer.isBuffer(message)) this.write(message, written);
        else this.sendFrame(message.direction, message.deviceId, message.frame, written);
      }
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.receive(Array.isArray(data) ? Buffer.concat(data) : (data as Buffer), isBinary);
      } catch (err) {
        this.logger.error({ err, node: peerNode }, 'cluster: a node link message could not be handled');
      }
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('error', (err) => this.logger.warn({ node: peerNode, reason: err.message }, 'cluster: node link error'));
    ws.on('close', () => {
      this.closed = true;
      clearInterval(this.heartbeat);
      this.flushDrainWaiters();
      this.handlers.closed(this);
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) return void ws.terminate();
      this.alive = false;
      if (ws.readyState === ws.OPEN) ws.ping();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  send(message: NodeMessage): void {
    this.write(JSON.stringify(message));
  }

  sendToAgent(deviceId: string, message: ControllerToAgent): void {
    this.send({ t: 'to-agent', deviceId, message });
  }

  sendFromAgent(deviceId: string, message: AgentToController): void {
    this.send({ t: 'from-agent', deviceId, message });
  }

  /** The framing the other node's answer allows (a link this node opened: before it opens). */
  agree(framing: NodeFraming): void {
    this.framing = framing;
  }

  /** A stream frame for `deviceId`; `written` runs once the kernel has it (or at once when closed). */
  sendFrame(direction: FrameDirection, deviceId: string, frame: Buffer, written?: () => void): void {
    if (this.closed) return written?.();
    if (this.ws.readyState === this.ws.CONNECTING) {
      // Counted while waiting too, so whoever feeds an opening link is paused like for an open one.
      this.waiting.push({ message: { direction, deviceId, frame }, written });
      this.pendingBytes += frame.byteLength;
      return;
    }
    if (this.framing === 'tagged') return this.write(withTag([direction], deviceId, frame), written);
    // The device id is encoded only when the route changes, not for every frame.
    const route = `${direction}:${deviceId}`;
    if (route !== this.sentRoute) {
      this.sentRoute = route;
      this.write(withTag([ROUTE_MARK, direction], deviceId));
    }
    this.write(frame, written);
  }

  /** Runs `callback` once queued bytes are back under half the high-water mark (or the link closed). */
  whenDrained(callback: () => void): void {
    if (this.closed || this.pendingBytes <= LIMITS.relayHighWaterBytes / 2) return callback();
    this.drainWaiters.push(callback);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.terminate();
  }

  private write(data: string | Buffer, written?: () => void): void {
    if (this.closed) return written?.();
    if (this.ws.readyState === this.ws.CONNECTING) {
      // Counted while waiting too, so whoever feeds an opening link is paused like for an open one.
      this.waiting.push({ message: data, written });
      this.pendingBytes += data.length;
      return;
    }
    const size = data.length;
    this.pendingBytes += size;
    this.ws.send(data, typeof data === 'string' ? { compress: false } : SEND_OPTIONS, () => {
      written?.();
      this.pendingBytes -= size;
      if (this.pendingBytes <= LIMITS.relayHighWaterBytes / 2) this.flushDrainWaiters();
    });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.framing === 'routed' ? this.receiveRouted(data) : this.receiveTagged(data);
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      raw = null;
    }
    const parsed = nodeMessage.safeParse(raw);
    if (!parsed.success) return this.logger.warn({ node: this.peerNode, issue: parsed.error.issues[0]?.message }, 'cluster: an invalid message on a node link was dropped');
    this.handlers.message(this, parsed.data);
  }

  private receiveTagged(data: Buffer): void {
    const direction = data[0];
    const length = data[1] ?? 0;
    if (!isDirection(direction) || data.byteLength < 2 + length + FRAME_HEADER_BYTES) return this.malformed();
    this.handlers.frame(this, direction, data.toString('utf8', 2, 2 + length), data.subarray(2 + length));
  }

  private receiveRouted(data: Buffer): void {
    if (data[0] === ROUTE_MARK) {
      const direction = data[1];
      const length = data[2] ?? 0;
      if (!isDirection(direction) || length === 0 || data.byteLength !== 3 + length) return this.malformed();
      this.receivedRoute = { direction, deviceId: data.toString('utf8', 3) };
      return;
    }
    // A frame before any route, or too short to be one: nobody to give it to.
    if (!this.receivedRoute || data.byteLength < FRAME_HEADER_BYTES) return this.malformed();
    this.handlers.frame(this, this.receivedRoute.direction, this.receivedRoute.deviceId, data);
  }

  private malformed(): void {
    this.logger.warn({ node: this.peerNode }, 'cluster: a malformed frame on a node link was dropped');
  }

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

interface Route {
  readonly direction: FrameDirection;
  readonly deviceId: string;
}

interface RoutedFrame extends Route {
  readonly frame: Buffer;
}

/** One buffer: `head`, the device id's length in bytes, the device id, then `body` if any. */
function withTag(head: readonly number[], deviceId: string, body?: Buffer): Buffer {
  const tag = Buffer.from(deviceId, 'utf8');
  const data = Buffer.allocUnsafe(head.length + 1 + tag.byteLength + (body?.byteLength ?? 0));
  data.set(head, 0);
  data[head.length] = tag.byteLength;
  tag.copy(data, head.length + 1);
  body?.copy(data, head.length + 1 + tag.byteLength);
  return data;
}

function isDirection(value: number | undefined): value is FrameDirection {
  return value === FrameDirection.toAgent || value === FrameDirection.fromAgent;
}

function sizeOf(message: string | Buffer | RoutedFrame): number {
  return typeof message === 'string' || Buffer.isBuffer(message) ? message.length : message.frame.byteLength;
}
