/**
 * One direct websocket between two nodes, either direction. Control messages are JSON
 * (checked on arrival: the agent's messages against the agent schema, the controller's
 * against the controller's); stream frames are binary, tagged with their device:
 *
 *     [1 byte: 1 towards the agent, 2 from it][1 byte: device id length][device id][frame]
 *
 * Bytes waiting in the socket are counted, as PeerSocket does, so that the relay can stop
 * reading from whoever feeds this link while it has too much queued.
 */
import { z } from 'zod';
import type { WebSocket } from 'ws';
import { LIMITS, agentToController, controllerToAgent, id, type AgentToController, type ControllerToAgent } from '../../../protocol/index.js';
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

/** Largest message on a node link: an agent's frame or JSON, with its tag. */
export const NODE_LINK_MAX_PAYLOAD = LIMITS.maxFrameBytes + 1024;
const HEARTBEAT_MS = 5000;
const SEND_OPTIONS = Object.freeze({ binary: true, compress: false, fin: true });

export class NodeLink {
  pendingBytes = 0;
  closed = false;
  /** What was sent while the link was still opening. */
  private readonly waiting: Array<{ data: string | Buffer; written?: () => void }> = [];
  private drainWaiters: Array<() => void> = [];
  private alive = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly ws: WebSocket,
    /** The node at the other end. */
    readonly peerNode: string,
    private readonly handlers: NodeLinkHandlers,
    readonly logger: Log,
  ) {
    ws.on('open', () => {
      for (const { data, written } of this.waiting.splice(0)) {
        this.pendingBytes -= data.length;
        this.write(data, written);
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

  /** A stream frame with its device tag; `written` runs once the kernel has it (or at once when closed). */
  sendFrame(direction: FrameDirection, deviceId: string, frame: Buffer, written?: () => void): void {
    if (this.closed) return written?.();
    const tag = Buffer.from(deviceId, 'utf8');
    const data = Buffer.allocUnsafe(2 + tag.byteLength + frame.byteLength);
    data[0] = direction;
    data[1] = tag.byteLength;
    tag.copy(data, 2);
    frame.copy(data, 2 + tag.byteLength);
    this.write(data, written);
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
      this.waiting.push(written ? { data, written } : { data });
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
    if (isBinary) {
      const direction = data[0];
      const length = data[1] ?? 0;
      if ((direction !== FrameDirection.toAgent && direction !== FrameDirection.fromAgent) || data.byteLength < 2 + length + 5) {
        return this.logger.warn({ node: this.peerNode }, 'cluster: a malformed frame on a node link was dropped');
      }
      const deviceId = data.toString('utf8', 2, 2 + length);
      return this.handlers.frame(this, direction, deviceId, data.subarray(2 + length));
    }
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

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
