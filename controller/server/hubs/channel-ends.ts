/**
 * Where an agent's channel traffic ends: shell messages and frames at the relay, file
 * messages and frames (file channels) at the file transfers. One routing for the agents this
 * controller holds (agent-hub.ts) and, on a cluster node, for those another node holds and
 * relays here (cluster/cluster-wiring.ts).
 */
import { isFileChannel, type AgentToController, type ShellCloseReason } from '../../../protocol/index.js';
import type { FileTransfers } from '../files/file-transfers.js';
import type { AgentLink } from '../relay/links.js';
import type { Relay } from '../relay/relay.js';

type ShellMessage = Extract<AgentToController, { t: 'shell.consent' | 'shell.opened' | 'shell.closed' | 'shell.takeover.answer' }>;
type FileMessage = Extract<AgentToController, { t: 'file.consent' | 'file.accept' | 'file.info' | 'file.end' | 'file.done' | 'file.failed' }>;
export type ChannelMessage = ShellMessage | FileMessage;

const SHELL_MESSAGES: ReadonlySet<string> = new Set<ShellMessage['t']>(['shell.consent', 'shell.opened', 'shell.closed', 'shell.takeover.answer']);
const FILE_MESSAGES: ReadonlySet<string> = new Set<FileMessage['t']>(['file.consent', 'file.accept', 'file.info', 'file.end', 'file.done', 'file.failed']);

export function isChannelMessage(message: AgentToController): message is ChannelMessage {
  return SHELL_MESSAGES.has(message.t) || FILE_MESSAGES.has(message.t);
}

export class ChannelEnds {
  constructor(private readonly relay: Relay, private readonly files: FileTransfers) {}

  message(link: AgentLink, message: ChannelMessage): void {
    if (SHELL_MESSAGES.has(message.t)) this.relay.fromAgent(link, message as ShellMessage);
    else this.files.fromAgent(link, message as FileMessage);
  }

  /** A stream frame: its 5-byte header's channel says whose it is. */
  frame(link: AgentLink, frame: Buffer): void {
    if (frame.byteLength >= 5 && isFileChannel(frame.readUInt32BE(1))) this.files.agentBinary(link, frame);
    else this.relay.agentBinary(link, frame);
  }

  /** The agent is gone: its shells and transfers end. */
  gone(link: AgentLink, why: ShellCloseReason = 'agent-offline'): void {
    this.relay.agentGone(link, why);
    this.files.agentGone(link);
  }
}
