/**
 * Pairs a console and an agent through numbered channels. Channel numbers are the
 * same on both legs, so stream frames are forwarded as received: the relay reads
 * the 5-byte header and never the payload. Flow control is end to end (the
 * browser's ACKs reach the agent); the relay only stops reading from a socket
 * whose peer has too many bytes queued, so a slow reader cannot grow our memory.
 * With a recorder, an open shell's output payloads are also handed to its recording
 * (recordings/shell-recorder.ts): a view of the frame, no await.
 *
 * An open shell belongs to the support session, not to the page: when its console
 * goes (navigation, reload, closed tab) the shell stays open on the agent for a
 * grace period with no console, then ends as `console-gone`. The relay keeps the
 * last output of every open shell in a bounded ring, so a console that attaches
 * again gets that scrollback first, then live output. Credit stays end to end while
 * a console is attached; while none is, the relay grants the agent credit for what
 * it buffers itself (the shell never stalls; beyond the ring, output is dropped).
 *
 * Two technicians on one shell: only the holder of the keyboard (the technician the
 * person said yes to) drives, from one console; watching, taking the keyboard with the
 * person's fresh yes and telling everyone who is on the shell are shell-sharing.ts.
 */
import {
  FILE_CHANNEL_BASE, FRAME_HEADER_BYTES, FrameKind, LIMITS, encodeAck, encodeData, peekHeader,
  type AgentToController, type ConsentDecision, type LiveShell, type ShellCloseReason,
} from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import { NO_METRICS, type Meter } from '../observability/metrics.js';
import type { ShellRecorder } from '../recordings/shell-recorder.js';
import type { AgentLinks } from './agent-links.js';
import type { AgentLink, AgentPeer, ConsoleLink } from './links.js';
import { OutputRing } from './output-ring.js';
import { ShellSeats } from './shell-seats.js';
import { mayDrive, mayEndDetached } from './shell-access.js';
import { ShellSharing } from './shell-sharing.js';
import type { Channel } from './channel.js';

/** What the relay uses of either leg's socket (a console's, an agent's, or a node link standing for a remote agent). */
type RelayEnd = Pick<AgentPeer, 'sendBinary' | 'pendingBytes' | 'whenDrained' | 'violation' | 'closed' | 'ws'>;

type ShellMessage = Extract<AgentToController, { t: 'shell.consent' | 'shell.opened' | 'shell.closed' | 'shell.takeover.answer' }>;

export interface RelayOptions {
  /** How long an open shell waits for a console to come back (default LIMITS.shellGraceMs). */
  graceMs?: number;
  /** Output kept per shell for reattaching (default LIMITS.maxScrollbackBytes). */
  scrollbackBytes?: number;
  /** Unacknowledged bytes one observer may have (default: the scrollback size). */
  observerWindowBytes?: number;
  /** Counts the stream bytes relayed (NO_METRICS when metrics are off). */
  meter?: Pick<Meter, 'relayed'>;
  /** The shell channel numbers this relay gives, from `first` to before `end` (a cluster node's slot; default: all shell numbers). */
  channels?: { readonly first: number; readonly end: number };
}

export class Relay {
  private readonly channels = new Map<number, Channel>();
  private nextChannel: number;
  private readonly firstChannel: number;
  private readonly endChannel: number;
  private readonly graceMs: number;
  private readonly scrollbackBytes: number;
  /** Observers, take-overs and who is on each device. */
  private readonly sharing: ShellSharing;
  private readonly meter: Pick<Meter, 'relayed'>;

  constructor(
    private readonly audit: AuditLog,
    /** The connected agents, filled by the agent hub. */
    private readonly agents: Pick<AgentLinks, 'get'>,
    /** Records shells and notes them on tickets; none: neither (unit tests). */
    private readonly recorder: ShellRecorder | null = null,
    options: RelayOptions = {},
  ) {
    this.graceMs = options.graceMs ?? LIMITS.shellGraceMs;
    this.scrollbackBytes = Math.min(options.scrollbackBytes ?? LIMITS.maxScrollbackBytes, LIMITS.maxScrollbackBytes);
    this.sharing = new ShellSharing(audit, this.channels, (console, request) => this.attach(console, request), options.observerWindowBytes);
    this.meter = options.meter ?? NO_METRICS;
    this.firstChannel = options.channels?.first ?? 1;
    this.endChannel = options.channels?.end ?? FILE_CHANNEL_BASE;
    this.nextChannel = this.firstChannel;
  }

  /** A technician asks for a shell: the agent will ask its person; the console waits for the answer. */
  openShell(console: ConsoleLink, request: { requestId: string; deviceId: string; cols: number; rows: number }): void {
    const agent = this.agents.get(request.deviceId);
    if (!agent) return console.peer.sendError('SHELL_ERR_DEVICE_OFFLINE', undefined, { requestId: request.requestId });
    if (console.channels.size >= LIMITS.maxChannelsPerConnection || agent.channels.size >= LIMITS.maxChannelsPerConnection || this.nextChannel >= this.endChannel) {
      return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', undefined, { requestId: request.requestId });
    }
    const id = this.nextChannel++;
    const requestedBy = { username: console.account.username, name: console.account.name };
    const channel: Channel = {
      id, agent, seats: new ShellSeats<ConsoleLink>(requestedBy, console), feeds: new Map(), toldReadOnly: new Set(), viewersSaid: '',
      deviceId: request.deviceId, requestedBy, state: 'consent', openedAt: null, cols: request.cols, rows: request.rows, log: null,
      opened: null, scrollback: new OutputRing(this.scrollbackBytes), owed: 0, replayOwed: 0, graceTimer: null,
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
    const console = channel.seats.driver?.peer;
    switch (message.t) {
      case 'shell.consent': {
        if (channel.state !== 'consent') return;
        console?.send({ t: 'shell.consent', channel: channel.id, decision: message.decision });
        this.audit.note({ actor: `device:${channel.deviceId}`, action: 'consent.answered', target: channel.requestedBy.username, detail: { channel: channel.id, decision: message.decision } });
        if (message.decision !== 'granted') this.finish(channel, reasonFor(message.decision), null, false);
        return;
      }
      case 'shell.opened': {
        if (channel.state !== 'consent') return;
        channel.state = 'open';
        channel.openedAt = Date.now();
        channel.opened = { mode: message.mode, user: message.user, shell: message.shell };
        channel.log =
          this.recorder?.opened({
            deviceId: channel.deviceId, channel: channel.id, sessionId: agent.sessionId, technician: channel.requestedBy.username,
            technicianLanguage: channel.seats.driver?.account.language ?? null, cols: channel.cols, rows: channel.rows, shell: message.shell, user: message.user,
          }) ?? null;
        console?.send({ t: 'shell.opened', channel: channel.id, mode: message.mode, user: message.user, shell: message.shell, window: LIMITS.initialWindowBytes });
        this.audit.note({ actor: channel.requestedBy.username, action: 'shell.opened', target: channel.deviceId, detail: { channel: channel.id, mode: message.mode, user: message.user, recordingId: channel.log?.recordingId ?? null } });
        this.sharing.seatsChanged(channel);
        return;
      }
      case 'shell.closed':
        return this.finish(channel, message.reason, message.exitCode, false);
      case 'shell.takeover.answer':
        return this.sharing.answered(channel, message.requestId, message.decision);
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** Output from the agent: kept in the scrollback, forwarded to the attached console, or acknowledged here when none is. */
  agentBinary(agent: AgentLink, frame: Buffer): void {
    const channel = this.route(agent.peer, frame);
    if (!channel || channel.agent !== agent) return;
    if (frame[0] !== FrameKind.data || channel.state !== 'open') return;
    const payload = frame.subarray(FRAME_HEADER_BYTES);
    this.meter.relayed('agent-to-console', payload.byteLength);
    channel.scrollback.push(payload);
    for (const feed of channel.feeds.values()) feed.pump();
    const driver = channel.seats.driver;
    if (driver) {
      channel.owed += payload.byteLength;
      this.forward(agent.peer, driver.peer, frame);
    } else if (payload.byteLength > 0) {
      // Nobody renders it now: the relay is the reader, so the shell keeps its credit.
      agent.peer.sendBinary(Buffer.from(encodeAck(channel.id, payload.byteLength)));
    }
    channel.log?.output(payload);
  }

  /**
   * Keystrokes and render acknowledgements from the console, forwarded to the agent.
   * Acknowledgements of replayed scrollback stop here; an acknowledgement is passed on
   * only up to what the agent is owed (it was credited already when the console detached).
   */
  consoleBinary(console: ConsoleLink, frame: Buffer): void {
    const channel = this.route(console.peer, frame);
    if (!channel || channel.state !== 'open') return;
    const feed = channel.feeds.get(console);
    if (feed) return this.sharing.fromObserver(channel, console, feed, frame);
    if (channel.seats.driver !== console) return;
    if (frame[0] !== FrameKind.ack) {
      if (frame[0] === FrameKind.data) this.meter.relayed('console-to-agent', frame.byteLength - FRAME_HEADER_BYTES);
      return this.forward(console.peer, channel.agent.peer, frame);
    }
    let credit = frame.readUInt32BE(FRAME_HEADER_BYTES);
    const replayed = Math.min(credit, channel.replayOwed);
    channel.replayOwed -= replayed;
    credit -= replayed;
    const owed = Math.min(credit, channel.owed);
    channel.owed -= owed;
    if (owed === 0) return;
    this.forward(console.peer, channel.agent.peer, owed === frame.readUInt32BE(FRAME_HEADER_BYTES) ? frame : Buffer.from(encodeAck(channel.id, owed)));
  }

  /** The live shells of a device that this console may attach to (its technician's, or any for an admin). */
  listShells(console: ConsoleLink, request: { requestId: string; deviceId: string }): void {
    const shells: LiveShell[] = [];
    for (const channel of this.channels.values()) {
      if (channel.deviceId !== request.deviceId || channel.state !== 'open' || !channel.opened || !mayDrive(console.account, channel.seats.holder)) continue;
      shells.push({
        channel: channel.id, ...channel.opened, technician: channel.seats.holder, openedAt: channel.openedAt ?? 0, attached: channel.seats.driver !== null,
      });
    }
    console.peer.send({ t: 'shell.live', requestId: request.requestId, deviceId: request.deviceId, shells: shells.slice(0, LIMITS.maxChannelsPerConnection) });
  }

  /**
   * Binds a live shell to this console: its scrollback first, then live output. A
   * console that showed it until now (another tab) is told it no longer does.
   */
  attach(console: ConsoleLink, request: { requestId: string; channel: number; cols: number; rows: number }): void {
    const channel = this.channels.get(request.channel);
    if (!channel || channel.state !== 'open' || !channel.opened || !mayDrive(console.account, channel.seats.holder)) {
      return console.peer.sendError('PROTO_ERR_UNKNOWN_CHANNEL', undefined, { requestId: request.requestId, channel: request.channel });
    }
    if (!console.channels.has(channel.id) && console.channels.size >= LIMITS.maxChannelsPerConnection) {
      return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', undefined, { requestId: request.requestId });
    }
    const previous = channel.seats.driver;
    if (previous && previous !== console) {
      this.release(channel);
      previous.peer.send({ t: 'shell.detached', channel: channel.id });
    } else if (previous === console) {
      this.release(channel);
    }
    this.sharing.stopFeed(channel, console);
    if (channel.graceTimer) clearTimeout(channel.graceTimer);
    channel.graceTimer = null;
    channel.seats.drive(console);
    console.channels.add(channel.id);
    const replay = channel.scrollback.chunks();
    const replayBytes = replay.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    channel.replayOwed = replayBytes;
    console.peer.send({
      t: 'shell.attached', requestId: request.requestId, channel: channel.id, deviceId: channel.deviceId, ...channel.opened,
      window: LIMITS.initialWindowBytes, scrollbackBytes: replayBytes,
    });
    for (const chunk of replay) {
      for (let at = 0; at < chunk.byteLength; at += LIMITS.maxChunkBytes) {
        console.peer.sendBinary(Buffer.from(encodeData(channel.id, chunk.subarray(at, at + LIMITS.maxChunkBytes))));
      }
    }
    if (request.cols !== channel.cols || request.rows !== channel.rows) {
      channel.agent.peer.send({ t: 'shell.resize', channel: channel.id, cols: request.cols, rows: request.rows });
      channel.cols = request.cols;
      channel.rows = request.rows;
      channel.log?.resize(request.cols, request.rows);
    }
    this.audit.note({ actor: console.account.username, action: 'shell.attached', target: channel.deviceId, detail: { channel: channel.id, scrollbackBytes: replayBytes } });
    this.sharing.seatsChanged(channel);
  }

  /** The page showing a shell leaves: the shell stays open, without a console, for the grace period. */
  detach(console: ConsoleLink, channelId: number): void {
    const channel = this.channels.get(channelId);
    if (channel?.feeds.has(console)) return this.sharing.stopObserving(channel, console);
    if (!channel || channel.seats.driver !== console) return;
    if (channel.state !== 'open') return this.finish(channel, 'console-gone', null, true);
    this.leave(channel);
  }

  resize(console: ConsoleLink, message: { channel: number; cols: number; rows: number }): void {
    const channel = this.channels.get(message.channel);
    // An observer's size is its own business: the shell keeps the driver's.
    if (channel?.feeds.has(console)) return console.peer.sendError('SHELL_ERR_READ_ONLY', undefined, { channel: channel.id });
    if (!channel || channel.seats.driver !== console) {
      // A shell another tab took a moment ago is not an error.
      if (channel && mayDrive(console.account, channel.seats.holder)) return;
      return console.peer.violation('PROTO_ERR_UNKNOWN_CHANNEL', `channel ${message.channel}`);
    }
    channel.agent.peer.send({ t: 'shell.resize', channel: channel.id, cols: message.cols, rows: message.rows });
    const changed = channel.cols !== message.cols || channel.rows !== message.rows;
    channel.cols = message.cols;
    channel.rows = message.rows;
    channel.log?.resize(message.cols, message.rows);
    if (changed && channel.feeds.size > 0) this.sharing.publish(channel.deviceId);
  }

  /** The technician ends a shell: the console showing it, or (for a detached one) any that may attach to it. */
  closeByConsole(console: ConsoleLink, channelId: number): void {
    const channel = this.channels.get(channelId);
    if (!channel) return;
    const driver = channel.seats.driver;
    if (driver !== console && !(driver === null && mayEndDetached(console.account, channel.seats.holder))) return;
    this.finish(channel, 'technician', null, true);
  }

  /** The agent's connection is gone: every shell it had is over. */
  agentGone(agent: AgentLink, reason: ShellCloseReason = 'agent-offline'): void {
    for (const id of [...agent.channels]) {
      const channel = this.channels.get(id);
      if (channel) this.finish(channel, reason, null, false);
    }
  }

  /**
   * The technician's browser is gone: its open shells wait for a console to come back
   * (grace period); a request still waiting for consent is withdrawn.
   */
  consoleGone(console: ConsoleLink): void {
    this.sharing.forget(console);
    for (const id of [...console.channels]) {
      const channel = this.channels.get(id);
      if (channel?.feeds.has(console)) {
        this.sharing.stopObserving(channel, console);
        continue;
      }
      if (!channel || channel.seats.driver !== console) continue;
      if (channel.state === 'open') this.leave(channel);
      else this.finish(channel, 'console-gone', null, true);
    }
  }

  // ---- two technicians on one shell (shell-sharing.ts) ------------------------

  /** A technician watches a live shell read-only. */
  observe(console: ConsoleLink, request: { requestId: string; channel: number }): void {
    this.sharing.observe(console, request);
  }

  /** An observer asks for the keyboard. */
  takeover(console: ConsoleLink, request: { requestId: string; channel: number }): void {
    this.sharing.takeover(console, request);
  }

  /** Follows who is on a device (its page is open). */
  watchPresence(console: ConsoleLink, deviceId: string): void {
    this.sharing.watchPresence(console, deviceId);
  }

  unwatchPresence(console: ConsoleLink, deviceId: string): void {
    this.sharing.unwatchPresence(console, deviceId);
  }

  /** Channels currently open or waiting for consent (for tests and metrics). */
  get size(): number {
    return this.channels.size;
  }

  /** Shells open (consent given, not yet closed), with or without a console attached (metrics). */
  get openShells(): number {
    let open = 0;
    for (const channel of this.channels.values()) if (channel.state === 'open') open++;
    return open;
  }

  /** Unbinds the channel's console and starts the grace period. */
  private leave(channel: Channel): void {
    const console = channel.seats.driver;
    if (!console) return;
    this.release(channel);
    channel.graceTimer = setTimeout(() => this.finish(channel, 'console-gone', null, true), this.graceMs);
    channel.graceTimer.unref?.();
    this.audit.note({ actor: console.account.username, action: 'shell.detached', target: channel.deviceId, detail: { channel: channel.id, graceMs: this.graceMs } });
    this.sharing.seatsChanged(channel);
  }

  /** Unbinds the console and gives the agent the credit that console will never acknowledge. */
  private release(channel: Channel): void {
    const driver = channel.seats.driver;
    driver?.channels.delete(channel.id);
    if (driver) channel.seats.leave(driver);
    if (channel.owed > 0) channel.agent.peer.sendBinary(Buffer.from(encodeAck(channel.id, channel.owed)));
    channel.owed = 0;
    channel.replayOwed = 0;
  }

  private finish(channel: Channel, reason: ShellCloseReason, exitCode: number | null, tellAgent: boolean): void {
    if (!this.channels.delete(channel.id)) return;
    if (channel.graceTimer) clearTimeout(channel.graceTimer);
    channel.graceTimer = null;
    channel.agent.channels.delete(channel.id);
    const driver = channel.seats.driver;
    driver?.channels.delete(channel.id);
    if (tellAgent) channel.agent.peer.send({ t: 'shell.close', channel: channel.id, reason });
    driver?.peer.send({ t: 'shell.closed', channel: channel.id, reason, exitCode });
    for (const [observer, feed] of channel.feeds) {
      feed.stop();
      observer.channels.delete(channel.id);
      observer.peer.send({ t: 'shell.closed', channel: channel.id, reason, exitCode });
    }
    channel.feeds.clear();
    if (channel.opened) this.sharing.publish(channel.deviceId);
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
  private route(from: RelayEnd, frame: Buffer): Channel | undefined {
    const header = peekHeader(frame);
    if (!header) return void from.violation('PROTO_ERR_BAD_FRAME', 'unknown frame kind or channel 0');
    if (header.kind === FrameKind.data && frame.byteLength - FRAME_HEADER_BYTES > LIMITS.maxChunkBytes) {
      return void from.violation('PROTO_ERR_BAD_FRAME', `payload over ${LIMITS.maxChunkBytes} bytes`);
    }
    if (header.kind === FrameKind.ack && frame.byteLength !== FRAME_HEADER_BYTES + 4) {
      return void from.violation('PROTO_ERR_BAD_FRAME', 'ack frame of the wrong size');
    }
    // The wire format's rule (protocol/frames.ts): an ACK grants at least one byte.
    if (header.kind === FrameKind.ack && frame.readUInt32BE(FRAME_HEADER_BYTES) === 0) return void from.violation('PROTO_ERR_BAD_FRAME', 'ack credit 0');
    const channel = this.channels.get(header.channel);
    if (!channel && (header.channel >= this.nextChannel || header.channel < this.firstChannel)) from.violation('PROTO_ERR_UNKNOWN_CHANNEL', `channel ${header.channel}`);
    return channel;
  }

  /** Sends the frame untouched; stops reading from `from` while `to` has too much queued. */
  private forward(from: RelayEnd, to: RelayEnd, frame: Buffer): void {
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
