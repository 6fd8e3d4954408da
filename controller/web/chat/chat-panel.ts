/**
 * The device page's chat with the person (issue 15, point 4): the history over REST
 * (GET /api/devices/:id/chat, newest page first), new messages live over the console
 * socket (chat.message), and a one-line form that sends chat.send. Messages are shown
 * as text nodes only, never as markup.
 */
import { CHAT_MAX_CHARS, errorWords, type ControllerToConsole } from '../../../protocol/index.js';
import { chatAnswers, type ChatMessageView } from '../../../protocol/rest-chat-answers.js';
import { plainLine } from '../../../protocol/text.js';
import { language, formats, wordsOf } from '../app/language.js';
import type { AppContext } from '../app/page.js';
import { ApiError, request } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { chatCatalog } from './chat-catalog.js';

const t = wordsOf(chatCatalog);
/** Errors the controller answers a chat.send with (it carries no request id): shown while a send is recent. */
const CHAT_ERRORS = new Set(['CHAT_ERR_NO_SESSION', 'CHAT_ERR_INVALID_TEXT', 'SHELL_ERR_DEVICE_OFFLINE', 'PROTO_ERR_INVALID_MESSAGE']);
const SEND_ERROR_WINDOW_MS = 10_000;

type Entry = Pick<ChatMessageView, 'at' | 'side' | 'from' | 'text'> & { id?: number };

export class ChatPanel {
  readonly root: HTMLElement;
  private readonly log = el('ol', { class: 'chat-log', 'data-testid': 'chat-log', 'aria-live': 'polite' });
  private readonly input = el('input', { type: 'text', class: 'chat-input', maxlength: String(CHAT_MAX_CHARS), autocomplete: 'off', placeholder: t('placeholder'), 'aria-label': t('label'), 'data-testid': 'chat-input' });
  private readonly sendButton = el('button', { class: 'btn btn-primary btn-small', type: 'submit', 'data-testid': 'chat-send' }, t('send'));
  private readonly error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'chat-error' });
  private readonly olderButton = el('button', { class: 'btn btn-secondary btn-small', type: 'button', hidden: true, 'data-testid': 'chat-older' }, t('older'));
  private entries: Entry[] = [];
  private cursor: string | null = null;
  private sentAt = 0;
  private readonly stops: Array<() => void> = [];

  constructor(private readonly deviceId: string, private readonly app: AppContext) {
    const form = el('form', { class: 'chat-form' }, this.input, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.olderButton.addEventListener('click', () => void this.load(this.cursor));
    this.root = el('section', { class: 'card chat-panel', 'data-testid': 'chat-panel' },
      el('h2', { class: 'section-title' }, t('title')),
      el('p', { class: 'muted' }, t('hint')),
      this.olderButton, this.log, this.error, form);
    // Its own few rules, so the shared stylesheet (being reworked by the workspace layout) needs none.
    this.log.style.cssText = 'list-style:none;margin:8px 0;padding:0;max-height:320px;overflow:auto;display:grid;gap:6px'; // i18n-ignore: CSS
    form.style.cssText = 'display:flex;gap:8px'; // i18n-ignore: CSS
    this.input.style.flex = '1';
    this.stops.push(app.socket.on('chat.message', (m) => this.arrived(m)));
    this.stops.push(app.socket.on('error', (m) => {
      if (m.requestId !== undefined || !CHAT_ERRORS.has(m.code) || Date.now() - this.sentAt > SEND_ERROR_WINDOW_MS) return;
      this.showError(m.code === 'CHAT_ERR_NO_SESSION' ? t('noSession') : m.code === 'SHELL_ERR_DEVICE_OFFLINE' ? t('offline') : errorWords(m.code, language()));
    }));
    void this.load(null);
  }

  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private async load(before: string | null): Promise<void> {
    try {
      const query = before ? `?before=${encodeURIComponent(before)}` : '';
      const page = await request('GET', `/api/devices/${encodeURIComponent(this.deviceId)}/chat${query}`, chatAnswers.page);
      const known = new Set(this.entries.map((e) => e.id));
      const older = page.messages.filter((m) => !known.has(m.id)).reverse();
      this.entries = before ? [...older, ...this.entries] : mergeLive(older, this.entries);
      this.cursor = page.nextCursor;
      this.olderButton.hidden = page.nextCursor === null;
      this.render();
    } catch (err) {
      this.showError(err instanceof ApiError ? err.message : t('failed'));
    }
  }

  private arrived(m: Extract<ControllerToConsole, { t: 'chat.message' }>): void {
    if (m.deviceId !== this.deviceId) return;
    this.entries.push({ at: m.at, side: m.side, from: m.from, text: m.text });
    this.render();
  }

  private send(): void {
    const text = plainLine(this.input.value, CHAT_MAX_CHARS + 1).trim();
    if (text === '') return;
    if (text.length > CHAT_MAX_CHARS) return this.showError(t('tooLong', { count: text.length - CHAT_MAX_CHARS }));
    this.error.hidden = true;
    this.sentAt = Date.now();
    if (this.app.socket.send({ t: 'chat.send', deviceId: this.deviceId, text })) this.input.value = '';
    else this.showError(t('offline'));
  }

  private showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  private render(): void {
    if (this.entries.length === 0) return replaceChildren(this.log, el('li', { class: 'chat-empty muted' }, t('empty')));
    replaceChildren(this.log, ...this.entries.map((e) =>
      el('li', { class: `chat-message chat-${e.side}`, 'data-side': e.side, 'data-testid': 'chat-message' },
        el('strong', { class: 'chat-author' }, e.side === 'person' ? t('person') : e.from ?? ''), ' ',
        el('time', { class: 'chat-time muted', datetime: new Date(e.at).toISOString() }, formats.time(e.at)), ' ',
        el('span', { class: 'chat-text' }, e.text))));
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** The first page, with whatever arrived live while it loaded (those have no id yet) kept after it. */
function mergeLive(page: Entry[], live: Entry[]): Entry[] {
  const last = page[page.length - 1]?.at ?? 0;
  return [...page, ...live.filter((e) => e.id === undefined && e.at > last)];
}
