/** The two ends a channel joins: an agent's connection and a technician's browser connection. */
import type { AgentToController, ConsoleToController, ControllerToAgent, ControllerToConsole } from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import type { PeerSocket } from '../hubs/peer-socket.js';

export interface AgentLink {
  readonly peer: PeerSocket<AgentToController, ControllerToAgent>;
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
