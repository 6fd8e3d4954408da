/**
 * The remote shells of one connection, from `shell.open` to `shell.closed`:
 * ask the machine's consent authority (the person, or the local policy), spawn
 * only on its yes, route frames, and end every shell when asked to. Channel
 * numbers belong to the connection that opened them.
 */
import { FrameKind, LIMITS, plainText, type ErrorCode, type Frame, type Person, type ShellCloseReason } from '../../protocol/index.js';
import type { ConsentAuthority } from '../consent/consent.js';
import type { AgentMessage, SessionMessage } from '../link/link.js';
import type { PersonTerminal } from '../person/person-terminal.js';
import { closeReasonText, pipesNotice, shellOpenBanner, words } from '../person/person-words.js';
import { viewerChanges } from '../person/viewer-notices.js';
import { chooseShell, startShell } from './shell.js';
import { ShellChannel, type Backpressure } from './shell-channel.js';

export type ShellOpen = Extract<SessionMessage, { t: 'shell.open' }>;
export type ShellViewers = Extract<SessionMessage, { t: 'shell.viewers' }>;
export type ShellTakeover = Extract<SessionMessage, { t: 'shell.takeover' }>;

/** Nobody watches (a service): no screen can hold the shell back. */
const NEVER_BEHIND: Backpressure = { congested: false, whenDrained: (callback) => callback() };

/** The link as the shells use it: send when connected, reply errors. */
export interface ShellWire {
  send(message: AgentMessage): boolean;
  sendFrame(frame: Uint8Array): boolean;
  readonly congested: boolean;
  whenDrained(callback: () => void): void;
  replyError(code: ErrorCode, detail: string, channel?: number): void;
}

export interface ShellRequestsParts {
  readonly wire: ShellWire;
  readonly consent: ConsentAuthority;
  readonly terminal: PersonTerminal;
  /**
   * A person watches this terminal: shell output is mirrored to it, with banners.
   * Otherwise (a service writing to its log) each shell gets one line when it opens.
   */
  readonly watched: boolean;
  readonly localUser: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly forcePipes: boolean;
  /** The last open shell has ended (a quiet moment: memory can be given back). */
  readonly lastShellEnded?: () => void;
}

/** A channel from shell.open on: asking the person, starting the shell, or open. */
interface Entry {
  phase: 'asking' | 'starting' | 'open';
  readonly by: Person;
  readonly shell: ShellChannel;
  readonly shellPath: string;
  cols: number;
  rows: number;
  /** Who has the keyboard and who watches, as the controller last said (the person is told each change). */
  viewers: { holder: Person; observers: Person[] };
  /** The take-over question shown for this shell, by the controller's request id; null when none. */
  takeover: string | null;
}

export class ShellRequests {
  private readonly channels = new Map<number, Entry>();
  /** Spawns and shell exits in flight: ending waits for them, so nothing outlives the agent. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly parts: ShellRequestsParts) {}

  /** Asks the person; spawns the shell only if they say yes. */
  async open(request: ShellOpen): Promise<void> {
    const { channel } = request;
    const { wire, consent, terminal } = this.parts;
    if (this.closing) return;
    if (this.channels.has(channel)) return wire.replyError('PROTO_ERR_CHANNEL_IN_USE', words('channelInUse', { channel: String(channel) }), channel);
    if (this.channels.size >= LIMITS.maxChannelsPerConnection) return wire.replyError('PROTO_ERR_TOO_MANY_CHANNELS', '', channel);
    const watched = this.parts.watched;
    const shell = new ShellChannel(channel, request.window, {
      sendFrame: (f) => wire.sendFrame(f),
      link: wire,
      mirror: watched ? (b) => terminal.mirror(b) : () => undefined,
      mirrorPressure: watched ? terminal.screen : NEVER_BEHIND,
    });
    const shellPath = chooseShell(this.parts.env, this.parts.platform);
    const entry: Entry = {
      phase: 'asking', by: request.requestedBy, shell, shellPath, cols: request.cols, rows: request.rows, viewers: { holder: request.requestedBy, observers: [] }, takeover: null,
    };
    this.channels.set(channel, entry);
    const decision = await consent.ask({ channel, requestedBy: request.requestedBy, localUser: this.parts.localUser, shell: shellPath, recorded: request.recorded === true });
    if (decision === 'cancelled' || this.channels.get(channel) !== entry) return;
    wire.send({ t: 'shell.consent', channel, decision });
    if (decision !== 'granted') return void this.channels.delete(channel);
    entry.phase = 'starting';
    await this.track(this.spawn(entry));
  }

  /** Who is on a shell changed: the person reads who started or stopped watching, and who has the keyboard. */
  viewers(message: ShellViewers): void {
    const entry = this.channels.get(message.channel);
    if (!entry || entry.phase !== 'open') return;
    const lines = viewerChanges(entry.viewers, { holder: message.holder, observers: message.observers });
    entry.viewers = { holder: message.holder, observers: [...message.observers] };
    for (const line of lines) this.parts.terminal.say(line);
  }

  /**
   * A technician watching an open shell asks for its keyboard: the person is asked
   * afresh (default no, no answer in time is no) and the answer goes back; only the
   * controller's routing changes on yes, nothing on this machine does.
   */
  async takeover(request: ShellTakeover): Promise<void> {
    const { channel } = request;
    const { wire, consent } = this.parts;
    const entry = this.channels.get(channel);
    if (!entry || entry.phase !== 'open') return wire.replyError('PROTO_ERR_UNKNOWN_CHANNEL', words('noShellOpenOnChannel', { channel: String(channel) }), channel);
    // One question per shell: a newer request replaces one still shown.
    if (entry.takeover !== null) consent.cancel(channel, '');
    entry.takeover = request.requestId;
    const decision = await consent.ask({
      channel, requestedBy: request.requestedBy, localUser: this.parts.localUser, shell: entry.shellPath, takeover: { holder: request.holder },
    });
    if (entry.takeover !== request.requestId) return;
    entry.takeover = null;
    if (decision === 'cancelled' || this.channels.get(channel) !== entry) return;
    wire.send({ t: 'shell.takeover.answer', channel, requestId: request.requestId, decision });
  }

  /** The technician who asked for the keyboard left: the question goes away. */
  cancelTakeover(channel: number, requestId: string): void {
    const entry = this.channels.get(channel);
    if (!entry || entry.takeover !== requestId) return;
    entry.takeover = null;
    this.parts.consent.cancel(channel, words('whyTechnicianWithdrew'));
  }

  /** Routes a DATA or ACK frame to its shell. */
  frame(frame: Frame): void {
    const entry = this.channels.get(frame.channel);
    const open = entry?.phase === 'open' ? entry.shell : null;
    // ACKs for a shell that just closed are normal (the browser acknowledges after rendering).
    if (frame.kind === FrameKind.ack) return open?.ack(frame.credit);
    if (open) open.input(frame.payload);
    else this.parts.wire.replyError('PROTO_ERR_UNKNOWN_CHANNEL', words('noShellOpenOnChannel', { channel: String(frame.channel) }), frame.channel);
  }

  resize(channel: number, cols: number, rows: number): void {
    const entry = this.channels.get(channel);
    if (!entry) return this.parts.wire.replyError('PROTO_ERR_UNKNOWN_CHANNEL', words('noShellOnChannel', { channel: String(channel) }), channel);
    entry.cols = cols;
    entry.rows = rows;
    entry.shell.resize(cols, rows);
  }

  /** The controller ends a shell, or withdraws a question not yet answered. */
  close(channel: number, reason: ShellCloseReason): void {
    const entry = this.channels.get(channel);
    if (!entry) return this.parts.wire.replyError('PROTO_ERR_UNKNOWN_CHANNEL', words('noShellOnChannel', { channel: String(channel) }), channel);
    if (entry.phase !== 'asking') return entry.shell.end(reason);
    this.channels.delete(channel);
    this.parts.consent.cancel(channel, words('whyTechnicianWithdrew'));
    this.parts.wire.send({ t: 'shell.closed', channel, reason, exitCode: null });
  }

  /** The person closes every open shell (Ctrl+] or "end"); returns how many there were. */
  endOpenShells(): number {
    const open = [...this.channels.values()].filter((entry) => entry.phase === 'open');
    for (const entry of open) entry.shell.end('user');
    return open.length;
  }

  /** The connection is gone: withdraw every question, end every shell, forget the channels. */
  dropAll(why: string): boolean {
    const hadShells = [...this.channels.values()].some((entry) => entry.phase !== 'asking');
    this.parts.consent.cancelAll(why);
    for (const entry of this.channels.values()) entry.shell.end('agent-offline');
    this.channels.clear();
    return hadShells;
  }

  /** The session is ending: no new shells, every shell ended; resolves when they are gone (at most `ms`). */
  async closeAll(ms: number): Promise<void> {
    this.closing = true;
    this.parts.consent.cancelAll(words('whySessionEnding'));
    for (const entry of this.channels.values()) entry.shell.end('session-ended');
    const deadline = Date.now() + ms;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      const wait = new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref());
      await Promise.race([Promise.allSettled([...this.inFlight]), wait]);
    }
  }

  /** Hangs up every shell now, synchronously (last resort before a crash exit). */
  abandon(): void {
    for (const entry of this.channels.values()) entry.shell.end('session-ended');
  }

  private async spawn(entry: Entry): Promise<void> {
    const { wire, terminal, localUser } = this.parts;
    const { channel } = entry.shell;
    const { shellPath } = entry;
    let started: Awaited<ReturnType<typeof startShell>>;
    try {
      const { home: cwd, env, forcePipes } = this.parts;
      started = await startShell({ shell: shellPath, cwd, env, cols: entry.cols, rows: entry.rows, forcePipes, onData: (b) => entry.shell.output(b) });
    } catch (error) {
      if (this.channels.get(channel) === entry) {
        this.channels.delete(channel);
        wire.send({ t: 'shell.closed', channel, reason: 'spawn-failed', exitCode: null });
      }
      return terminal.say(words('spawnFailed', { error: error instanceof Error ? error.message : String(error) }));
    }
    const shellProcess = started.process;
    entry.shell.attach(shellProcess);
    void this.track(shellProcess.exited.then((exitCode) => this.onExit(entry, exitCode)));
    if (this.channels.get(channel) !== entry || entry.shell.closeReason !== null || this.closing) {
      // Withdrawn, disconnected or ended while the shell was starting: it never opens.
      return entry.shell.end(entry.shell.closeReason ?? 'session-ended');
    }
    entry.phase = 'open';
    if (this.parts.watched) terminal.shellOpened();
    if (started.fallbackReason) terminal.say(pipesNotice(started.fallbackReason));
    const user = plainText(localUser, 128);
    wire.send({ t: 'shell.opened', channel, mode: shellProcess.mode, user, shell: plainText(shellPath, 255) });
    const by = `${entry.by.name} (${entry.by.username})`;
    terminal.say(this.parts.watched ? shellOpenBanner(by, user, shellPath, terminal.interactive) : words('shellOpenedOnChannel', { channel: String(channel), by, user, shell: shellPath }));
    entry.shell.begin();
  }

  private onExit(entry: Entry, exitCode: number | null): void {
    const { channel } = entry.shell;
    const reason = entry.shell.closeReason ?? 'exit';
    // The last output goes before shell.closed.
    entry.shell.flush();
    if (this.channels.get(channel) === entry) {
      this.channels.delete(channel);
      this.parts.wire.send({ t: 'shell.closed', channel, reason, exitCode });
      if (this.channels.size === 0) this.parts.lastShellEnded?.();
    }
    if (entry.phase !== 'open') return;
    if (entry.takeover !== null) {
      entry.takeover = null;
      this.parts.consent.cancel(channel, '');
    }
    if (this.parts.watched) {
      this.parts.terminal.shellClosed();
      this.parts.terminal.resetModes();
    }
    this.parts.terminal.say(`${this.parts.watched ? '\n' : ''}${words('shellClosed', { reason: closeReasonText(reason, exitCode) })}`);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const forget = (): void => void this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
