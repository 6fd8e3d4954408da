/**
 * The device page's Files card: "Send a file" (the browser's file picker; the file is
 * uploaded as a stream, from disk, once the person said yes) and "Fetch a file" (one
 * path typed; the browser downloads it once the person said yes). Each transfer of
 * this page is listed with its state, a progress bar (bytes and speed, as the
 * controller reports what the other end has taken) and, at the end, its SHA-256.
 * Everything from the device is shown as text, never as markup.
 */
import { errorWords, safeFileName, type ControllerToConsole, type FileTransferView } from '../../../protocol/index.js';
import { formats, language, wordsOf } from '../app/language.js';
import type { AppContext } from '../app/page.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { filesCatalog } from './files-catalog.js';
import { uploadFile } from './file-upload.js';

const t = wordsOf(filesCatalog);

/** Errors the controller answers a file.send or file.fetch with, before any transfer exists. */
type RequestError = Extract<ControllerToConsole, { t: 'error' }>;

interface Row {
  view: FileTransferView;
  /** The file to upload (send), until its upload starts. */
  file: File | null;
  /** Aborts the upload. */
  abort: AbortController | null;
  started: boolean;
  /** When the bytes started to move, and how many had moved then (for the speed). */
  movingSince: { at: number; bytes: number } | null;
  /** What the upload's answer said when the socket said nothing (a failure seen only over HTTP). */
  localError: string | null;
}

const FINAL = new Set(['done', 'failed']);

export class FilePanel {
  readonly root: HTMLElement;
  private readonly picker = el('input', { type: 'file', hidden: true, 'data-testid': 'file-picker' });
  private readonly sendButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'send-file' }, icon('plus'), t('send'));
  private readonly pathInput = el('input', { type: 'text', class: 'file-path-input', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'fetch-path' });
  private readonly fetchButton = el('button', { class: 'btn btn-secondary', type: 'submit', 'data-testid': 'fetch-file' }, t('fetch'));
  private readonly error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'file-error' });
  private readonly note = el('p', { class: 'muted file-note', hidden: true });
  private readonly list = el('ol', { class: 'file-transfers', 'data-testid': 'file-transfers', 'aria-live': 'polite' });
  private readonly rows = new Map<string, Row>();
  /** Requests sent and not answered yet: the file to upload once the transfer exists. */
  private readonly asked = new Map<string, File | null>();
  private readonly stops: Array<() => void> = [];
  private requests = 0;

  constructor(private readonly deviceId: string, private readonly app: AppContext) {
    const form = el('form', { class: 'file-fetch' },
      el('label', { class: 'file-path-label' }, el('span', { class: 'field-label' }, t('pathLabel')), this.pathInput),
      this.fetchButton);
    this.pathInput.placeholder = t('pathPlaceholder');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.fetchFile();
    });
    this.sendButton.addEventListener('click', () => this.picker.click());
    this.picker.addEventListener('change', () => {
      const file = this.picker.files?.[0];
      this.picker.value = '';
      if (file) this.sendFile(file);
    });
    this.root = el('section', { class: 'card file-panel', 'data-testid': 'file-panel' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, t('title')), el('div', { class: 'actions' }, this.sendButton, this.picker)),
      el('p', { class: 'muted' }, t('hint')),
      form, this.note, this.error, this.list);
    this.stops.push(
      app.socket.on('file.pending', (m) => this.pending(m.requestId, m.transfer)),
      app.socket.on('file.update', (m) => this.update(m.transfer)),
      app.socket.on('error', (m) => this.refused(m)),
      app.socket.onState(() => {
        if (app.socket.state.kind !== 'open') this.controllerLost();
        this.renderAvailability();
      }),
      app.store.subscribe(() => this.renderAvailability()),
    );
    this.renderAvailability();
  }

  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
    // A transfer still asking is withdrawn by the controller when the page's socket goes;
    // an upload under way stops with the page (the download goes on in the browser).
    for (const row of this.rows.values()) row.abort?.abort();
  }

  private sendFile(file: File): void {
    this.ask({ t: 'file.send', requestId: this.nextRequest(), deviceId: this.deviceId, name: safeFileName(file.name), size: file.size }, file);
  }

  private fetchFile(): void {
    const path = this.pathInput.value.trim();
    if (path === '') return this.showError(t('noPath'));
    if (this.ask({ t: 'file.fetch', requestId: this.nextRequest(), deviceId: this.deviceId, path }, null)) this.pathInput.value = '';
  }

  private ask(message: Parameters<AppContext['socket']['send']>[0] & { requestId: string }, file: File | null): boolean {
    this.error.hidden = true;
    if (!this.app.socket.send(message)) {
      this.showError(t('disconnected'));
      return false;
    }
    this.asked.set(message.requestId, file);
    return true;
  }

  private nextRequest(): string {
    return `file-${Date.now().toString(36)}-${++this.requests}`;
  }

  private pending(requestId: string, view: FileTransferView): void {
    if (!this.asked.has(requestId)) return;
    const file = this.asked.get(requestId) ?? null;
    this.asked.delete(requestId);
    this.rows.set(view.id, { view, file, abort: null, started: false, movingSince: null, localError: null });
    this.render();
  }

  private refused(message: RequestError): void {
    if (message.requestId === undefined || !this.asked.delete(message.requestId)) return;
    this.showError(errorWords(message.code, language()));
  }

  private update(view: FileTransferView): void {
    const row = this.rows.get(view.id);
    if (!row) return;
    if (FINAL.has(row.view.state)) return;
    if (view.state === 'moving' && row.movingSince === null) row.movingSince = { at: Date.now(), bytes: view.bytes };
    row.view = view;
    if (view.state === 'ready' && !row.started) this.start(row);
    this.render();
  }

  /** The person said yes: the browser uploads the file, or downloads the one fetched. */
  private start(row: Row): void {
    row.started = true;
    const id = row.view.id;
    if (row.view.direction === 'fetch') {
      // A link with Content-Disposition: attachment: the browser's own download, streamed to disk.
      const link = el('a', { href: `/api/files/${encodeURIComponent(id)}/download`, download: '', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      return;
    }
    if (!row.file) return;
    row.abort = new AbortController();
    void uploadFile(id, row.file, row.abort.signal).then((failure) => {
      row.file = null;
      if (FINAL.has(row.view.state)) return;
      if (failure) row.localError = failure;
      // The answer came, but the socket that would have said "done" is gone: the answer says it.
      else if (this.app.socket.state.kind !== 'open') row.view = { ...row.view, state: 'done', bytes: row.view.size ?? row.view.bytes };
      else return;
      this.render();
    });
  }

  /**
   * The page's socket is gone: the controller withdraws what was still asking or waiting
   * for the browser, and will not tell this page about the others again (a new socket is
   * a new page to it). An upload under way keeps its own answer (HTTP); every other
   * transfer is shown as stopped, never as live.
   */
  private controllerLost(): void {
    let changed = false;
    for (const row of this.rows.values()) {
      if (FINAL.has(row.view.state)) continue;
      const uploading = row.view.direction === 'send' && row.abort !== null && !row.abort.signal.aborted && row.view.state !== 'asking';
      if (uploading) continue;
      row.localError = row.view.direction === 'fetch' && row.started && row.view.state !== 'ready' ? t('controllerLostFetch') : t('controllerLost');
      row.view = { ...row.view, state: 'failed' };
      changed = true;
    }
    if (changed) this.render();
  }

  private cancel(row: Row): void {
    this.app.socket.send({ t: 'file.cancel', transferId: row.view.id });
    row.abort?.abort();
  }

  private renderAvailability(): void {
    const device = this.app.store.view(this.deviceId);
    const connected = this.app.socket.state.kind === 'open';
    const usable = connected && device?.online === true;
    this.sendButton.disabled = !usable;
    this.fetchButton.disabled = !usable;
    this.pathInput.disabled = !usable;
    this.note.hidden = usable || device === undefined;
    this.note.textContent = connected ? t('offline') : t('disconnected');
  }

  private showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  private render(): void {
    const rows = [...this.rows.values()].reverse();
    replaceChildren(this.list, ...rows.map((row) => this.renderRow(row)));
  }

  private renderRow(row: Row): HTMLElement {
    const { view } = row;
    const name = view.name ?? view.path ?? t('unknownName');
    const total = view.size ?? 0;
    const percent = total > 0 ? Math.min(100, (view.bytes / total) * 100) : view.state === 'done' ? 100 : 0;
    const bar = el('div', {
      class: 'file-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(percent)),
      'aria-label': t('progressLabel', { name }),
    }, el('span', { class: 'file-progress-fill' }));
    (bar.firstChild as HTMLElement).style.width = `${percent}%`;
    const cancel = FINAL.has(view.state) || view.state === 'checking'
      ? null
      : el('button', { class: 'btn btn-ghost btn-small', type: 'button', 'data-testid': 'file-cancel', 'aria-label': t('cancelLabel', { name }), onclick: () => this.cancel(row) }, t('cancel'));
    return el('li', { class: 'file-transfer', 'data-testid': 'file-transfer', 'data-state': view.state, 'data-direction': view.direction },
      el('strong', { class: 'file-name' }, name),
      view.direction === 'fetch' && view.path ? el('p', { class: 'file-path mono' }, view.path) : null,
      el('div', { class: 'file-transfer-meta' },
        el('span', { class: 'file-direction' }, view.direction === 'send' ? t('toDevice') : t('fromDevice')),
        view.size !== null ? el('span', { class: 'muted file-size' }, formats.size(view.size)) : null,
        cancel),
      view.state === 'asking' || FINAL.has(view.state) ? null : bar,
      el('p', { class: `file-status file-status-${view.state}`, 'data-testid': 'file-status' }, this.statusText(row)),
      view.sha256 && view.state === 'done' ? el('p', { class: 'file-sha mono', title: t('shaTitle'), 'data-testid': 'file-sha' }, t('sha', { sha: view.sha256 })) : null);
  }

  private statusText(row: Row): string {
    const { view } = row;
    switch (view.state) {
      case 'asking':
        return view.timeoutMs !== undefined ? t('askingTimeout', { seconds: Math.round(view.timeoutMs / 1000) }) : t('asking');
      case 'ready':
        return row.localError ?? t('ready');
      case 'moving': {
        if (row.localError) return row.localError;
        const done = formats.size(view.bytes);
        const total = formats.size(view.size ?? 0);
        const since = row.movingSince;
        const seconds = since ? (Date.now() - since.at) / 1000 : 0;
        if (!since || seconds < 0.5) return t('movingNoSpeed', { done, total });
        return t('moving', { done, total, speed: formats.size((view.bytes - since.bytes) / seconds) });
      }
      case 'checking':
        return t('checking');
      case 'done':
        return view.direction === 'send' ? t('doneSend', { savedAs: view.savedAs ?? view.name ?? '' }) : t('doneFetch');
      case 'failed': {
        if (row.localError) return row.localError;
        const words = errorWords(view.code ?? 'FILE_ERR_CANCELLED', language());
        // The system's own message says why a read or write failed; other details are codes for the log.
        return view.code === 'FILE_ERR_IO' && view.detail ? `${words} (${view.detail})` : words;
      }
    }
  }
}
