/**
 * On node A, the agent of a device held by node B: an AgentLink whose socket is the node
 * link to B. Control messages and stream frames go over that link tagged with the device;
 * B hands them to its agent untouched. The relay pauses and resumes "the agent's socket"
 * exactly as for a local agent, which here is the node link: credit stays end to end and
 * the link's buffering stays bounded.
 */
import { ERRORS, plainText, type ControllerToAgent, type ErrorCode } from '../../../protocol/index.js';
import type { Log } from '../observability/logger.js';
import type { AgentLink, AgentPeer } from '../relay/links.js';
import type { Holder } from './cluster-events.js';
import { FrameDirection, type NodeLink } from './node-link.js';

export class RemoteAgentPeer implements AgentPeer {
  private ended = false;

  constructor(private readonly link: NodeLink, private readonly deviceId: string, readonly logger: Log) {}

  get closed(): boolean {
    return this.ended || this.link.closed;
  }

  get pendingBytes(): number {
    return this.link.pendingBytes;
  }

  get ws(): AgentPeer['ws'] {
    return this.link.ws;
  }

  send(message: ControllerToAgent): boolean {
    if (this.closed) return false;
    this.link.sendToAgent(this.deviceId, message);
    return true;
  }

  sendBinary(frame: Buffer, written?: () => void): void {
    if (this.closed) return written?.();
    this.link.sendFrame(FrameDirection.toAgent, this.deviceId, frame, written);
  }

  whenDrained(callback: () => void): void {
    this.link.whenDrained(callback);
  }

  sendError(code: ErrorCode, detail?: string): void {
    this.send({ t: 'error', code, message: plainText(detail ? `${ERRORS[code].message} ${detail}` : ERRORS[code].message, 1024) } as ControllerToAgent);
  }

  /** The holder node counts and enforces its own agent's violations; here they are only logged. */
  violation(code: ErrorCode, detail: string): void {
    this.logger.debug({ refusal: code, detail, device: this.deviceId }, 'cluster: a remote agent frame was refused');
  }

  fail(code: ErrorCode): void {
    this.logger.warn({ refusal: code, device: this.deviceId }, 'cluster: a remote agent link failed');
  }

  close(): void {
    this.ended = true;
  }
}

export class RemoteAgentLink implements AgentLink {
  readonly peer: RemoteAgentPeer;
  readonly channels = new Set<number>();
  readonly sessionId: string | null;
  readonly consentTimeoutMs?: number;

  constructor(readonly deviceId: string, readonly holder: Holder, readonly link: NodeLink, log: Log) {
    this.peer = new RemoteAgentPeer(link, deviceId, log.child({ device: deviceId, holder: holder.node }));
    this.sessionId = holder.sessionId;
    if (holder.consentTimeoutMs !== undefined) this.consentTimeoutMs = holder.consentTimeoutMs;
  }
}
