/**
 * Pairs a console and an agent through numbered channels. Channel numbers are the
 * same on both legs, so stream frames are forwarded as received: the relay reads
 * the 5-byte header and never the payload. Flow control is end to end (the
 * browser's ACKs reach the agent); the relay only stops reading from a socket
 * whose peer has too many bytes queued, so a slow reader cannot grow our memory.
 * With a recorder, an open shell's output payloads are also handed to its recording
 * (recordings/shell-recorder.ts): a view of the frame, no await.
 */
import {
  FRAME_HEADER_BYTES, FrameKind, LIMITS, peekHeader, type AgentToController, type ConsentDecision, type Person, type ShellCloseReason,
} from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { PeerSocket } from '../hubs/peer-socket.js';
import type { ShellLog, ShellRecorder } from '../recordings/shell-recorder.js';
import type { AgentLinks } from './agent-links.js';
import type { AgentLink, ConsoleLink } from './links.js';

interface Channel {
  readonly id: number;
  readonly agent: AgentLink;
  readonly console: ConsoleLink;
  readonly deviceId: string;
  readonly requestedBy: Person;
  state: 'consent' | 'open';
  openedAt: number | null;
  /** The terminal's size as last asked by the console (the recording starts with it). */
  cols: number;
  rows: number;
  /** The shell's recording and timeline, from its opening. */
  log: ShellLog | null;
}

type ShellMessage = Extract<AgentToController, { t: 'shell.consent' | 'shell.opened' | 'shell.closed' }>;

export class Relay {
  private readonly channels = new Map<number, Channel>();
  private nextChannel = 1;

  constructor(
    private readonly audit: AuditLog,
    /** The connected agents, filled by the agent hub. */
    private readonly agents: Pick<AgentLinks, 'get'>,
    /** Records shells and notes them on tickets; none: neither (unit tests). */
    private readonly recorder: ShellRecorder | null = null,
  ) {}

  /** A technician asks for a shell: the agent will ask its person; the console waits for the answer. */
  openShell(console: ConsoleLink, request: { requestId: string; deviceId: string; cols: number; rows: number }): void {
    const agent = this.agents.get(request.deviceId);
    if (!agent) return console.peer.sendError('SHELL_ERR_DEVICE_OFFLINE', undefined, { requestId: request.requestId });
    if (console.channels.size >= LIMITS.maxChannelsPerConnection || agent.channels.size >= LIMITS.maxChannelsPerConnection) {
      return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', undefined, { requestId: request.requestId });
    }
    const id = this.nextChannel++;
    const requestedBy = { username: console.account.username, name: console.account.name };
    const channel: Channel = {
      id, agent, console, deviceId: request.deviceId, requestedBy, state: 'consent', openedAt: null, cols: request.cols, rows: request.rows, log: null,
    };
    this.channels.set(id, channel);
    agent.channels.add(id);
    console.channels.add(id);
    console.peer.send({ t: 'shell.pending', requestId: request.requestId, channel: id, deviceId: request.deviceId, ...(agent.consentTimeoutMs !== undefined ? { timeoutMs: agent.consentTimeoutMs } : {}) });
    const recorded = this.recorder?.recording === true;
    agent.peer.send({ t: 'shell.open', channel: id, cols: request.cols, rows: request.rows, requestedBy, window: LIMITS.initialWindowBytes, recorded });
    this.audit.note({ actor: console.account.username, action: 'consent.asked', target: request.deviceId, detail: { channel: id, action: 'shell' } });
  }

  /** The agent reports on a shell it owns; anything about another agent's channel is ignored. */
  fromAgent(agent: AgentLink, message: ShellMessage): void {
    const channel = this.channels.get(message.channel);
    if (!channel || channel.agent !== agent) return;
    const console = channel.console.peer;
    switch (message.t) {
      case 'shell.consent': {
        if (channel.state !== 'consent') return;
        console.send({ t: 'shell.consent', channel: channel.id, decision: message.decision });
        this.audit.note({ actor: `device:${channel.deviceId}`, action: 'consent.answered', target: channel.requestedBy.username, detail: { channel: channel.id, decision: message.decision } });
        if (message.decision !== 'granted') this.finish(channel, reasonFor(message.decision), null, false);
        return;
      }
      case 'shell.opened': {
        if (channel.state !== 'consent') return;
        channel.state = 'open';
        channel.openedAt = Date.now();
        channel.log =
          this.recorder?.opened({
            deviceId: channel.deviceId, channel: channel.id, sessionId: agent.sessionId, technician: channel.requestedBy.username,
            technicianLanguage: channel.console.account.language ?? null, cols: channel.cols, rows: channel.rows, shell: message.shell, user: message.user,
          }) ?? null;
        console.send({ t: 'shell.opened', channel: channel.id, mode: message.mode, user: message.user, shell: message.shell, window: LIMITS.initialWindowBytes });
        this.audit.note({ actor: channel.requestedBy.username, action: 'shell.opened', target: channel.deviceId, detail: { channel: channel.id, mode: message.mode, user: message.user, recordingId: channel.log?.recordingId ?? null } });
        return;
      }
      case 'shell.closed':
        return this.finish(channel, message.reason, message.exitCode, false);
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** Output from the agent, forwarded to the console that owns the channel. */
  agentBinary(agent: AgentLink, frame: Buffer): void {
    const channel = this.route(agent.peer, frame);
    if (!channel || channel.agent !== agent) return;
    if (frame[0] !== FrameKind.data || channel.state !== 'open') return;
    this.forward(agent.peer, channel.console.peer, frame);
    channel.log?.output(frame.subarray(FRAME_HEADER_BYTES));
  }

  /** Keystrokes and render acknowledgements from the console, forwarded to the agent. */
  consoleBinary(console: ConsoleLink, frame: Buffer): void {
    const channel = this.route(console.peer, frame);
    if (!channel || channel.console !== console || channel.state !== 'open') return;
    this.forward(console.peer, channel.agent.peer, frame);
  }

  resize(console: ConsoleLink, message: { channel: number; cols: number; rows: number }): void {
    const channel = this.channels.get(message.channel);
    if (!channel || channel.console !== console) return console.peer.violation('PROTO_ERR_UNKNOWN_CHANNEL', `channel ${message.channel}`);
    channel.agent.peer.send({ t: 'shell.resize', channel: channel.id, cols: message.cols, rows: message.rows });
    channel.cols = message.cols;
    channel.rows = message.rows;
    channel.log?.resize(message.cols, message.rows);
  }

  closeByConsole(console: ConsoleLink, channelId: number): void {
    const channel = this.channels.get(channelId);
    if (!channel || channel.console !== console) return;
    this.finish(channel, 'technician', null, true);
  }

  /** The agent's connection is gone: every shell it had is over. */
  agentGone(agent: AgentLink): void {
    for (const id of [...agent.channels]) {
      const channel = this.channels.get(id);
      if (channel) this.finish(channel, 'agent-offline', null, false);
    }
  }

  /** The technician's browser is gone: its shells are ended on the agent. */
  consoleGone(console: ConsoleLink): void {
    for (const id of [...console.channels]) {
      const channel = this.channels.get(id);
      if (channel) this.finish(channel, 'console-gone', null, true);
    }
  }

  /** Channels currently open or waiting for consent (for tests and metrics). */
  get size(): number {
    return this.channels.size;
  }

  private finish(channel: Channel, reason: ShellCloseReason, exitCode: number | null, tellAgent: boolean): void {
    if (!this.channels.delete(channel.id)) return;
    channel.agent.channels.delete(channel.id);
    channel.console.channels.delete(channel.id);
    if (tellAgent) channel.agent.peer.send({ t: 'shell.close', channel: channel.id, reason });
    channel.console.peer.send({ t: 'shell.closed', channel: channel.id, reason, exitCode });
    void channel.log?.close(reason, exitCode);
    if (channel.openedAt !== null) {
      this.audit.note({
        actor: channel.requestedBy.username,
        action: 'shell.closed',
        target: channel.deviceId,
        detail: { channel: channel.id, reason, exitCode, durationMs: Date.now() - channel.openedAt },
      });
    }
  }

  /** Validates a frame's header and finds its channel; late frames for a closed channel are dropped quietly. */
  private route(from: PeerSocket<any, any>, frame: Buffer): Channel | undefined {
    const header = peekHeader(frame);
    if (!header) return void from.violation('PROTO_ERR_BAD_FRAME', 'unknown frame kind or channel 0');
    if (header.kind === FrameKind.data && frame.byteLength - FRAME_HEADER_BYTES > LIMITS.maxChunkBytes) {
      return void from.violation('PROTO_ERR_BAD_FRAME', `payload over ${LIMITS.maxChunkBytes} bytes`);
    }
    if (header.kind === FrameKind.ack && frame.byteLength !== FRAME_HEADER_BYTES + 4) {
      return void from.violation('PROTO_ERR_BAD_FRAME', 'ack frame of the wrong size');
    }
    const channel = this.channels.get(header.channel);
    if (!channel && header.channel >= this.nextChannel) from.violation('PROTO_ERR_UNKNOWN_CHANNEL', `channel ${header.channel}`);
    return channel;
  }

  /** Sends the frame untouched; stops reading from `from` while `to` has too much queued. */
  private forward(from: PeerSocket<any, any>, to: PeerSocket<any, any>, frame: Buffer): void {
    to.sendBinary(frame);
    if (to.pendingBytes > LIMITS.relayHighWaterBytes && !from.ws.isPaused) {
      from.ws.pause();
      to.whenDrained(() => {
        if (!from.closed) from.ws.resume();
      });
    }
  }
}

/** Why a refused shell ends. A policy refusal is the machine declining; the console tells it apart by the consent decision. */
function reasonFor(decision: ConsentDecision): ShellCloseReason {
  return decision === 'timeout' ? 'timeout' : 'declined';
}
