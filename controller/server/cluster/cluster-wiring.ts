/**
 * Wires a cluster node's parts to the cluster (main.ts calls it only with --redis-url):
 * what remote agents send goes to the relay and file transfers, a device another node took
 * is let go here, and the events bus keeps the device list, jobs, tickets, chat and
 * diagnostics the same on every node.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit.js';
import type { ChatService } from '../chat/chat-service.js';
import type { Config } from '../config/config.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import type { FileTransfers } from '../files/file-transfers.js';
import type { AgentHub } from '../hubs/agent-hub.js';
import { ChannelEnds, isChannelMessage } from '../hubs/channel-ends.js';
import type { NodeDoor } from '../http/upgrade.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { Log } from '../observability/logger.js';
import type { Relay } from '../relay/relay.js';
import type { TicketStore } from '../tickets/ticket-store.js';
import type { Cluster } from './cluster.js';
import { syncDevices } from './device-sync.js';
import { syncJobs } from './cluster-jobs.js';
import { framingOf } from './node-link.js';

export interface ClusterParts {
  readonly devices: DeviceRegistry;
  readonly relay: Relay;
  readonly files: FileTransfers;
  readonly agents: AgentHub;
  readonly dispatcher: Dispatcher;
  readonly diagnostics: DiagnosticsStore;
  readonly chat: ChatService;
  readonly tickets: TicketStore;
  readonly log: Log;
}

/** This node's id in the cluster: --node-id, else host:port; with --port 0, host and a random part (the port is not known yet). */
export function clusterNodeId(config: Pick<Config, 'nodeId' | 'port'>): string {
  return config.nodeId ?? (config.port !== 0 ? `${hostname()}:${config.port}` : `${hostname()}-${randomBytes(4).toString('hex')}`);
}

/** Where the other nodes reach this one: --node-url, else its own address and listening port. */
export function nodeUrlOf(config: Pick<Config, 'nodeUrl' | 'host'>, tls: boolean, port: number): string {
  if (config.nodeUrl !== null) return config.nodeUrl;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return `${tls ? 'https' : 'http'}://${host}:${port}`;
}

/** The /ws/node door: handshakes checked with the cluster secret, refusals audited (the reason, never a header's value). */
export function nodeDoor(cluster: Cluster, audit: Pick<AuditLog, 'note'>): NodeDoor {
  return {
    verify: (headers, ip) => {
      const result = cluster.verifyNode(headers);
      if (!result.ok) audit.note({ actor: `node@${ip}`, action: 'node.refused', detail: { reason: result.reason }, ip });
      return result;
    },
    accept: (ws, nodeId, headers) => cluster.acceptNode(ws, nodeId, framingOf(headers)),
    answer: () => cluster.answerNode(),
  };
}

export function wireCluster(cluster: Cluster, parts: ClusterParts): void {
  const { relay, files, agents } = parts;
  // A remote agent's channel traffic ends where a local agent's does.
  const ends = new ChannelEnds(relay, files);
  cluster.links.onRemote({
    message: (link, message) => {
      if (isChannelMessage(message)) ends.message(link, message);
    },
    frame: (link, frame) => ends.frame(link, frame),
    gone: (link) => ends.gone(link),
  });
  cluster.onTaken((deviceId) => agents.movedAway(deviceId));
  syncDevices(cluster, parts);
  syncJobs(cluster, parts.dispatcher, parts.log);

  // Timeline events and chat messages: committed on one node, shown by every node's consoles.
  parts.tickets.onEvent((notice, remote) => {
    if (!remote) cluster.publish({ t: 'ticket', message: { t: 'ticket.event', number: notice.number, event: notice.event }, accountIds: [...notice.accountIds] });
  });
  parts.chat.onMessage((notice, remote) => {
    if (!remote) cluster.publish({ t: 'chat', message: notice });
  });
  cluster.on((event) => {
    switch (event.t) {
      case 'ticket':
        return parts.tickets.heardRemote({ number: event.message.number, event: event.message.event, accountIds: event.accountIds });
      case 'chat':
        return parts.chat.heardRemote(event.message);
      case 'device.command':
        // Only the node holding the device acts; the others do not hold it.
        if (event.command === 'revoke') return agents.revoke(event.deviceId, true);
        return agents.endSession(event.deviceId, event.reason, true);
      default:
        return;
    }
  });
}
