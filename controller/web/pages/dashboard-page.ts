/** The technician's home: create a support link, see pending links and live devices. */
import { ApiError, api, type SupportLinkView } from '../connection/api.js';
import { renderDeviceList, renderEndedList } from '../devices/device-list.js';
import { DevicePager } from '../devices/device-pager.js';
import { el, icon } from '../ui/dom.js';
import type { AppContext, Page } from '../app/page.js';
import { createSupportLinkPanel } from './support-link-panel.js';
import { renderSupportLinks } from './support-links-list.js';
import { wordsOf } from '../app/language.js';
import { dashboardCatalog } from './dashboard-catalog.js';

const t = wordsOf(dashboardCatalog);

const LINKS_REFRESH_MS = 15_000;

/** Builds the dashboard. */
export function createDashboardPage(app: AppContext): Page {
  const openDevice = (id: string) => app.navigate(`#/devices/${encodeURIComponent(id)}`);
  let links: SupportLinkView[] | null = null;
  let linksError: string | null = null;
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  const linksBody = el('div', { class: 'links-body' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingLinks')));
  const devicesBody = el('div', { class: 'devices-body', 'data-testid': 'devices' });
  const deviceCount = el('span', { class: 'count', 'data-testid': 'device-count' });
  const search = el('input', { class: 'input search-input', type: 'search', placeholder: t('searchPlaceholder'), 'aria-label': t('searchLabel'), 'data-testid': 'device-search' });
  const endedBody = el('div', { class: 'ended-body' });
  const ended = el('details', { class: 'ended-sessions', 'data-testid': 'ended-sessions' }, el('summary', null, t('endedSessions')), endedBody);

  const renderLinks = () => {
    if (links) {
      // Keep showing the last good list when a refresh fails; say so underneath.
      renderSupportLinks(linksBody, links, openDevice);
      panel.update(links);
      if (linksError) linksBody.append(el('p', { class: 'stale-note' }, t('notRefreshed', { error: linksError })));
    } else if (linksError) {
      linksBody.replaceChildren(el('p', { class: 'form-error' }, linksError));
    }
  };
  const loadLinks = async () => {
    try {
      links = (await api.supportLinks()).links;
      linksError = null;
    } catch (err) {
      linksError = err instanceof ApiError ? err.message : t('linksFailed');
    }
    renderLinks();
  };
  /** A device joining or leaving changes link statuses: refresh soon, once per burst of updates. */
  const reloadLinksSoon = () => {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void loadLinks();
    }, 300);
  };

  const panel = createSupportLinkPanel(() => void loadLinks(), openDevice);

  // Support sessions only (enrolled machines are on the Fleet page), the most recent first, a page at a time.
  const query = () => ({ kind: 'attended', sort: 'recent', q: search.value.trim() });
  const renderDevices = () => {
    deviceCount.textContent = active.state.kind === 'ready' ? t('deviceCount', { online: active.online, total: active.total }) : '';
    renderDeviceList(devicesBody, active, app.store, search.value.trim() !== '');
    renderEndedList(endedBody, endedPager, app.store);
  };
  const active = new DevicePager(app.store, { ...query(), session: 'active' }, renderDevices);
  let endedPager: DevicePager | null = null;
  ended.addEventListener('toggle', () => {
    if (ended.open && !endedPager) endedPager = new DevicePager(app.store, { ...query(), session: 'ended' }, renderDevices);
  });
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (searchTimer) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      active.setQuery({ ...query(), session: 'active' });
      endedPager?.setQuery({ ...query(), session: 'ended' });
    }, 250);
  });
  const stopDevices = app.store.subscribe((change) => change?.kind !== 'loaded' && reloadLinksSoon());
  renderDevices();
  void loadLinks();
  // Relative times ("5 min ago") and link expiries age even when nothing is pushed.
  const ticker = setInterval(() => {
    renderDevices();
    renderLinks();
  }, LINKS_REFRESH_MS);
  const poller = setInterval(() => void loadLinks(), LINKS_REFRESH_MS * 2);

  const root = el('div', { class: 'page dashboard' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, t('title')),
        el('p', { class: 'page-subtitle' }, t('subtitle', { organization: app.me.organization })))),
    panel.root,
    el('div', { class: 'dashboard-grid' },
      el('section', { class: 'card devices-card' },
        el('div', { class: 'card-header' },
          el('h2', { class: 'card-title' }, icon('monitor', 18), t('devices')), search, deviceCount),
        devicesBody, ended),
      el('section', { class: 'card links-card' },
        el('div', { class: 'card-header' },
          el('h2', { class: 'card-title' }, icon('link', 18), t('recentLinks'))),
        linksBody)));

  return {
    root,
    title: t('title'),
    dispose() {
      stopDevices();
      active.dispose();
      endedPager?.dispose();
      if (searchTimer) clearTimeout(searchTimer);
      panel.dispose();
      clearInterval(ticker);
      clearInterval(poller);
      if (reloadTimer) clearTimeout(reloadTimer);
    },
  };
}
