/**
 * Two technicians on one shell, for the relay: a second technician watches a live
 * shell read-only (an observer reads the scrollback ring at its own pace,
 * observer-feed.ts, and never paces the shell; its keystrokes and resizes are
 * refused here, not only hidden by its page), and takes the keyboard only when the
 * agent reports the person's fresh yes (the roles' state machine is shell-seats.ts).
 * Every console following the device and the agent are told who is on each shell.
 * Who may do what is decided in shell-access.ts.
 */
import { randomUUID } from 'node:crypto';
import { FRAME_HEADER_BYTES, FrameKind, LIMITS, encodeAck, type ConsentDecision, type ShellPresence } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { Channel } from './channel.js';
import type { ConsoleLink } from './links.js';
import { ObserverFeed } from './observer-feed.js';
import { mayAccessDevice, mayAskKeyboard, mayDrive, mayObserve } from './shell-access.js';
import { PresenceBoard } from './shell-presence.js';

export class ShellSharing {
  /** The consoles following who is on each device. */
  private readonly presence = new PresenceBoard();

  constructor(
    private readonly audit: AuditLog,
    /** The relay's channels, read only. */
    private readonly channels: ReadonlyMap<number, Channel>,
    /** Binds a console to a shell as its driver (the relay's attach): the holder asking to watch its own shell gets that. */
    private readonly drive: (console: ConsoleLink, request: { requestId: string; channel: number; cols: number; rows: number }) => void,
    private readonly observerWindowBytes?: number,
  ) {}

  /** A technician watches a live shell read-only: its scrollback, then live output at the observer's own pace. */
  observe(console: ConsoleLink, request: { requestId: string; channel: number }): void {
    const channel = this.channels.get(request.channel);
    if (!channel || channel.state !== 'open' || !channel.opened || !mayObserve(console.account, channel.deviceId)) {
      return console.peer.sendError('PROTO_ERR_UNKNOWN_CHANNEL', undefined, { requestId: request.requestId, channel: request.channel });
    }
    // The holder has the keyboard already: watching their own shell is bringing it here.
    if (mayDrive(console.account, channel.seats.holder)) return this.drive(console, { ...request, cols: channel.cols, rows: channel.rows });
    if (channel.feeds.has(console)) return;
    if (console.channels.size >= LIMITS.maxChannelsPerConnection) {
      return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', undefined, { requestId: request.requestId });
    }
    const person = { username: console.account.username, name: console.account.name };
    if (channel.seats.observe(console, person) === 'full') {
      return console.peer.sendError('SHELL_ERR_TOO_MANY_OBSERVERS', undefined, { requestId: request.requestId, channel: channel.id });
    }
    console.channels.add(channel.id);
    const feed = new ObserverFeed(channel.id, channel.scrollback, console.peer, (bytes) => console.peer.send({ t: 'shell.skipped', channel: channel.id, bytes }), {
      ...(this.observerWindowBytes !== undefined ? { windowBytes: this.observerWindowBytes } : {}),
    });
    channel.feeds.set(console, feed);
    console.peer.send({
      t: 'shell.attached', requestId: request.requestId, channel: channel.id, deviceId: channel.deviceId, ...channel.opened,
      window: LIMITS.initialWindowBytes, scrollbackBytes: channel.scrollback.size, role: 'observer', cols: channel.cols, rows: channel.rows,
    });
    feed.pump();
    this.audit.note({ actor: console.account.username, action: 'shell.observe', target: channel.deviceId, detail: { channel: channel.id, phase: 'started', holder: channel.seats.holder.username } });
    this.seatsChanged(channel);
  }

  /** An observer asks for the keyboard: the agent asks the person afresh; nothing changes until they say yes. */
  takeover(console: ConsoleLink, request: { requestId: string; channel: number }): void {
    const channel = this.channels.get(request.channel);
    if (!channel || channel.state !== 'open') {
      return console.peer.sendError('PROTO_ERR_UNKNOWN_CHANNEL', undefined, { requestId: request.requestId, channel: request.channel });
    }
    if (!mayAskKeyboard(console.account, channel.deviceId)) return console.peer.sendError('AUTH_ERR_FORBIDDEN', undefined, { requestId: request.requestId, channel: channel.id });
    const ticket = randomUUID();
    const outcome = channel.seats.ask(console, request.requestId, ticket);
    if (outcome === 'not-observer') return console.peer.sendError('AUTH_ERR_FORBIDDEN', undefined, { requestId: request.requestId, channel: channel.id });
    if (outcome === 'pending') return console.peer.sendError('SHELL_ERR_TAKEOVER_PENDING', undefined, { requestId: request.requestId, channel: channel.id });
    const requestedBy = { username: console.account.username, name: console.account.name };
    channel.agent.peer.send({ t: 'shell.takeover', channel: channel.id, requestId: ticket, requestedBy, holder: channel.seats.holder });
    console.peer.send({ t: 'shell.takeover.pending', requestId: request.requestId, channel: channel.id, ...(channel.agent.consentTimeoutMs !== undefined ? { timeoutMs: channel.agent.consentTimeoutMs } : {}) });
    this.audit.note({ actor: console.account.username, action: 'shell.takeover', target: channel.deviceId, detail: { channel: channel.id, phase: 'asked', holder: channel.seats.holder.username } });
  }

  /** Follows who is on a device (its page is open): told at once, then at each change. */
  watchPresence(console: ConsoleLink, deviceId: string): void {
    if (!mayAccessDevice(console.account, deviceId)) return console.peer.sendError('AUTH_ERR_FORBIDDEN');
    if (!this.presence.watch(console, deviceId)) return console.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS');
    this.presence.tell(console, deviceId, this.presenceOf(deviceId));
  }

  unwatchPresence(console: ConsoleLink, deviceId: string): void {
    this.presence.unwatch(console, deviceId);
  }

  /** The person answered a take-over: on yes the requester drives and the driver until now watches; either way both are told. */
  answered(channel: Channel, ticket: string, decision: ConsentDecision): void {
    const outcome = channel.seats.answer(ticket, decision);
    if (outcome.kind === 'stale') return;
    const { by, requestId, person } = outcome.takeover;
    const detail = { channel: channel.id, decision, requestedBy: person.username };
    if (outcome.kind === 'refused') {
      by.peer.send({ t: 'shell.takeover.result', requestId, channel: channel.id, decision });
      this.audit.note({ actor: `device:${channel.deviceId}`, action: 'shell.takeover', target: channel.deviceId, detail: { ...detail, phase: 'refused' } });
      return;
    }
    const formerHolder = outcome.previous ? channel.seats.observers.get(outcome.previous) ?? null : null;
    // The new driver's feed ends: whatever it had not been sent yet goes now; its acknowledgements of all that stop here.
    const feed = channel.feeds.get(by);
    channel.feeds.delete(by);
    channel.toldReadOnly.delete(by);
    const unacked = feed?.unacked ?? 0;
    const flushed = feed?.flushAll() ?? 0;
    const previous = outcome.previous;
    if (previous) {
      // The driver until now: the agent gets the credit it will not acknowledge, and it watches from the live edge on.
      if (channel.owed > 0) channel.agent.peer.sendBinary(Buffer.from(encodeAck(channel.id, channel.owed)));
      const observerFeed = new ObserverFeed(channel.id, channel.scrollback, previous.peer, (bytes) => previous.peer.send({ t: 'shell.skipped', channel: channel.id, bytes }), {
        ...(this.observerWindowBytes !== undefined ? { windowBytes: this.observerWindowBytes } : {}),
      });
      observerFeed.skipTo(channel.scrollback.end);
      channel.feeds.set(previous, observerFeed);
    }
    channel.owed = 0;
    channel.replayOwed = unacked + flushed;
    if (channel.graceTimer) clearTimeout(channel.graceTimer);
    channel.graceTimer = null;
    by.peer.send({ t: 'shell.takeover.result', requestId, channel: channel.id, decision });
    const role = { channel: channel.id, holder: person, cols: channel.cols, rows: channel.rows };
    by.peer.send({ t: 'shell.role', role: 'driver', ...role });
    previous?.peer.send({ t: 'shell.role', role: 'observer', ...role });
    this.audit.note({ actor: `device:${channel.deviceId}`, action: 'shell.takeover', target: channel.deviceId, detail: { ...detail, phase: 'granted', from: formerHolder?.username ?? null } });
    this.seatsChanged(channel);
  }

  /** An observer's frames: acknowledgements pace its feed; keystrokes are refused (it is told once). */
  fromObserver(channel: Channel, console: ConsoleLink, feed: ObserverFeed, frame: Buffer): void {
    if (frame[0] === FrameKind.ack) return feed.ack(frame.readUInt32BE(FRAME_HEADER_BYTES));
    if (channel.toldReadOnly.has(console)) return;
    channel.toldReadOnly.add(console);
    console.peer.sendError('SHELL_ERR_READ_ONLY', undefined, { channel: channel.id });
  }

  stopObserving(channel: Channel, console: ConsoleLink): void {
    if (!this.stopFeed(channel, console)) return;
    const { withdrawn } = channel.seats.leave(console);
    if (withdrawn) {
      channel.agent.peer.send({ t: 'shell.takeover.cancel', channel: channel.id, requestId: withdrawn.ticket });
      this.audit.note({ actor: console.account.username, action: 'shell.takeover', target: channel.deviceId, detail: { channel: channel.id, phase: 'withdrawn' } });
    }
    this.audit.note({ actor: console.account.username, action: 'shell.observe', target: channel.deviceId, detail: { channel: channel.id, phase: 'stopped' } });
    this.seatsChanged(channel);
  }

  /** Ends a console's observer feed, if it has one; true when it had. */
  stopFeed(channel: Channel, console: ConsoleLink): boolean {
    const feed = channel.feeds.get(console);
    if (!feed) return false;
    feed.stop();
    channel.feeds.delete(console);
    channel.toldReadOnly.delete(console);
    console.channels.delete(channel.id);
    return true;
  }

  /** Who sits at a shell changed: the agent is told (when the people changed), and so is every console following the device. */
  seatsChanged(channel: Channel): void {
    if (channel.state !== 'open') return;
    const { holder, observers } = channel.seats.view();
    const said = JSON.stringify([holder, observers]);
    if (said !== channel.viewersSaid) {
      channel.viewersSaid = said;
      channel.agent.peer.send({ t: 'shell.viewers', channel: channel.id, holder, observers });
    }
    this.publish(channel.deviceId);
  }

  publish(deviceId: string): void {
    if (this.presence.listeners(deviceId) > 0) this.presence.publish(deviceId, this.presenceOf(deviceId));
  }

  /** Every live shell of a device and who is on it. */
  private presenceOf(deviceId: string): ShellPresence[] {
    const shells: ShellPresence[] = [];
    for (const channel of this.channels.values()) {
      if (channel.deviceId !== deviceId || channel.state !== 'open' || !this.channels.has(channel.id)) continue;
      shells.push({ channel: channel.id, ...channel.seats.view(), cols: channel.cols, rows: channel.rows });
    }
    return shells;
  }

  /** The console is gone: it follows no device any more. */
  forget(console: ConsoleLink): void {
    this.presence.forget(console);
  }
}
