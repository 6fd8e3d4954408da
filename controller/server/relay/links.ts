/** The two ends a channel joins: an agent's connection and a technician's browser connection. */
import type { AgentToController, ConsoleToController, ControllerToAgent, ControllerToConsole } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import type { WebSocket } from 'ws';
import type { PeerSocket } from '../hubs/peer-socket.js';

/**
 * What the relay, file transfers, chat and jobs use of an agent's socket: a local
 * PeerSocket, or on a cluster node the link to an agent held by another node
 * (cluster/remote-agent-link.ts).
 */
export type AgentPeer = Pick<
  PeerSocket<AgentToController, ControllerToAgent>,
  'send' | 'sendBinary' | 'sendError' | 'whenDrained' | 'violation' | 'fail' | 'close' | 'logger' | 'closed' | 'pendingBytes'
> & { readonly ws: Pick<WebSocket, 'isPaused' | 'pause' | 'resume'> };

export interface AgentLink {
  readonly peer: AgentPeer;
  readonly deviceId: string;
  /** The support session of an attended agent; null for a managed device. */
  readonly sessionId: string | null;
  readonly channels: Set<number>;
  /** How long the agent's person has to answer a shell request, as its hello said; absent when unknown. */
  readonly consentTimeoutMs?: number;
}

export interface ConsoleLink {
  readonly peer: PeerSocket<ConsoleToController, ControllerToConsole>;
  readonly account: Account;
  readonly channels: Set<number>;
}
