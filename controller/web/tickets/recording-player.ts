/**
 * Plays a shell recording (issue 10, "Recordings") in the browser: the .cast file is
 * fetched, read as asciicast v2 (cast-timeline.ts) and replayed into an xterm.js terminal
 * of the recorded size, in a dialog with play/pause, speed (1×, 2×, 4×), a seek bar
 * (reset, then a fast replay of everything before that moment), the elapsed and total
 * time, pauses capped at the idle limit, and notices when the recording was cut. Also the
 * timeline's words for a shell's opening and end, the "Play" button and the
 * "Download (.cast)" link (the controller names the file), and the device page's list.
 */
import { Terminal } from '@xterm/xterm';
import { errorWords, isErrorCode, restAnswers, type ShellCloseReason } from '../../../protocol/index.js';
import { recordingAnswers, type RecordingView } from '../../../protocol/rest-recording-answers.js';
import { formats, language, wordsOf } from '../app/language.js';
import { ApiError, request } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatWhen } from '../ui/format.js';
import { CastError, readCast, stepsDue, type CastTimeline } from './cast-timeline.js';
import { recordingCatalog } from './recording-catalog.js';
import { tk } from './ticket-wording.js';
import type { TicketEventView } from './tickets-api.js';

const t = wordsOf(recordingCatalog);

/**
 * The largest recording the browser plays: the controller's default largest file
 * (--recording-max-bytes); a bigger one is offered for download only.
 */
export const MAX_PLAYABLE_BYTES = 64 * 1024 * 1024;
const SPEEDS = [1, 2, 4] as const;

const THEME = { background: '#0e1420', foreground: '#d8dee9', cursor: '#8fb4ff', cursorAccent: '#0e1420', selectionBackground: '#35507a' };

const path = (id: string) => `/api/recordings/${encodeURIComponent(id)}`;

/** The recording's file; the controller answers it as an attachment named after the device and time. */
export const castUrl = (id: string) => `${path(id)}/cast`;

/** "Download (.cast)". */
export function downloadLink(id: string): HTMLAnchorElement {
  return el('a', { class: 'btn btn-secondary btn-small', href: castUrl(id), download: '', title: t('downloadHint'), 'data-testid': 'recording-download' }, t('download'));
}

/** A device's name for people (its hostname when the page knows it), from its id. */
export type DeviceName = (deviceId: string) => string;
const byId: DeviceName = (deviceId) => deviceId;

/** "Play", opening the player in a dialog. */
export function playButton(id: string, deviceName: DeviceName = byId): HTMLButtonElement {
  return el('button', { class: 'btn btn-primary btn-small', type: 'button', 'data-testid': 'recording-play', onclick: () => void openRecordingPlayer(id, deviceName) }, icon('play', 14), t('play'));
}

/** Play and Download for a timeline item that names a recording (a shell's end); null otherwise. */
export function recordingActions(e: TicketEventView, deviceName: DeviceName = byId): HTMLElement | null {
  const id = e.kind === 'shell_closed' && typeof e.data.recordingId === 'string' ? e.data.recordingId : null;
  if (!id) return null;
  return el('div', { class: 'actions', 'data-testid': 'recording-actions' }, playButton(id, deviceName), downloadLink(id));
}

function reasonWords(reason: string, actor: string): string {
  switch (reason as ShellCloseReason) {
    case 'exit': return t('reasonExit');
    case 'user': return t('reasonUser');
    case 'technician': return t('reasonTechnician', { actor });
    case 'console-gone': return t('reasonConsoleGone');
    case 'agent-offline': return t('reasonAgentOffline');
    case 'session-ended': return t('reasonSessionEnded');
    default: return t('reasonOther', { reason });
  }
}

/** The timeline's words for a shell's opening or end (eventLine's shape). */
export function shellEventLine(e: TicketEventView, actor: string): { text: string; detail: string | null; icon: 'note' | 'move' | 'link' } {
  const data = e.data;
  if (e.kind === 'shell_opened') {
    const user = typeof data.user === 'string' && data.user !== '' ? data.user : null;
    return { text: user ? t('shellOpened', { actor, user }) : t('shellOpenedNoUser', { actor }), detail: null, icon: 'link' };
  }
  const parts: string[] = [];
  if (typeof data.exitCode === 'number') parts.push(t('exitCode', { code: formats.number(data.exitCode, 0) }));
  if (typeof data.recordingId === 'string') {
    const size = formats.size(typeof data.bytes === 'number' ? data.bytes : 0);
    parts.push(data.truncated === true ? t('recordedTruncated', { size }) : t('recordedSize', { size }));
  } else parts.push(t('notRecorded'));
  return { text: t('shellClosed', { reason: reasonWords(typeof data.reason === 'string' ? data.reason : '?', actor) }), detail: parts.join(' '), icon: 'link' };
}

/** A player clock, m:ss (or h:mm:ss), the same in both languages. */
function clock(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A refusal's words: the catalog's error for its code, never the server's free text. */
async function refusal(response: Response): Promise<ApiError> {
  let code = response.status === 404 ? 'HTTP_ERR_NOT_FOUND' : 'HTTP_ERR_INTERNAL';
  try {
    const body = restAnswers.error.safeParse(await response.json());
    if (body.success) code = body.data.error.code;
  } catch {
    // Not our JSON: the status decides.
  }
  return new ApiError(code, response.status, errorWords(isErrorCode(code) ? code : 'HTTP_ERR_INTERNAL', language()));
}

/** The .cast text, refused past MAX_PLAYABLE_BYTES. Null when too large. */
async function fetchCast(id: string): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(castUrl(id), { credentials: 'same-origin' });
  } catch {
    throw new Error(t('failed'));
  }
  if (!response.ok) throw await refusal(response);
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_PLAYABLE_BYTES) {
    await response.body?.cancel();
    return null;
  }
  const text = await response.text();
  return text.length > MAX_PLAYABLE_BYTES ? null : text;
}

/** The replay of one recording into a terminal, driven by the dialog's controls. */
class Replay {
  readonly term: Terminal;
  /** Where playback is, on the played clock (seconds). */
  position = 0;
  /** The first step not yet written. */
  private next = 0;
  speed: number = 1;
  private frame = 0;
  private lastTick = 0;

  constructor(container: HTMLElement, readonly cast: CastTimeline, private readonly changed: () => void) {
    this.term = new Terminal({
      cols: cast.width,
      rows: cast.height,
      disableStdin: true,
      cursorBlink: false,
      convertEol: false,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 13,
      lineHeight: 1.1,
      scrollback: 2000,
      theme: THEME,
    });
    this.term.open(container);
  }

  get playing(): boolean {
    return this.frame !== 0;
  }

  get ended(): boolean {
    return this.position >= this.cast.duration && this.next >= this.cast.steps.length;
  }

  play(): void {
    if (this.playing) return;
    if (this.ended) this.seek(0);
    this.lastTick = performance.now();
    this.frame = requestAnimationFrame((now) => this.tick(now));
    this.changed();
  }

  pause(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.changed();
  }

  /** Back to an empty terminal of the recorded size, then everything up to `time` at once. */
  seek(time: number): void {
    this.position = Math.min(Math.max(0, time), this.cast.duration);
    this.term.reset();
    this.term.resize(this.cast.width, this.cast.height);
    this.next = 0;
    this.writeUpTo(this.position);
    this.changed();
  }

  dispose(): void {
    this.pause();
    this.term.dispose();
  }

  private tick(now: number): void {
    this.position = Math.min(this.cast.duration, this.position + ((now - this.lastTick) / 1000) * this.speed);
    this.lastTick = now;
    this.writeUpTo(this.position);
    if (this.ended) {
      this.frame = 0;
    } else {
      this.frame = requestAnimationFrame((next) => this.tick(next));
    }
    this.changed();
  }

  /** Writes the steps due by `time`, consecutive output joined into one write. */
  private writeUpTo(time: number): void {
    const end = stepsDue(this.cast, this.next, time);
    let text = '';
    for (let i = this.next; i < end; i++) {
      const step = this.cast.steps[i]!;
      if (step.kind === 'output') {
        text += step.data;
        continue;
      }
      if (text) this.term.write(text);
      text = '';
      this.term.resize(step.cols, step.rows);
    }
    if (text) this.term.write(text);
    this.next = end;
  }
}

/** Opens the player for one recording in a modal dialog; resolves when it is closed (the terminal is disposed). */
export function openRecordingPlayer(id: string, deviceName: DeviceName = byId): Promise<void> {
  return new Promise((resolve) => {
    const status = el('div', { class: 'muted', 'data-testid': 'recording-status' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'));
    const notices = el('div', { class: 'recording-notices', 'data-testid': 'recording-notices' });
    const screen = el('div', { class: 'recording-screen', 'data-testid': 'recording-terminal', style: 'overflow: auto; max-height: 65vh; background: #0e1420; border-radius: 6px; padding: 6px;', hidden: true });
    const controls = el('div', { class: 'actions', 'data-testid': 'recording-controls', style: 'margin-top: 10px;', hidden: true });
    const subtitle = el('p', { class: 'muted small', 'data-testid': 'recording-subtitle' });
    const close = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'recording-close' }, t('close'));
    const dialog = el('dialog', {
      class: 'dialog', 'aria-labelledby': 'recording-title', 'data-testid': 'recording-player',
      style: 'width: min(1100px, calc(100vw - 32px)); max-width: none;',
    },
    el('h2', { id: 'recording-title', class: 'dialog-title' }, icon('terminal'), t('playerTitle')),
    subtitle, notices, status, screen, controls,
    el('div', { class: 'dialog-actions' }, downloadLink(id), close));

    let replay: Replay | null = null;
    let closed = false;
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      closed = true;
      replay?.dispose();
      replay = null;
      dialog.remove();
      resolve();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();

    const notice = (text: string, testId: string) => notices.append(el('div', { class: 'notice notice-warn', role: 'status', 'data-testid': testId, style: 'margin-bottom: 8px;' }, icon('alert'), text));
    const fail = (message: string) => replaceChildren(status, el('p', { class: 'form-error', role: 'alert', 'data-testid': 'recording-error' }, message));

    void (async () => {
      let info: RecordingView;
      try {
        info = (await request('GET', path(id), recordingAnswers.one)).recording;
      } catch (err) {
        if (!closed) fail(err instanceof ApiError ? err.message : t('failed'));
        return;
      }
      if (closed) return;
      subtitle.textContent = t('playerSubtitle', { technician: info.technician, device: deviceName(info.deviceId), when: formatWhen(info.startedAt) });
      const tooLarge = () => fail(t('tooLarge', { size: formats.size(info.bytes), max: formats.size(MAX_PLAYABLE_BYTES) }));
      if (info.bytes > MAX_PLAYABLE_BYTES) return tooLarge();
      let cast: CastTimeline;
      try {
        const text = await fetchCast(id);
        if (closed) return;
        if (text === null) return tooLarge();
        cast = readCast(text);
      } catch (err) {
        if (closed) return;
        if (err instanceof CastError) return fail(errorWords('RECORDING_ERR_INVALID', language()));
        return fail(err instanceof Error && err.message ? err.message : t('failed'));
      }
      if (info.truncated) notice(t('truncated'), 'recording-truncated');
      if (cast.cutTail) notice(t('cutTail'), 'recording-cut-tail');
      if (info.state === 'recording') notice(t('stillRecording'), 'recording-live');
      status.hidden = true;
      screen.hidden = false;
      controls.hidden = false;
      if (cast.steps.length === 0) notice(t('empty'), 'recording-empty');
      buildControls(controls, screen, cast, (r) => (replay = r));
    })();
  });
}

function buildControls(controls: HTMLElement, screen: HTMLElement, cast: CastTimeline, created: (replay: Replay) => void): void {
  const toggle = el('button', { class: 'btn btn-primary btn-small', type: 'button', 'data-testid': 'recording-toggle' });
  const seek = el('input', {
    type: 'range', min: 0, max: Math.max(1, Math.round(cast.duration * 1000)), step: 1, value: 0,
    'aria-label': t('seek'), 'data-testid': 'recording-seek', style: 'flex: 1; min-width: 160px;',
  });
  const time = el('span', { class: 'muted small nowrap', 'data-testid': 'recording-time', style: 'font-variant-numeric: tabular-nums;', title: t('idleNote', { seconds: formats.number(cast.idleLimit, 0) }) });
  const speedButtons = SPEEDS.map((speed) => el('button', {
    class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': `recording-speed-${speed}`, 'data-speed': speed,
  }, t('speedValue', { speed: formats.number(speed, 0) })));
  const speeds = el('div', { class: 'actions', role: 'group', 'aria-label': t('speed') }, el('span', { class: 'muted small' }, t('speed')), ...speedButtons);

  const replay = new Replay(screen, cast, () => update());
  created(replay);
  let dragging = false;
  function update(): void {
    toggle.replaceChildren(replay.playing ? t('pause') : replay.ended && replay.position > 0 ? t('replay') : t('play'));
    toggle.dataset.state = replay.playing ? 'playing' : replay.ended ? 'ended' : 'paused';
    if (!dragging) seek.value = String(Math.round(replay.position * 1000));
    time.textContent = t('position', { elapsed: clock(replay.position), total: clock(cast.duration) });
    for (const button of speedButtons) {
      const pressed = Number(button.dataset.speed) === replay.speed;
      button.setAttribute('aria-pressed', String(pressed));
      button.className = `btn btn-small ${pressed ? 'btn-primary' : 'btn-secondary'}`;
    }
  }
  toggle.addEventListener('click', () => (replay.playing ? replay.pause() : replay.play()));
  for (const button of speedButtons) {
    button.addEventListener('click', () => {
      replay.speed = Number(button.dataset.speed);
      update();
    });
  }
  seek.addEventListener('input', () => {
    dragging = true;
    const wasPlaying = replay.playing;
    replay.seek(Number(seek.value) / 1000);
    dragging = false;
    if (wasPlaying) replay.play();
    update();
  });
  replaceChildren(controls, toggle, seek, time, speeds);
  update();
  replay.play();
}

/** The device page's list of its recordings, newest first, each with Play and Download. */
export function deviceRecordings(deviceId: string, deviceName: DeviceName = byId): HTMLElement {
  const list = el('div', { 'data-testid': 'device-recordings' }, el('p', { class: 'muted small' }, t('loading')));
  const root = el('section', { class: 'card' }, el('h2', { class: 'card-title' }, t('recordingsTitle')), list);
  void (async () => {
    try {
      const { recordings } = await request('GET', `/api/recordings?deviceId=${encodeURIComponent(deviceId)}&limit=20`, recordingAnswers.list);
      if (recordings.length === 0) return replaceChildren(list, el('p', { class: 'muted small' }, t('recordingsEmpty')));
      replaceChildren(list, el('ul', { class: 'plain-list' }, ...recordings.map((r) => {
        const state = r.state === 'recording' ? t('stateRecording') : r.state === 'interrupted' ? t('stateInterrupted') : r.state === 'failed' ? t('stateFailed') : null;
        return el('li', { class: 'actions', 'data-testid': 'device-recording', 'data-recording-id': r.id, style: 'margin-bottom: 6px;' },
          el('span', { class: 'grow' }, t('recordingRow', { when: formatWhen(r.startedAt), technician: r.technician, size: formats.size(r.bytes) }),
            r.ticketNumber !== null ? el('a', { href: `#/tickets/${r.ticketNumber}`, style: 'margin-left: 6px;' }, tk('number', { number: r.ticketNumber })) : null,
            state ? el('span', { class: 'muted small', style: 'margin-left: 6px;' }, state) : null),
          r.state === 'failed' ? null : playButton(r.id, deviceName), downloadLink(r.id));
      })));
    } catch (err) {
      replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('recordingsFailed')));
    }
  })();
  return root;
}
