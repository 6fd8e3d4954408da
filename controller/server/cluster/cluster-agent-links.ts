/**
 * The agents every part of a cluster node routes to: those connected here (AgentLinks,
 * filled by the agent hub), and those held by another node, reached through a
 * RemoteAgentLink over the node link to it. A remote link lives while the presence says
 * that node holds the device and the node link is open; when it ends, the relay and
 * file transfers hear `gone` as they would for a local agent's disconnection.
 */
import type { AgentToController, ControllerToAgent } from '../../../protocol/index.js';
import type { Log } from '../observability/logger.js';
import type { AgentLinks } from '../relay/agent-links.js';
import type { AgentLink } from '../relay/links.js';
import type { NodeLink } from './node-link.js';
import type { NodeLinks } from './node-links.js';
import type { ClusterPresence } from './presence.js';
import { RemoteAgentLink } from './remote-agent-link.js';

/** What is done with what a remote agent sends (the relay, file transfers), and when it goes. */
export interface RemoteAgentHandlers {
  message(link: AgentLink, message: AgentToController): void;
  frame(link: AgentLink, frame: Buffer): void;
  gone(link: AgentLink): void;
}

export class ClusterAgentLinks {
  private readonly remote = new Map<string, RemoteAgentLink>();
  private readonly handlers: RemoteAgentHandlers[] = [];

  constructor(
    readonly local: AgentLinks,
    private readonly presence: ClusterPresence,
    private readonly nodeLinks: Pick<NodeLinks, 'to'>,
    private readonly log: Log,
  ) {
    presence.onChange((deviceId, _before, after) => {
      const link = this.remote.get(deviceId);
      if (link && after?.node !== link.holder.node) this.end(link);
    });
  }

  /** Hears what remote agents send (the relay and file transfers register at start). */
  onRemote(handlers: RemoteAgentHandlers): void {
    this.handlers.push(handlers);
  }

  /** The device's link: local, or through the node that holds it; undefined when it is offline everywhere. */
  get(deviceId: string): AgentLink | undefined {
    const local = this.local.get(deviceId);
    if (local) return local;
    const holder = this.presence.holder(deviceId);
    if (!holder || holder.node === this.presence.nodeId) return undefined;
    const existing = this.remote.get(deviceId);
    if (existing && !existing.peer.closed && existing.holder.node === holder.node) return existing;
    if (existing) this.end(existing);
    const nodeLink = this.nodeLinks.to(holder.node);
    if (!nodeLink) return undefined;
    const link = new RemoteAgentLink(deviceId, holder, nodeLink, this.log);
    this.remote.set(deviceId, link);
    return link;
  }

  isOnline(deviceId: string): boolean {
    return this.local.isOnline(deviceId) || this.presence.isOnline(deviceId);
  }

  send(deviceId: string, message: ControllerToAgent): boolean {
    const link = this.get(deviceId);
    if (!link || link.peer.closed) return false;
    return link.peer.send(message) !== false;
  }

  /** A message from a remote agent, for whatever this node opened on it. */
  fromAgent(deviceId: string, message: AgentToController): void {
    const link = this.remote.get(deviceId);
    if (!link) return;
    for (const h of this.handlers) h.message(link, message);
  }

  fromAgentFrame(deviceId: string, frame: Buffer): void {
    const link = this.remote.get(deviceId);
    if (!link) return;
    for (const h of this.handlers) h.frame(link, frame);
  }

  /** The holder says the device's agent is gone (after its last frames). */
  agentGone(deviceId: string): void {
    const link = this.remote.get(deviceId);
    if (link) this.end(link);
  }

  /** A node link closed: every remote agent reached through it is gone for what this node opened. */
  linkClosed(nodeLink: NodeLink): void {
    for (const link of [...this.remote.values()]) if (link.link === nodeLink) this.end(link);
  }

  private end(link: RemoteAgentLink): void {
    if (this.remote.get(link.deviceId) !== link) return;
    this.remote.delete(link.deviceId);
    link.peer.close();
    for (const h of this.handlers) h.gone(link);
  }
}
