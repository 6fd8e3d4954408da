/**
 * The device page's diagnostics: the findings card (first thing the technician
 * reads), with Refresh, and the latest snapshot's sections. Loaded from the API,
 * then kept live: each `device.diagnostics` notice on the console socket names a
 * new snapshot, fetched over REST.
 */
import { worstSeverity, type ProbeName } from '../../../protocol/index.js';
import { ApiError, api, type StoredSnapshot } from '../connection/api.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import { DiagnosticsRefresh } from './diagnostics-refresh.js';
import type { DeviceStore } from '../devices/device-store.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { renderFindings } from './findings-list.js';
import { formatDuration } from '../ui/format.js';
import { healthBadge } from '../ui/health-badge.js';
import { snapshotSections } from './snapshot-sections.js';
import { refreshUnavailableReason } from '../ui/wording.js';
import { formats, wordsOf } from '../app/language.js';
import { diagnosticsCatalog } from './diagnostics-catalog.js';

const t = wordsOf(diagnosticsCatalog);

const DONE_SHOWN_MS = 8000;

type Loading = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'loaded' };

export class DiagnosticsPanel {
  /** The findings card. */
  readonly findingsRoot: HTMLElement;
  /** The snapshot's sections. */
  readonly detailsRoot: HTMLElement;
  private latest: StoredSnapshot | null = null;
  private loading: Loading = { kind: 'loading' };
  private readonly refresh: DiagnosticsRefresh;
  private readonly unsubscribe: (() => void)[];
  private doneTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly refreshButton = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'refresh-diagnostics' }, icon('refresh'), t('refresh'));
  private readonly headline = el('div', { class: 'findings-headline' });
  private readonly collectedAt = el('p', { class: 'card-subtitle', 'data-testid': 'collected-at' });
  private readonly refreshStatus = el('div', { class: 'refresh-status', 'data-testid': 'refresh-status', role: 'status', 'aria-live': 'polite' });
  private readonly findingsBody = el('div', { class: 'findings-body' });
  private readonly probesLine = el('p', { class: 'muted small', 'data-testid': 'slowest-probes' });
  private readonly sections = el('div', { class: 'snapshot-grid', 'data-testid': 'snapshot-sections' });

  constructor(private readonly deviceId: string, private readonly socket: ConsoleSocket, private readonly store: DeviceStore) {
    this.refresh = new DiagnosticsRefresh(deviceId, socket, () => {
      // "Updated" is news for a few seconds, then the collected-at time says it.
      if (this.doneTimer) clearTimeout(this.doneTimer);
      if (this.refresh.state.kind === 'done') this.doneTimer = setTimeout(() => this.render(), DONE_SHOWN_MS);
      this.render();
    });
    this.refreshButton.addEventListener('click', () => this.refresh.start());
    this.findingsRoot = el('section', { class: 'card findings-card', 'data-testid': 'findings-card' },
      el('div', { class: 'card-header' },
        el('div', null, el('h2', { class: 'card-title' }, t('findings'), this.headline), this.collectedAt),
        el('div', { class: 'actions' }, this.refreshButton)),
      this.refreshStatus, this.findingsBody);
    this.detailsRoot = el('section', { class: 'snapshot-details', 'data-testid': 'snapshot-details', hidden: true },
      el('div', { class: 'section-header' }, el('h2', { class: 'section-title' }, t('latest')), this.probesLine),
      this.sections);
    this.unsubscribe = [
      // The push says a snapshot was stored; the snapshot itself (up to 128 mounts…) comes over REST.
      socket.on('device.diagnostics', (m) => {
        if (m.deviceId === deviceId && !(this.latest && this.latest.id >= m.snapshotId)) void this.fetch(m.snapshotId);
      }),
      socket.onState(() => this.render()),
      store.subscribe(() => this.onDeviceChange()),
    ];
    void this.load();
  }

  dispose(): void {
    for (const stop of this.unsubscribe) stop();
    this.refresh.dispose();
    if (this.doneTimer) clearTimeout(this.doneTimer);
  }

  /** Redraws (relative times age). */
  render(): void {
    const device = this.store.get(this.deviceId);
    const unavailable = device ? refreshUnavailableReason(device) : t('loadingDevice');
    const connected = this.socket.state.kind === 'open';
    const busy = this.refresh.busy;
    this.refreshButton.disabled = unavailable !== null || !connected || busy;
    replaceChildren(this.refreshButton, busy ? el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }) : icon('refresh'), busy ? t('collecting') : t('refresh'));
    this.findingsRoot.toggleAttribute('data-busy', busy);
    this.refreshButton.title = unavailable ?? (connected ? t('refreshTitle') : t('notConnected'));
    this.renderRefreshStatus(unavailable);
    const latest = this.latest;
    if (!latest) {
      replaceChildren(this.findingsBody, this.placeholder(device?.online ?? false));
      return;
    }
    this.collectedAt.textContent = t('collectedAt', { when: formats.dateTime(latest.takenAt), ago: formats.ago(latest.takenAt), duration: formatDuration(latest.snapshot.durationMs) });
  }

  /**
   * Draws a new snapshot. Only here, not on every redraw: device updates and the
   * clock redraw often, and rebuilding the findings would drop the technician's
   * text selection (an address being copied, say).
   */
  private renderSnapshot(latest: StoredSnapshot): void {
    const worst = worstSeverity(latest.findings);
    replaceChildren(this.headline, healthBadge(worst ? { kind: 'issues', worst, count: latest.findings.length } : { kind: 'healthy' }));
    this.collectedAt.dataset.snapshotId = String(latest.id);
    replaceChildren(this.findingsBody, renderFindings(latest.findings));
    this.probesLine.textContent = slowestProbes(latest);
    replaceChildren(this.sections, ...snapshotSections(latest.snapshot, latest.findings));
    this.detailsRoot.hidden = false;
  }

  private async load(): Promise<void> {
    this.loading = { kind: 'loading' };
    this.render();
    try {
      const { snapshot } = await api.latestSnapshot(this.deviceId);
      this.loading = { kind: 'loaded' };
      if (snapshot) this.show(snapshot);
    } catch (err) {
      this.loading = { kind: 'failed', message: err instanceof ApiError ? err.message : t('loadFailed') };
    }
    this.render();
  }

  private async fetch(snapshotId: number): Promise<void> {
    try {
      this.show((await api.snapshot(this.deviceId, snapshotId)).snapshot);
    } catch {
      // Pruned meanwhile, or the network: the next push or a reload shows the latest.
    }
  }

  /** Keeps the newest snapshot: a live push and the initial load may arrive in either order. */
  private show(stored: StoredSnapshot): void {
    if (this.latest && this.latest.id >= stored.id) return;
    this.latest = stored;
    this.renderSnapshot(stored);
    this.render();
  }

  private onDeviceChange(): void {
    const device = this.store.get(this.deviceId);
    const reason = device ? refreshUnavailableReason(device) : null;
    if (reason) this.refresh.fail(reason);
    this.render();
  }

  private placeholder(online: boolean): HTMLElement {
    if (this.loading.kind === 'failed') {
      return el('div', { class: 'empty' }, el('p', { class: 'form-error' }, this.loading.message),
        el('button', { class: 'btn btn-secondary btn-small', type: 'button', onclick: () => void this.load() }, t('tryAgain')));
    }
    if (this.loading.kind === 'loading') return el('div', { class: 'empty empty-row' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'));
    return online
      ? el('div', { class: 'empty empty-row' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('waitingFirst'))
      : el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, t('notCheckedTitle')), el('p', null, t('nothingBeforeOffline')));
  }

  private renderRefreshStatus(unavailable: string | null): void {
    const s = this.refresh.state;
    const busy = this.refresh.busy;
    this.refreshStatus.dataset.state = s.kind;
    const line = (tone: string, ...children: (Node | string)[]) => {
      this.refreshStatus.hidden = false;
      this.refreshStatus.dataset.tone = tone;
      replaceChildren(this.refreshStatus, ...children);
    };
    if (busy) {
      line('busy', el('span', { class: 'spinner', 'aria-hidden': 'true' }),
        s.kind === 'collecting' ? t('collectingLong') : t('asking'));
    } else if (s.kind === 'failed') {
      line('bad', icon('alert'), s.message);
    } else if (unavailable && this.latest) {
      line('neutral', t('shownBelow', { reason: unavailable }));
    } else if (s.kind === 'done' && Date.now() - s.at < DONE_SHOWN_MS) {
      line('good', icon('check'), t('updated'));
    } else {
      this.refreshStatus.hidden = true;
      replaceChildren(this.refreshStatus);
    }
  }
}

/** "Slowest probes: cpu 711 ms, processes 405 ms, os 306 ms". */
function slowestProbes(stored: StoredSnapshot): string {
  const probes = Object.entries(stored.snapshot.probes)
    .filter((entry): entry is [ProbeName, NonNullable<(typeof entry)[1]>] => entry[1] !== undefined && entry[1].status !== 'skipped')
    .sort((a, b) => b[1].durationMs - a[1].durationMs)
    .slice(0, 3);
  return probes.length === 0 ? '' : t('slowest', { list: probes.map(([name, o]) => t('probeTime', { name, duration: formatDuration(o.durationMs) })).join(t('listSeparator')) });
}
