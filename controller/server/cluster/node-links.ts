/**
 * The node links of this node: opened lazily to a node the first time something must
 * reach it (its URL from the registry, the handshake signed with the cluster secret),
 * accepted from the others at /ws/node once their handshake checked out. One link per
 * pair is used: a node sends on whichever link to that node is open.
 */
import { WebSocket } from 'ws';
import { framesNeedMasking, zeroMask } from '../../../protocol/index.js';
import type { Log } from '../observability/logger.js';
import { signNodeHandshake, type NodeAuthenticator } from './node-auth.js';
import { FRAMING_HANDSHAKE, NODE_LINK_MAX_PAYLOAD, NodeLink, framingOf, type NodeFraming, type NodeLinkHandlers } from './node-link.js';

export interface NodeLinksDeps {
  readonly nodeId: string;
  readonly secret: string;
  /** A live node's URL (http(s)://host:port), null when it is not alive. */
  readonly urlOf: (nodeId: string) => string | null;
  /** Checks the answering node's handshake (the same secret, the node it meant to reach). */
  readonly authenticator: Pick<NodeAuthenticator, 'verify'>;
  readonly log: Log;
}

export class NodeLinks {
  private readonly byNode = new Map<string, NodeLink>();
  private handlers: NodeLinkHandlers | null = null;

  constructor(private readonly deps: NodeLinksDeps) {}

  /** Who handles what arrives on the links (set once, before any link exists). */
  handle(handlers: NodeLinkHandlers): void {
    this.handlers = handlers;
  }

  /** The link to `nodeId`, opened now if there is none; null when the node is not alive. */
  to(nodeId: string): NodeLink | null {
    const open = this.byNode.get(nodeId);
    if (open && !open.closed) return open;
    const url = this.deps.urlOf(nodeId);
    if (url === null || nodeId === this.deps.nodeId) return null;
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/node`, {
        headers: { ...signNodeHandshake(this.deps.secret, this.deps.nodeId), ...FRAMING_HANDSHAKE },
        perMessageDeflate: false,
        maxPayload: NODE_LINK_MAX_PAYLOAD,
        // Between nodes on one machine or over TLS, a zero mask: ws sends the frame's own buffer, uncopied.
        ...(framesNeedMasking(url.replace(/^http/, 'ws')) ? {} : { generateMask: zeroMask }),
        handshakeTimeout: 5000,
      });
    } catch (err) {
      // A URL in the registry that is not one (Redis holds what any node wrote).
      this.deps.log.warn({ node: nodeId, err }, `cluster: node ${nodeId} has no usable URL`);
      return null;
    }
    // The node that answers must prove the secret too: an address taken over by someone else gets nothing.
    let link: NodeLink | null = null;
    ws.on('upgrade', (res) => {
      const answer = this.deps.authenticator.verify(res.headers);
      if (answer.ok && answer.nodeId === nodeId) return void link?.agree(framingOf(res.headers));
      this.deps.log.warn({ node: nodeId, reason: answer.ok ? 'another node answered' : answer.reason }, `cluster: the node link to ${nodeId} was dropped: the answer did not prove the cluster secret`);
      ws.terminate();
    });
    ws.on('unexpected-response', (_req, res) => {
      this.deps.log.warn({ node: nodeId, status: res.statusCode }, `cluster: node ${nodeId} refused the node link (HTTP ${res.statusCode}); is the cluster secret the same on every node?`);
      ws.terminate();
    });
    link = this.add(ws, nodeId, 'tagged');
    return link;
  }

  /** A link another node opened, its handshake already checked; `framing`: what its handshake allows. */
  accept(ws: WebSocket, nodeId: string, framing: NodeFraming): NodeLink {
    this.deps.log.info({ node: nodeId, framing }, `cluster: node link from ${nodeId}`);
    return this.add(ws, nodeId, framing);
  }

  /** The open link to a node, without opening one. */
  existing(nodeId: string): NodeLink | null {
    const link = this.byNode.get(nodeId);
    return link && !link.closed ? link : null;
  }

  /** Ends the links to a node (it died). */
  drop(nodeId: string): void {
    this.byNode.get(nodeId)?.close();
  }

  closeAll(): void {
    for (const link of this.byNode.values()) link.close();
  }

  private add(ws: WebSocket, nodeId: string, framing: NodeFraming): NodeLink {
    const handlers = this.handlers;
    if (!handlers) throw new Error('node links have no handlers');
    const link = new NodeLink(ws, nodeId, {
      message: (l, message) => handlers.message(l, message),
      frame: (l, direction, deviceId, frame) => handlers.frame(l, direction, deviceId, frame),
      closed: (l) => {
        if (this.byNode.get(nodeId) === l) this.byNode.delete(nodeId);
        handlers.closed(l);
      },
    }, this.deps.log, framing);
    this.byNode.set(nodeId, link);
    return link;
  }
}
