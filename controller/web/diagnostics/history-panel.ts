/**
 * The device's diagnostics history: the technician picks a "before" and an
 * "after" snapshot (by default the oldest of today and the latest) and sees what
 * changed. The list follows new snapshots live.
 */
import { ApiError, api, type SnapshotComparison, type SnapshotListing } from '../connection/api.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import { renderComparison } from './comparison-view.js';
import { el, replaceChildren } from '../ui/dom.js';
import { formatWhen } from '../ui/format.js';
import { formats, wordsOf } from '../app/language.js';
import { historyCatalog } from './history-catalog.js';
import { healthBadge } from '../ui/health-badge.js';

const t = wordsOf(historyCatalog);

const HISTORY_SHOWN = 100;

interface Pair {
  before: number;
  after: number;
}

const samePair = (a: Pair | null, b: Pair | null) => a !== null && b !== null && a.before === b.before && a.after === b.after;

type Compared = { kind: 'none' } | { kind: 'loading'; pair: Pair } | { kind: 'failed'; message: string } | { kind: 'shown'; pair: Pair; result: SnapshotComparison };

/** The oldest snapshot of today (else the one before the latest) against the latest. `list` is newest first. */
export function defaultPair(list: readonly SnapshotListing[], now = Date.now()): Pair | null {
  const [latest, ...older] = list;
  if (!latest || older.length === 0) return null;
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  const before = older.filter((s) => s.takenAt >= midnight.getTime()).at(-1) ?? older[0]!;
  return { before: before.id, after: latest.id };
}

export class HistoryPanel {
  readonly root: HTMLElement;
  private list: SnapshotListing[] | null = null;
  private listError: string | null = null;
  private pair: Pair | null = null;
  /** Once the technician picks, new snapshots no longer move the selection. */
  private picked = false;
  private compared: Compared = { kind: 'none' };
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly stop: () => void;
  private readonly listBody = el('div', { class: 'history-list', 'data-testid': 'history' });
  private readonly compareBody = el('div', { class: 'compare-body', 'data-testid': 'compare' });

  constructor(private readonly deviceId: string, socket: ConsoleSocket) {
    this.root = el('section', { class: 'card history-card', 'data-testid': 'history-card' },
      el('div', { class: 'card-header' },
        el('div', null,
          el('h2', { class: 'card-title' }, t('title')),
          el('p', { class: 'card-subtitle' }, t('subtitle')))),
      el('div', { class: 'history-grid' }, this.listBody, this.compareBody));
    this.stop = socket.on('device.diagnostics', (m) => {
      if (m.deviceId === deviceId) this.reloadSoon();
    });
    void this.load();
  }

  dispose(): void {
    this.stop();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }

  private reloadSoon(): void {
    if (this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      void this.load();
    }, 300);
  }

  private async load(): Promise<void> {
    try {
      this.list = (await api.snapshots(this.deviceId, HISTORY_SHOWN)).snapshots;
      this.listError = null;
    } catch (err) {
      this.listError = err instanceof ApiError ? err.message : t('loadFailed');
    }
    const list = this.list ?? [];
    const stillThere = (id: number) => list.some((s) => s.id === id);
    if (!this.picked || !this.pair || !stillThere(this.pair.before) || !stillThere(this.pair.after)) {
      this.picked = false;
      this.pair = defaultPair(list);
    }
    this.renderList();
    void this.compare();
  }

  private choose(side: keyof Pair, id: number): void {
    if (!this.pair) return;
    this.picked = true;
    this.pair = { ...this.pair, [side]: id };
    this.renderList();
    void this.compare();
  }

  private async compare(): Promise<void> {
    const pair = this.pair;
    const current = this.compared;
    if ((current.kind === 'loading' || current.kind === 'shown') && samePair(current.pair, pair)) return;
    if (!pair || pair.before === pair.after) {
      this.compared = { kind: 'none' };
      return this.renderComparison();
    }
    this.compared = { kind: 'loading', pair };
    this.renderComparison();
    try {
      const result = await api.compare(this.deviceId, pair.before, pair.after);
      if (samePair(this.pair, pair)) this.compared = { kind: 'shown', pair, result };
    } catch (err) {
      if (samePair(this.pair, pair)) this.compared = { kind: 'failed', message: err instanceof ApiError ? err.message : t('compareFailed') };
    }
    this.renderComparison();
  }

  private renderList(): void {
    const list = this.list;
    if (!list) {
      replaceChildren(this.listBody, this.listError ? el('p', { class: 'form-error' }, this.listError)
        : el('div', { class: 'empty empty-row' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
      return;
    }
    const radio = (side: keyof Pair, s: SnapshotListing) => el('input', {
      type: 'radio', name: `${side}-${this.deviceId}`, 'aria-label': t(side === 'before' ? 'pickBefore' : 'pickAfter', { when: formatWhen(s.takenAt) }),
      'data-testid': `pick-${side}`, checked: this.pair?.[side] === s.id, onchange: () => this.choose(side, s.id),
    });
    replaceChildren(this.listBody,
      list.length === 0 ? el('p', { class: 'muted' }, t('none'))
        : el('table', { class: 'table history-table' },
          el('thead', null, el('tr', null, el('th', null, t('before')), el('th', null, t('after')), el('th', null, t('collected')), el('th', null, t('findings')))),
          el('tbody', null, ...list.map((s) =>
            el('tr', { 'data-testid': 'history-row', 'data-snapshot-id': s.id, class: this.pair && (this.pair.before === s.id || this.pair.after === s.id) ? 'picked' : null },
              el('td', { class: 'pick' }, radio('before', s)),
              el('td', { class: 'pick' }, radio('after', s)),
              el('td', null, el('span', { class: 'nowrap' }, formatWhen(s.takenAt)), el('span', { class: 'muted small history-ago' }, formats.ago(s.takenAt))),
              el('td', null, healthBadge(s.worst ? { kind: 'issues', worst: s.worst, count: s.findingCount } : { kind: 'healthy' })))))),
      this.listError ? el('p', { class: 'stale-note' }, t('notRefreshed', { error: this.listError })) : null);
  }

  private renderComparison(): void {
    const c = this.compared;
    const pair = this.pair;
    replaceChildren(this.compareBody,
      c.kind === 'shown' ? renderComparison(c.result)
        : c.kind === 'loading' ? el('div', { class: 'empty empty-row' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('comparing'))
        : c.kind === 'failed' ? el('p', { class: 'form-error' }, c.message)
        : pair ? el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, t('sameTwice')), el('p', null, t('pickTwo')))
        : el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, t('nothingYet')),
          el('p', null, t('nothingYetHint'))));
  }
}
