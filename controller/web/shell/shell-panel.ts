/**
 * The device page's remote shells: the "Open shell" request, the wait for the
 * person's consent, the live terminal and its end, each state explained.
 *
 * A shell belongs to the support session, not to this page: leaving the page
 * detaches it (the controller keeps it open for a grace period, with its recent
 * output), and the page lists the device's live shells whenever the connection
 * opens and reattaches to them, one tab each. A shell can be popped out to its own
 * browser tab (#/devices/:id/shell/:channel); the tab that showed it then says so.
 */
import { LIMITS, formatSize, type ControllerToConsole, type LiveShell, type ShellPresence } from '../../../protocol/index.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import type { DeviceFacts, DeviceStore } from '../devices/device-store.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { newRequestId } from '../connection/request-id.js';
import { channelOf, isActive, viewOf, type ShellState } from './shell-state.js';
import { TerminalSession } from './terminal-session.js';
import { describeCloseReason, describeRefusal, errorText, shellUnavailableReason } from '../ui/wording.js';
import { formats, language, wordsOf } from '../app/language.js';
import { shellCatalog } from './shell-catalog.js';
import { sharingCatalog } from './sharing-catalog.js';
import { renderPresence } from './presence-strip.js';

const t = wordsOf(shellCatalog);
const ts = wordsOf(sharingCatalog);

type Msg<T extends ControllerToConsole['t']> = Extract<ControllerToConsole, { t: T }>;

/** One shell of the panel, with its own terminal pane. */
interface Tab {
  readonly number: number;
  state: ShellState;
  session: TerminalSession | null;
  readonly pane: HTMLElement;
  requestedSize: { cols: number; rows: number };
  readonly button: HTMLButtonElement;
  /** When the person's time to answer this tab's request runs out; null unless it is pending and the agent told. */
  consentDeadline: number | null;
}

export interface ShellPanelOptions {
  /** Shows this one shell only (the pop-out tab): no new shells, and it takes the shell over from any other tab. */
  only?: number;
  /** This technician's username: who is "you" among the people on the device. */
  me?: string;
}

/** The hash of a shell's own tab. */
export function shellHash(deviceId: string, channel: number): string {
  return `#/devices/${encodeURIComponent(deviceId)}/shell/${channel}`;
}

/** Shells this browser tab left open by leaving a device page, by device: coming back attaches them at once, before the list answers. */
const leftOpen = new Map<string, number[]>();

export class ShellPanel {
  readonly root: HTMLElement;
  private readonly tabs: Tab[] = [];
  private active: Tab;
  private nextNumber = 1;
  /** The last shell.list sent; its answer is the only one read. */
  private listRequest: string | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly openButton = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'open-shell', onclick: () => this.open(false) }, icon('terminal'), t('openShell'));
  private readonly newButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'new-shell', onclick: () => this.open(true) }, icon('terminal'), t('newShell'));
  private readonly popOutButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'pop-out-shell', onclick: () => this.popOut() }, t('popOut'));
  private readonly closeButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'close-shell', onclick: () => this.close() }, t('endShell'));
  private readonly tabStrip = el('div', { class: 'actions shell-tabs', role: 'tablist', 'aria-label': t('tabs'), 'data-testid': 'shell-tabs' });
  private readonly status = el('div', { class: 'shell-status', 'data-testid': 'shell-status', role: 'status', 'aria-live': 'polite' });
  private readonly reason = el('p', { class: 'shell-unavailable' });
  private readonly notice = el('div', { class: 'notice notice-warn', hidden: true }, icon('alert'), t('pipesNotice'));
  private readonly panes = el('div', { class: 'terminal-panes' });
  private readonly overlay = el('div', { class: 'terminal-overlay' });
  private readonly askButton = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'ask-keyboard', onclick: () => this.askKeyboard() }, icon('keyboard'), ts('askKeyboard'));
  /** Who is on the device (the page header shows it): every live shell's holder and observers. */
  readonly presenceRoot = el('div', { class: 'presence-strip', 'data-testid': 'device-presence', role: 'group', hidden: true });
  private presence: readonly ShellPresence[] = [];
  private presenceDrawn = '';
  /** Who else is on the shell shown (its terminal's label), and the news of a take-over. */
  private readonly watchers = el('p', { class: 'shell-watchers', 'data-testid': 'shell-watchers', hidden: true });
  private readonly sharingNotice = el('p', { class: 'shell-sharing-notice', 'data-testid': 'sharing-notice', role: 'status', hidden: true });
  /** When the person's time to hand over the keyboard runs out (the tab asking), for the countdown. */
  private keyboardDeadline: number | null = null;
  /** The timer redrawing the consent countdown while a tab waits for the person (the agent's consent timeout, when it told). */
  private countdownTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly deviceId: string,
    private readonly socket: ConsoleSocket,
    private readonly store: DeviceStore,
    private readonly options: ShellPanelOptions = {},
  ) {
    const frame = el('div', { class: 'terminal-frame' }, this.panes, this.overlay);
    this.root = el('section', { class: 'card shell-card' },
      el('div', { class: 'card-header' },
        el('h2', { class: 'card-title' }, t('remoteShell')),
        el('div', { class: 'actions' }, this.openButton, this.newButton, this.askButton, this.popOutButton, this.closeButton)),
      this.tabStrip, this.reason, this.status, this.watchers, this.sharingNotice, this.notice, frame);
    this.active = this.addTab();
    this.unsubscribe.push(
      socket.on('shell.pending', (m) => this.onPending(m)),
      socket.on('shell.consent', (m) => this.onConsent(m)),
      socket.on('shell.opened', (m) => this.onOpened(m)),
      socket.on('shell.closed', (m) => this.onClosed(m)),
      socket.on('shell.live', (m) => this.onLive(m)),
      socket.on('shell.attached', (m) => this.onAttached(m)),
      socket.on('shell.detached', (m) => this.onDetached(m)),
      socket.on('error', (m) => this.onError(m)),
      socket.on('device.presence', (m) => this.onPresence(m)),
      socket.on('shell.takeover.pending', (m) => this.onTakeoverPending(m)),
      socket.on('shell.takeover.result', (m) => this.onTakeoverResult(m)),
      socket.on('shell.role', (m) => this.onRole(m)),
      socket.on('shell.skipped', (m) => this.tabOf(m.channel)?.session?.notice(ts('skipped', { size: formatSize(m.bytes, language()) }))),
      socket.onState((s) => {
        if (s.kind === 'open') this.resume();
        else this.connectionLost();
        this.render();
      }),
      store.subscribe(() => this.onDeviceChange()),
    );
    this.render();
  }

  /** Leaves the page: open shells stay open on the controller (detached); a request not yet answered is withdrawn. */
  dispose(): void {
    const detached: number[] = [];
    for (const tab of this.tabs) {
      const state = tab.state;
      if (state.kind === 'watching') {
        this.socket.send({ t: 'shell.detach', channel: state.channel });
      } else if (state.kind === 'live' || state.kind === 'attaching') {
        if (this.socket.send({ t: 'shell.detach', channel: state.channel })) detached.push(state.channel);
      } else if (state.kind === 'pending' || state.kind === 'starting') {
        this.socket.send({ t: 'shell.close', channel: state.channel });
      } else if (state.kind === 'requesting') {
        // The channel is not known yet: close it as soon as the controller names it.
        const stop = this.socket.on('shell.pending', (m) => {
          if (m.requestId !== state.requestId) return;
          this.socket.send({ t: 'shell.close', channel: m.channel });
          stop();
        });
      }
      tab.session?.dispose();
      tab.session = null;
    }
    for (const stop of this.unsubscribe) stop();
    this.socket.send({ t: 'presence.unwatch', deviceId: this.deviceId });
    if (detached.length > 0 && this.options.only === undefined) leftOpen.set(this.deviceId, detached);
    this.stopCountdown();
  }

  private get device(): DeviceFacts | undefined {
    return this.store.get(this.deviceId);
  }

  private addTab(): Tab {
    const pane = el('div', { class: 'terminal-pane' });
    const tab: Tab = {
      number: this.nextNumber++, state: { kind: 'idle' }, session: null, pane, requestedSize: { cols: 80, rows: 24 },
      button: el('button', { class: 'btn btn-secondary btn-small', type: 'button', role: 'tab', 'data-testid': 'shell-tab', onclick: () => this.select(tab) }),
      consentDeadline: null,
    };
    this.tabs.push(tab);
    this.panes.append(pane);
    return tab;
  }

  private select(tab: Tab): void {
    this.active = tab;
    this.render();
    tab.session?.focus();
  }

  /** A tab with nothing in it (never used, or its shell over) to put a shell in; a new tab if none. */
  private blankTab(): Tab | null {
    const reusable = (tab: Tab) => !isActive(tab.state);
    if (reusable(this.active)) return this.active;
    const idle = this.tabs.find((tab) => tab.state.kind === 'idle');
    if (idle) return idle;
    return this.tabs.length < LIMITS.maxChannelsPerConnection ? this.addTab() : null;
  }

  private open(inNewTab: boolean): void {
    const device = this.device;
    if (!device || shellUnavailableReason(device) || this.options.only !== undefined) return;
    const tab = inNewTab ? this.blankTab() : this.active;
    if (!tab || isActive(tab.state)) return;
    this.active = tab;
    tab.session?.dispose();
    tab.session = new TerminalSession(tab.pane, this.socket);
    tab.requestedSize = tab.session.size();
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'shell.open', requestId, deviceId: device.id, ...tab.requestedSize })) {
      return this.finish(tab, { kind: 'failed', message: t('notConnectedWait') });
    }
    this.setState(tab, { kind: 'requesting', requestId });
    this.root.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  private close(): void {
    const tab = this.active;
    const state = tab.state;
    if (state.kind === 'watching') {
      this.socket.send({ t: 'shell.detach', channel: state.channel });
      return this.finish(tab, { kind: 'closed', reason: ts('stoppedWatching') });
    }
    if (state.kind === 'pending' || state.kind === 'starting' || state.kind === 'live' || state.kind === 'attaching' || state.kind === 'reconnecting') {
      this.socket.send({ t: 'shell.close', channel: state.channel });
      // Ended here at once; a later shell.closed for this channel is then ignored.
      const reason = state.kind === 'pending' || state.kind === 'starting' ? t('cancelled') : describeCloseReason('technician', null);
      this.finish(tab, { kind: 'closed', reason });
    }
  }

  /** Opens the active shell in its own browser tab, which takes it over. */
  private popOut(): void {
    const channel = channelOf(this.active.state);
    if (channel === null || this.active.state.kind !== 'live') return;
    window.open(shellHash(this.deviceId, channel), '_blank', 'noopener');
  }

  /**
   * The connection is open: the shells this tab left a moment ago are attached at
   * once (the fast way back), and the list tells about any other, or that one ended.
   */
  private resume(): void {
    const mine = this.options.only === undefined ? leftOpen.get(this.deviceId) ?? [] : [];
    leftOpen.delete(this.deviceId);
    for (const channel of mine) {
      const tab = this.blankTab();
      if (tab && !this.tabOf(channel)) this.attach(tab, channel);
    }
    this.listLive();
    this.socket.send({ t: 'presence.watch', deviceId: this.deviceId });
  }

  // ---- two technicians on one shell -----------------------------------------

  /** Watches another technician's shell in a tab of its own, read-only. */
  private watch(channel: number): void {
    const known = this.tabOf(channel);
    if (known) return this.select(known);
    const tab = this.blankTab();
    if (!tab) return;
    this.active = tab;
    tab.session?.dispose();
    tab.session = new TerminalSession(tab.pane, this.socket);
    tab.session.bind(channel);
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'shell.observe', requestId, channel })) return this.finish(tab, { kind: 'failed', message: t('notConnectedWait') });
    this.setState(tab, { kind: 'attaching', requestId, channel });
  }

  /** Asks the person, through the controller and the agent, to hand this technician the keyboard. */
  private askKeyboard(): void {
    const tab = this.active;
    const s = tab.state;
    if (s.kind !== 'watching' || s.asking) return;
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'shell.takeover', requestId, channel: s.channel })) return this.say(t('notConnectedWait'));
    this.say(null);
    this.setState(tab, { ...s, asking: { requestId } });
  }

  private onTakeoverPending(m: Msg<'shell.takeover.pending'>): void {
    const tab = this.tabOf(m.channel);
    if (tab?.state.kind !== 'watching' || tab.state.asking?.requestId !== m.requestId) return;
    if (m.timeoutMs !== undefined) {
      this.keyboardDeadline = Date.now() + m.timeoutMs;
      this.countdownTimer ??= setInterval(() => this.renderCountdowns(), 1000);
      this.renderCountdowns();
    }
  }

  private onTakeoverResult(m: Msg<'shell.takeover.result'>): void {
    const tab = this.tabOf(m.channel);
    if (tab?.state.kind !== 'watching' || tab.state.asking?.requestId !== m.requestId) return;
    this.keyboardDeadline = null;
    const holder = tab.state.holder.name;
    if (m.decision === 'granted') return this.say(ts('keyboardGranted'));
    this.say(m.decision === 'timeout' ? ts('keyboardTimeout', { holder }) : ts('keyboardDeclined', { holder }));
    this.setState(tab, { ...tab.state, asking: null });
  }

  /** This console's part in a shell changed: it drives now (the person said yes to it), or it watches (they said yes to someone else). */
  private onRole(m: Msg<'shell.role'>): void {
    const tab = this.tabOf(m.channel);
    if (!tab) return;
    const s = tab.state;
    if (m.role === 'driver' && s.kind === 'watching') {
      this.keyboardDeadline = null;
      this.setState(tab, { kind: 'live', channel: s.channel, mode: s.mode, user: s.user, shell: s.shell });
      tab.requestedSize = { cols: m.cols, rows: m.rows };
      tab.session?.goLive(tab.requestedSize);
    } else if (m.role === 'observer' && s.kind === 'live') {
      this.setState(tab, { kind: 'watching', channel: s.channel, mode: s.mode, user: s.user, shell: s.shell, holder: m.holder, asking: null });
      tab.session?.watch(m.cols, m.rows);
      this.say(ts('keyboardLost', { holder: m.holder.name }));
    }
  }

  private onPresence(m: Msg<'device.presence'>): void {
    if (m.deviceId !== this.deviceId) return;
    this.presence = m.shells;
    for (const tab of this.tabs) {
      const s = tab.state;
      if (s.kind !== 'watching') continue;
      const shell = this.presenceOf(s.channel);
      if (!shell) continue;
      tab.session?.sizeTo(shell.cols, shell.rows);
      if (shell.holder.username !== s.holder.username) tab.state = { ...s, holder: shell.holder };
    }
    this.render();
  }

  private presenceOf(channel: number): ShellPresence | undefined {
    return this.presence.find((shell) => shell.channel === channel);
  }

  /** A line of news about sharing under the status (null clears it). */
  private say(text: string | null): void {
    this.sharingNotice.hidden = text === null;
    this.sharingNotice.textContent = text ?? '';
  }

  /** Asks the controller which shells of this device are still open. */
  private listLive(): void {
    const requestId = newRequestId();
    this.listRequest = requestId;
    this.socket.send({ t: 'shell.list', requestId, deviceId: this.deviceId });
  }

  /** Binds a tab to a live shell: a fresh terminal gets its scrollback, then its live output. */
  private attach(tab: Tab, channel: number): void {
    tab.session?.dispose();
    tab.session = new TerminalSession(tab.pane, this.socket);
    tab.requestedSize = tab.session.size();
    tab.session.bind(channel);
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'shell.attach', requestId, channel, ...tab.requestedSize })) return this.setState(tab, { kind: 'reconnecting', channel });
    this.setState(tab, { kind: 'attaching', requestId, channel });
  }

  private tabOf(channel: number): Tab | undefined {
    return this.tabs.find((tab) => channelOf(tab.state) === channel);
  }

  private onLive(m: Msg<'shell.live'>): void {
    if (m.requestId !== this.listRequest || m.deviceId !== this.deviceId) return;
    this.listRequest = null;
    const open = new Set(m.shells.map((shell) => shell.channel));
    // Shells that waited for the connection and are no longer listed ended meanwhile.
    for (const tab of this.tabs) {
      const channel = channelOf(tab.state);
      if (tab.state.kind === 'reconnecting' && channel !== null && !open.has(channel)) {
        this.finish(tab, { kind: 'closed', reason: describeCloseReason('console-gone', null) });
      }
    }
    for (const shell of m.shells) this.showLive(shell);
    this.render();
  }

  private showLive(shell: LiveShell): void {
    if (this.options.only !== undefined && shell.channel !== this.options.only) return;
    const known = this.tabOf(shell.channel);
    if (known && (known.state.kind === 'live' || known.state.kind === 'attaching')) return;
    // Shown by another tab of the browser: offered here, taken only on request (the pop-out tab takes it at once).
    if (shell.attached && this.options.only === undefined) {
      const tab = known ?? this.blankTab();
      if (tab) this.setState(tab, { kind: 'elsewhere', channel: shell.channel, user: shell.user, shell: shell.shell });
      return;
    }
    const tab = known ?? this.blankTab();
    if (tab) this.attach(tab, shell.channel);
  }

  private onAttached(m: Msg<'shell.attached'>): void {
    const tab = this.tabs.find((candidate) => candidate.state.kind === 'attaching' && candidate.state.requestId === m.requestId);
    if (!tab) return;
    if (m.role === 'observer') {
      const holder = this.presenceOf(m.channel)?.holder ?? { username: '', name: '…' };
      this.setState(tab, { kind: 'watching', channel: m.channel, mode: m.mode, user: m.user, shell: m.shell, holder, asking: null });
      tab.session?.watch(m.cols ?? tab.requestedSize.cols, m.rows ?? tab.requestedSize.rows);
      return;
    }
    this.setState(tab, { kind: 'live', channel: m.channel, mode: m.mode, user: m.user, shell: m.shell });
    tab.session?.goLive(tab.requestedSize);
  }

  /** Another tab took this shell over. */
  private onDetached(m: Msg<'shell.detached'>): void {
    const tab = this.tabOf(m.channel);
    if (!tab || tab.state.kind !== 'live') return;
    const { user, shell } = tab.state;
    tab.session?.end();
    this.setState(tab, { kind: 'elsewhere', channel: m.channel, user, shell });
  }

  private onPending(m: Msg<'shell.pending'>): void {
    const tab = this.tabs.find((candidate) => candidate.state.kind === 'requesting' && candidate.state.requestId === m.requestId);
    if (!tab) return;
    tab.session?.bind(m.channel);
    if (m.timeoutMs !== undefined) {
      tab.consentDeadline = Date.now() + m.timeoutMs;
      this.countdownTimer ??= setInterval(() => this.renderCountdowns(), 1000);
    }
    this.setState(tab, { kind: 'pending', requestId: m.requestId, channel: m.channel });
  }

  private onConsent(m: Msg<'shell.consent'>): void {
    const tab = this.tabOf(m.channel);
    if (!tab || tab.state.kind !== 'pending') return;
    if (m.decision === 'granted') this.setState(tab, { kind: 'starting', channel: m.channel });
    else this.finish(tab, { kind: 'refused', ...describeRefusal(m.decision, this.device?.policy?.shell) });
  }

  private onOpened(m: Msg<'shell.opened'>): void {
    const tab = this.tabOf(m.channel);
    if (!tab || (tab.state.kind !== 'pending' && tab.state.kind !== 'starting')) return;
    this.setState(tab, { kind: 'live', channel: m.channel, mode: m.mode, user: m.user, shell: m.shell });
    tab.session?.goLive(tab.requestedSize);
  }

  private onClosed(m: Msg<'shell.closed'>): void {
    const tab = this.tabOf(m.channel);
    if (!tab) return;
    if (m.reason === 'declined' || m.reason === 'timeout') this.finish(tab, { kind: 'refused', ...describeRefusal(m.reason) });
    else this.finish(tab, { kind: 'closed', reason: describeCloseReason(m.reason, m.exitCode) });
  }

  private onError(m: Msg<'error'>): void {
    // Sharing refusals leave the tab as it is: a line says why.
    if (m.code === 'SHELL_ERR_READ_ONLY') return this.say(ts('readOnly'));
    if (m.code === 'SHELL_ERR_TAKEOVER_PENDING') {
      const tab = this.tabs.find((candidate) => candidate.state.kind === 'watching' && candidate.state.asking?.requestId === m.requestId);
      if (tab?.state.kind === 'watching') this.setState(tab, { ...tab.state, asking: null });
      return this.say(errorText(m.code, m.message));
    }
    for (const tab of this.tabs) {
      const s = tab.state;
      if (s.kind === 'attaching' && m.requestId === s.requestId && m.code === 'PROTO_ERR_UNKNOWN_CHANNEL') {
        // The shell ended while no page showed it: nothing to come back to.
        this.finish(tab, { kind: 'idle' });
        continue;
      }
      const mine =
        ((s.kind === 'requesting' || s.kind === 'attaching') && m.requestId === s.requestId) ||
        (m.channel !== undefined && m.channel === channelOf(s) && s.kind !== 'elsewhere');
      if (mine) this.finish(tab, { kind: 'failed', message: errorText(m.code, m.message) });
    }
  }

  /** The connection dropped: requests are lost; open shells wait on the controller and come back with the connection. */
  private connectionLost(): void {
    for (const tab of this.tabs) {
      const s = tab.state;
      if (s.kind === 'watching') {
        this.finish(tab, { kind: 'closed', reason: describeCloseReason('console-gone', null) });
      } else if (s.kind === 'live' || s.kind === 'attaching') {
        tab.session?.end(t('reconnecting'));
        this.setState(tab, { kind: 'reconnecting', channel: s.channel });
      } else if (s.kind === 'requesting' || s.kind === 'pending' || s.kind === 'starting') {
        this.finish(tab, { kind: 'closed', reason: describeCloseReason('console-gone', null) });
      }
    }
  }

  private onDeviceChange(): void {
    const device = this.device;
    for (const tab of this.tabs) {
      if (!device || !isActive(tab.state)) continue;
      if (device.sessionStatus === 'ended') this.finish(tab, { kind: 'closed', reason: describeCloseReason('session-ended', null) });
      else if (!device.online) this.finish(tab, { kind: 'closed', reason: describeCloseReason('agent-offline', null) });
    }
    this.render();
  }

  /** Ends a tab's request or shell. A terminal that never went live is removed; one that did stays readable. */
  private finish(tab: Tab, next: ShellState): void {
    const wasShown = tab.state.kind === 'live' || tab.state.kind === 'watching' || tab.state.kind === 'reconnecting' || tab.state.kind === 'elsewhere';
    if (!wasShown) {
      tab.session?.dispose();
      tab.session = null;
    } else {
      tab.session?.end(next.kind === 'closed' ? next.reason : undefined);
    }
    this.setState(tab, next);
  }

  private setState(tab: Tab, next: ShellState): void {
    tab.state = next;
    if (next.kind !== 'pending') tab.consentDeadline = null;
    if (!this.tabs.some((candidate) => candidate.state.kind === 'watching' && candidate.state.asking)) this.keyboardDeadline = null;
    if (this.tabs.every((candidate) => candidate.consentDeadline === null) && this.keyboardDeadline === null) this.stopCountdown();
    this.render();
  }

  private render(): void {
    const device = this.device;
    const hostname = device?.hostname ?? t('theDevice');
    const unavailable = device ? shellUnavailableReason(device) : t('loadingDevice');
    const connected = this.socket.state.kind === 'open';
    const state = this.active.state;
    const active = isActive(state);
    const single = this.options.only !== undefined;
    this.openButton.hidden = active || single;
    this.openButton.disabled = unavailable !== null || !connected;
    this.openButton.title = unavailable ?? (connected ? '' : t('notConnected'));
    this.openButton.lastChild!.textContent = state.kind === 'idle' ? t('openShell') : t('openNewShell');
    this.newButton.hidden = !active || single || this.tabs.length >= LIMITS.maxChannelsPerConnection;
    this.newButton.disabled = unavailable !== null || !connected;
    this.popOutButton.hidden = state.kind !== 'live' || single;
    this.closeButton.hidden = !(state.kind === 'pending' || state.kind === 'starting' || state.kind === 'live' || state.kind === 'watching' || state.kind === 'attaching' || state.kind === 'reconnecting');
    this.closeButton.textContent = state.kind === 'pending' || state.kind === 'starting' ? t('cancelRequest') : state.kind === 'watching' ? ts('stopWatching') : t('endShell');
    this.askButton.hidden = state.kind !== 'watching';
    this.askButton.disabled = state.kind === 'watching' && (state.asking !== null || !connected);
    this.renderSharing();
    this.reason.textContent = !active && unavailable ? unavailable : '';
    this.reason.hidden = active || !unavailable;
    const view = viewOf(state, hostname);
    // "Open a new one" would contradict the reason shown just above when the device cannot take one.
    if (unavailable && !active) view.detail = undefined;
    this.status.dataset.tone = view.tone;
    this.status.dataset.state = state.kind;
    replaceChildren(this.status,
      view.tone === 'busy' ? el('span', { class: 'spinner', 'aria-hidden': 'true' }) : el('span', { class: 'dot', 'aria-hidden': 'true' }),
      el('div', null, el('p', { class: 'status-text' }, view.text), view.detail ? el('p', { class: 'status-detail' }, view.detail) : null));
    this.notice.hidden = !(state.kind === 'live' && state.mode === 'pipes');
    this.renderTabs();
    this.renderOverlay(hostname);
  }

  private renderTabs(): void {
    this.tabStrip.hidden = this.tabs.length <= 1;
    replaceChildren(this.tabStrip, ...this.tabs.map((tab) => tab.button));
    for (const tab of this.tabs) {
      const selected = tab === this.active;
      const watchers = channelOf(tab.state) === null ? 0 : this.presenceOf(channelOf(tab.state)!)?.observers.length ?? 0;
      replaceChildren(tab.button, t('tabLabel', { number: formats.number(tab.number) }),
        tab.state.kind === 'watching' ? el('span', { class: 'tab-role' }, icon('eye', 13), ts('watchingRole'))
          : tab.state.kind === 'live' && watchers > 0 ? el('span', { class: 'tab-role' }, icon('eye', 13), formats.number(watchers)) : null);
      tab.button.setAttribute('aria-selected', String(selected));
      tab.button.className = selected ? 'btn btn-primary btn-small' : 'btn btn-secondary btn-small';
      tab.button.dataset.state = tab.state.kind;
      const channel = channelOf(tab.state);
      if (channel === null) delete tab.button.dataset.channel;
      else tab.button.dataset.channel = String(channel);
      tab.pane.hidden = !selected;
      // The tests (and assistive tools) find the terminal shown by its test id: only the selected one has it.
      if (selected) tab.pane.dataset.testid = 'terminal';
      else delete tab.pane.dataset.testid;
    }
  }

  private renderOverlay(hostname: string): void {
    const s = this.active.state;
    const session = this.active.session;
    const show = s.kind !== 'live' && s.kind !== 'watching' && !((s.kind === 'closed' || s.kind === 'reconnecting') && session);
    this.overlay.hidden = !show;
    if (!show) return;
    const busy = s.kind === 'requesting' || s.kind === 'pending' || s.kind === 'starting' || s.kind === 'attaching';
    const title =
      s.kind === 'pending' ? t('waitingOn', { hostname })
      : s.kind === 'attaching' ? t('attaching')
      : s.kind === 'elsewhere' ? t('elsewhere', { user: s.user })
      : busy ? t('starting')
      : s.kind === 'refused' ? s.title
      : s.kind === 'failed' ? t('couldNotOpen')
      : t('noShellOpen');
    const tab = this.active;
    replaceChildren(this.overlay,
      busy ? el('span', { class: 'spinner spinner-large', 'aria-hidden': 'true' }) : icon(s.kind === 'refused' || s.kind === 'failed' ? 'alert' : 'terminal', 40),
      el('p', { class: 'overlay-title' }, title),
      el('p', { class: 'overlay-detail' }, overlayDetail(s)),
      s.kind === 'pending' && tab.consentDeadline !== null
        ? el('p', { class: 'overlay-countdown', 'data-testid': 'consent-countdown', role: 'timer' },
          t('countdown', { seconds: Math.max(0, Math.ceil((tab.consentDeadline - Date.now()) / 1000)) }))
        : null,
      s.kind === 'elsewhere'
        ? el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'bring-shell-here', onclick: () => this.attach(tab, s.channel) }, t('bringHere'))
        : null);
  }

  /** The consent countdown (in the overlay) and the keyboard's (in the notice line), redrawn every second. */
  private renderCountdowns(): void {
    this.renderOverlay(this.device?.hostname ?? t('theDevice'));
    if (this.keyboardDeadline !== null) this.say(ts('keyboardCountdown', { seconds: Math.max(0, Math.ceil((this.keyboardDeadline - Date.now()) / 1000)) }));
  }

  /** Who is on the device (the header strip) and who else is on the shell shown (the terminal's label). */
  private renderSharing(): void {
    const me = this.options.me ?? '';
    const watchable = this.options.only === undefined && this.socket.state.kind === 'open' ? (channel: number) => this.watch(channel) : null;
    // Drawn again only when it changed (render runs every second during a countdown): a button is not replaced under the pointer.
    const drawn = JSON.stringify([this.presence, me, watchable !== null]);
    if (drawn !== this.presenceDrawn) {
      this.presenceDrawn = drawn;
      renderPresence(this.presenceRoot, this.presence, me, watchable);
    }
    const channel = channelOf(this.active.state);
    const shell = channel === null ? undefined : this.presenceOf(channel);
    const others = shell ? shell.observers.filter((o) => o.username !== me) : [];
    const shown = this.active.state.kind === 'live' || this.active.state.kind === 'watching';
    this.watchers.hidden = !shown || others.length === 0;
    this.watchers.textContent = this.watchers.hidden ? '' : ts('watchedBy', { count: others.length, names: others.map((o) => o.name).join(', ') });
  }

  private stopCountdown(): void {
    if (this.countdownTimer) clearInterval(this.countdownTimer);
    this.countdownTimer = null;
  }
}

function overlayDetail(state: ShellState): string {
  switch (state.kind) {
    case 'requesting':
    case 'pending':
    case 'starting':
      return t('appearsHere');
    case 'attaching':
      return '';
    case 'elsewhere':
      return t('elsewhereDetail');
    case 'refused':
    case 'failed':
      return t('nothingRan');
    default:
      return t('openToWork');
  }
}
