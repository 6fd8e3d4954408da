/**
 * The device page's remote shell: the "Open shell" request, the wait for the
 * person's consent, the live terminal and its end, each state explained.
 */
import type { ControllerToConsole } from '../../../protocol/index.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import type { DeviceFacts, DeviceStore } from '../devices/device-store.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { newRequestId } from '../connection/request-id.js';
import { isActive, viewOf, type ShellState } from './shell-state.js';
import { TerminalSession } from './terminal-session.js';
import { describeCloseReason, describeRefusal, errorText, shellUnavailableReason } from '../ui/wording.js';
import { wordsOf } from '../app/language.js';
import { shellCatalog } from './shell-catalog.js';

const t = wordsOf(shellCatalog);

type Msg<T extends ControllerToConsole['t']> = Extract<ControllerToConsole, { t: T }>;


export class ShellPanel {
  readonly root: HTMLElement;
  private state: ShellState = { kind: 'idle' };
  private session: TerminalSession | null = null;
  private requestedSize = { cols: 80, rows: 24 };
  private readonly unsubscribe: (() => void)[] = [];
  private readonly openButton = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'open-shell', onclick: () => this.open() }, icon('terminal'), t('openShell'));
  private readonly closeButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'close-shell', onclick: () => this.close() }, t('endShell'));
  private readonly status = el('div', { class: 'shell-status', 'data-testid': 'shell-status', role: 'status', 'aria-live': 'polite' });
  private readonly reason = el('p', { class: 'shell-unavailable' });
  private readonly notice = el('div', { class: 'notice notice-warn', hidden: true }, icon('alert'), t('pipesNotice'));
  private readonly pane = el('div', { class: 'terminal-pane', 'data-testid': 'terminal' });
  private readonly overlay = el('div', { class: 'terminal-overlay' });
  /** When the person's time to answer runs out (the agent's consent timeout, if it told), and the timer redrawing the countdown. */
  private consentDeadline: number | null = null;
  private countdownTimer: ReturnType<typeof setInterval> | null = null;
  private readonly warnBeforeLeaving = (event: BeforeUnloadEvent) => {
    if (this.state.kind === 'live') event.preventDefault();
  };

  constructor(private readonly deviceId: string, private readonly socket: ConsoleSocket, private readonly store: DeviceStore) {
    this.root = el('section', { class: 'card shell-card' },
      el('div', { class: 'card-header' },
        el('h2', { class: 'card-title' }, t('remoteShell')),
        el('div', { class: 'actions' }, this.openButton, this.closeButton)),
      this.reason, this.status, this.notice,
      el('div', { class: 'terminal-frame' }, this.pane, this.overlay));
    this.unsubscribe.push(
      socket.on('shell.pending', (m) => this.onPending(m)),
      socket.on('shell.consent', (m) => this.onConsent(m)),
      socket.on('shell.opened', (m) => this.onOpened(m)),
      socket.on('shell.closed', (m) => this.onClosed(m)),
      socket.on('error', (m) => this.onError(m)),
      socket.onState((s) => {
        if (s.kind !== 'open' && isActive(this.state)) this.finish({ kind: 'closed', reason: describeCloseReason('console-gone', null) });
        this.render();
      }),
      store.subscribe(() => this.onDeviceChange()),
    );
    window.addEventListener('beforeunload', this.warnBeforeLeaving);
    this.render();
  }

  /** Leaves the page: ends any shell or request this page holds. */
  dispose(): void {
    const state = this.state;
    if (state.kind === 'pending' || state.kind === 'starting' || state.kind === 'live') {
      this.socket.send({ t: 'shell.close', channel: state.channel });
    } else if (state.kind === 'requesting') {
      // The channel is not known yet: close it as soon as the controller names it.
      const stop = this.socket.on('shell.pending', (m) => {
        if (m.requestId !== state.requestId) return;
        this.socket.send({ t: 'shell.close', channel: m.channel });
        stop();
      });
    }
    for (const stop of this.unsubscribe) stop();
    this.stopCountdown();
    window.removeEventListener('beforeunload', this.warnBeforeLeaving);
    this.session?.dispose();
    this.session = null;
  }

  private get device(): DeviceFacts | undefined {
    return this.store.get(this.deviceId);
  }

  private open(): void {
    const device = this.device;
    if (!device || shellUnavailableReason(device) || isActive(this.state)) return;
    this.session?.dispose();
    this.session = new TerminalSession(this.pane, this.socket);
    this.requestedSize = this.session.size();
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'shell.open', requestId, deviceId: device.id, ...this.requestedSize })) {
      return this.finish({ kind: 'failed', message: t('notConnectedWait') });
    }
    this.setState({ kind: 'requesting', requestId });
    this.root.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  private close(): void {
    const state = this.state;
    if (state.kind === 'pending' || state.kind === 'starting' || state.kind === 'live') {
      this.socket.send({ t: 'shell.close', channel: state.channel });
      // Ended here at once; a later shell.closed for this channel is then ignored.
      const reason = state.kind === 'live' ? describeCloseReason('technician', null) : t('cancelled');
      this.finish({ kind: 'closed', reason });
    }
  }

  private channel(): number | null {
    const s = this.state;
    return s.kind === 'pending' || s.kind === 'starting' || s.kind === 'live' ? s.channel : null;
  }

  private onPending(m: Msg<'shell.pending'>): void {
    if (this.state.kind !== 'requesting' || m.requestId !== this.state.requestId) return;
    this.session?.bind(m.channel);
    if (m.timeoutMs !== undefined) {
      this.consentDeadline = Date.now() + m.timeoutMs;
      this.countdownTimer ??= setInterval(() => this.renderOverlay(this.device?.hostname ?? t('theDevice')), 1000);
    }
    this.setState({ kind: 'pending', requestId: m.requestId, channel: m.channel });
  }

  private onConsent(m: Msg<'shell.consent'>): void {
    if (m.channel !== this.channel()) return;
    if (m.decision === 'granted') this.setState({ kind: 'starting', channel: m.channel });
    else this.finish({ kind: 'refused', ...describeRefusal(m.decision, this.device?.policy?.shell) });
  }

  private onOpened(m: Msg<'shell.opened'>): void {
    if (m.channel !== this.channel()) return;
    this.setState({ kind: 'live', channel: m.channel, mode: m.mode, user: m.user, shell: m.shell });
    this.session?.goLive(this.requestedSize);
  }

  private onClosed(m: Msg<'shell.closed'>): void {
    if (m.channel !== this.channel()) return;
    if (m.reason === 'declined' || m.reason === 'timeout') this.finish({ kind: 'refused', ...describeRefusal(m.reason) });
    else this.finish({ kind: 'closed', reason: describeCloseReason(m.reason, m.exitCode) });
  }

  private onError(m: Msg<'error'>): void {
    const s = this.state;
    const mine = (s.kind === 'requesting' && m.requestId === s.requestId) || (m.channel !== undefined && m.channel === this.channel());
    if (mine) this.finish({ kind: 'failed', message: errorText(m.code, m.message) });
  }

  private onDeviceChange(): void {
    const device = this.device;
    if (device && isActive(this.state)) {
      if (device.sessionStatus === 'ended') this.finish({ kind: 'closed', reason: describeCloseReason('session-ended', null) });
      else if (!device.online) this.finish({ kind: 'closed', reason: describeCloseReason('agent-offline', null) });
    }
    this.render();
  }

  /** Ends the current request or shell. A terminal that never went live is removed; a live one stays readable. */
  private finish(next: ShellState): void {
    if (this.state.kind !== 'live') {
      this.session?.dispose();
      this.session = null;
    } else {
      this.session?.end(next.kind === 'closed' ? next.reason : undefined);
    }
    this.setState(next);
  }

  private setState(next: ShellState): void {
    this.state = next;
    if (next.kind !== 'pending') this.stopCountdown();
    this.render();
  }

  private render(): void {
    const device = this.device;
    const hostname = device?.hostname ?? t('theDevice');
    const unavailable = device ? shellUnavailableReason(device) : t('loadingDevice');
    const connected = this.socket.state.kind === 'open';
    const active = isActive(this.state);
    this.openButton.hidden = active;
    this.openButton.disabled = unavailable !== null || !connected;
    this.openButton.title = unavailable ?? (connected ? '' : t('notConnected'));
    this.openButton.lastChild!.textContent = this.state.kind === 'idle' ? t('openShell') : t('openNewShell');
    this.closeButton.hidden = !(this.state.kind === 'pending' || this.state.kind === 'starting' || this.state.kind === 'live');
    this.closeButton.textContent = this.state.kind === 'live' ? t('endShell') : t('cancelRequest');
    this.reason.textContent = !active && unavailable ? unavailable : '';
    this.reason.hidden = active || !unavailable;
    const view = viewOf(this.state, hostname);
    // "Open a new one" would contradict the reason shown just above when the device cannot take one.
    if (unavailable && !active) view.detail = undefined;
    this.status.dataset.tone = view.tone;
    this.status.dataset.state = this.state.kind;
    replaceChildren(this.status,
      view.tone === 'busy' ? el('span', { class: 'spinner', 'aria-hidden': 'true' }) : el('span', { class: 'dot', 'aria-hidden': 'true' }),
      el('div', null, el('p', { class: 'status-text' }, view.text), view.detail ? el('p', { class: 'status-detail' }, view.detail) : null));
    this.notice.hidden = !(this.state.kind === 'live' && this.state.mode === 'pipes');
    this.renderOverlay(hostname);
  }

  private renderOverlay(hostname: string): void {
    const s = this.state;
    const show = s.kind !== 'live' && !(s.kind === 'closed' && this.session);
    this.overlay.hidden = !show;
    if (!show) return;
    const busy = s.kind === 'requesting' || s.kind === 'pending' || s.kind === 'starting';
    replaceChildren(this.overlay,
      busy ? el('span', { class: 'spinner spinner-large', 'aria-hidden': 'true' }) : icon(s.kind === 'refused' || s.kind === 'failed' ? 'alert' : 'terminal', 40),
      el('p', { class: 'overlay-title' },
        s.kind === 'pending' ? t('waitingOn', { hostname }) : busy ? t('starting') : s.kind === 'refused' ? s.title : s.kind === 'failed' ? t('couldNotOpen') : t('noShellOpen')),
      el('p', { class: 'overlay-detail' }, overlayDetail(s)),
      s.kind === 'pending' && this.consentDeadline !== null
        ? el('p', { class: 'overlay-countdown', 'data-testid': 'consent-countdown', role: 'timer' },
          t('countdown', { seconds: Math.max(0, Math.ceil((this.consentDeadline - Date.now()) / 1000)) }))
        : null);
  }

  private stopCountdown(): void {
    this.consentDeadline = null;
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
    case 'refused':
    case 'failed':
      return t('nothingRan');
    default:
      return t('openToWork');
  }
}
