/**
 * A device list as a page shows it: loaded a page at a time over REST (filtered and
 * sorted by the controller), grown with "Show more", and kept live by the console's
 * changes — a shown device changes in place at once; anything else that may change
 * the list (a device joining, the totals) reloads what is shown, at most every
 * REFRESH_MS. Changes that arrive while a page is on its way are applied on top of it.
 */
import { DEVICE_PAGE, type DeviceListItem, type DeviceQueryInput } from '../../../protocol/index.js';
import { ApiError, api } from '../connection/api.js';
import type { DeviceChange, DeviceStore } from './device-store.js';
import { wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';

const t = wordsOf(devicesCatalog);

const REFRESH_MS = 1500;

export type PagerState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; message: string };

export class DevicePager {
  rows: DeviceListItem[] = [];
  /** Devices matching the query over all pages, and how many of them are online. */
  total = 0;
  online = 0;
  state: PagerState = { kind: 'loading' };
  private nextCursor: string | null = null;
  private query: DeviceQueryInput;
  /** Bumped by every new query: answers to an older one are dropped. */
  private generation = 0;
  private inFlight = 0;
  private readonly arrived = new Map<string, DeviceChange>();
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly stop: () => void;

  constructor(private readonly store: DeviceStore, query: DeviceQueryInput, private readonly onChange: () => void, private readonly pageSize: number = DEVICE_PAGE.defaultLimit) {
    this.query = query;
    this.stop = store.subscribe((change) => this.changed(change));
    void this.load(false);
  }

  get hasMore(): boolean {
    return this.nextCursor !== null;
  }

  /** Shows another query (a filter or the search changed): from the first page again. */
  setQuery(query: DeviceQueryInput): void {
    this.query = query;
    this.generation++;
    this.rows = [];
    this.nextCursor = null;
    this.state = { kind: 'loading' };
    this.onChange();
    void this.load(false);
  }

  /** Appends the next page. */
  more(): void {
    if (this.nextCursor !== null && this.inFlight === 0) void this.load(true);
  }

  dispose(): void {
    this.stop();
    this.generation++;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
  }

  private async load(append: boolean, limit = this.pageSize): Promise<void> {
    const generation = this.generation;
    this.inFlight++;
    try {
      const cursor = append && this.nextCursor !== null ? { cursor: this.nextCursor } : {};
      const page = await api.devices({ ...this.query, ...cursor, limit: String(limit) });
      if (generation !== this.generation) return;
      this.store.remember(page.devices);
      const fresh = page.devices.map((d) => this.latest(d));
      const shown = new Set(this.rows.map((r) => r.id));
      this.rows = append ? [...this.rows, ...fresh.filter((d) => !shown.has(d.id))] : fresh;
      this.nextCursor = page.nextCursor;
      this.total = page.total;
      this.online = page.online;
      this.state = { kind: 'ready' };
    } catch (err) {
      if (generation !== this.generation) return;
      this.state = { kind: 'failed', message: err instanceof ApiError ? err.message : t('devicesFailed') };
    } finally {
      if (generation === this.generation && --this.inFlight === 0) this.arrived.clear();
    }
    this.onChange();
  }

  /** A row from a page, or what a change said about it while the page was on its way. */
  private latest(device: DeviceListItem): DeviceListItem {
    const change = this.arrived.get(device.id);
    return change?.kind === 'update' ? change.device : device;
  }

  private changed(change: DeviceChange | null): void {
    if (change?.kind === 'loaded') return;
    if (change && this.inFlight > 0) this.arrived.set(change.kind === 'update' ? change.device.id : change.deviceId, change);
    if (change?.kind === 'update') {
      const at = this.rows.findIndex((r) => r.id === change.device.id);
      if (at >= 0) {
        this.rows = this.rows.map((r, i) => (i === at ? change.device : r));
        this.onChange();
      }
    } else if (change?.kind === 'removed') {
      const before = this.rows.length;
      this.rows = this.rows.filter((r) => r.id !== change.deviceId);
      if (this.rows.length !== before) this.onChange();
    }
    this.refreshSoon();
  }

  /** Reloads what is shown (up to the largest page), or only the totals past that. */
  private refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.state.kind === 'loading') return this.refreshSoon();
      if (this.rows.length <= DEVICE_PAGE.maxLimit) void this.load(false, Math.max(this.pageSize, this.rows.length));
      else void this.totals();
    }, REFRESH_MS);
  }

  private async totals(): Promise<void> {
    const generation = this.generation;
    try {
      const page = await api.devices({ ...this.query, limit: '1' });
      if (generation !== this.generation) return;
      this.total = page.total;
      this.online = page.online;
      this.onChange();
    } catch {
      // The next change tries again; the rows shown stay as they are.
    }
  }
}
