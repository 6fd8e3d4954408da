/** The Fleet page: the enrolled devices, paged and searched on the controller, live; filter, choose many, run a script on them. */
import { api } from '../connection/api.js';
import { DevicePager } from '../devices/device-pager.js';
import { pagerFooter } from '../devices/pager-footer.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { createFilterBar, fleetQuery, isFiltered, NO_FILTER, type FleetFilter } from './fleet-filters.js';
import { fleetSelection } from './fleet-selection.js';
import { fleetTable } from './fleet-table.js';
import type { AppContext, Page } from '../app/page.js';
import { revokeDevice } from './revoke-device.js';
import { openRunDialog } from './run-script-dialog.js';
import { wordsOf } from '../app/language.js';
import { fleetCatalog } from './fleet-catalog.js';

const t = wordsOf(fleetCatalog);

/** The filter survives leaving the page and coming back. */
let savedFilter: FleetFilter = NO_FILTER;

/** Builds the Fleet page: enrolled devices a page at a time, filtered and searched by the controller, live. */
export function createFleetPage(app: AppContext): Page {
  let filter = savedFilter;
  // Enrolling and revoking are for administrators; technicians see the fleet and run scripts.
  const isAdmin = app.me.role === 'admin';
  const body = el('div', { class: 'fleet-body', 'data-testid': 'fleet' });
  const count = el('span', { class: 'count', 'data-testid': 'fleet-count' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const runButton = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'run-on-selected' }, icon('terminal'), t('runScript'));
  const clearButton = el('button', { class: 'btn btn-secondary', type: 'button', hidden: true }, t('clearSelection'));
  const bar = createFilterBar(filter, (next) => {
    filter = savedFilter = next;
    pager.setQuery(fleetQuery(filter));
  });

  let facetsFor = -1;
  const render = () => {
    // New devices may bring new groups and tags: the menus follow the fleet's size.
    if (pager.state.kind === 'ready' && !isFiltered(filter) && pager.total !== facetsFor) {
      facetsFor = pager.total;
      void loadFacets();
    }
    const visible = pager.rows;
    const loaded = pager.state.kind === 'ready' || visible.length > 0;
    count.textContent = pager.state.kind === 'ready'
      ? t(isFiltered(filter) ? 'countMatching' : 'countEnrolled', { online: pager.online, total: pager.total })
      : '';
    const n = fleetSelection.size;
    replaceChildren(runButton, icon('terminal'), n > 0 ? t('runScriptOn', { count: n }) : t('runScript'));
    runButton.dataset.count = String(n);
    clearButton.hidden = n === 0;
    body.dataset.loaded = String(loaded);
    if (pager.state.kind === 'failed' && visible.length === 0) {
      replaceChildren(body, el('div', { class: 'empty' }, el('p', { class: 'form-error' }, pager.state.message),
        el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => pager.setQuery(fleetQuery(filter)) }, t('tryAgain'))));
    } else if (!loaded) {
      replaceChildren(body, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));
    } else if (visible.length === 0 && !isFiltered(filter)) {
      replaceChildren(body, el('div', { class: 'empty' },
        el('p', { class: 'empty-title' }, t('emptyTitle')),
        el('p', null, t('emptyHint')),
        isAdmin ? el('a', { class: 'btn btn-primary', href: '#/fleet/enroll' }, icon('plus'), t('enroll')) : null));
    } else if (visible.length === 0) {
      replaceChildren(body, el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, t('noMatch')),
        el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => bar.reset() }, t('clearFilters'))));
    } else {
      replaceChildren(body, fleetTable(visible, app.store, {
        selected: fleetSelection,
        toggle: (id, on) => (on ? fleetSelection.add(id) : fleetSelection.delete(id), render()),
        toggleAll: (on) => {
          for (const d of visible) if (on && !d.revoked) fleetSelection.add(d.id); else fleetSelection.delete(d.id);
          render();
        },
        revoke: !isAdmin ? null : (device) => void revokeDevice(device).then((message) => {
          error.hidden = message === null;
          error.textContent = message ?? '';
        }),
      }), pagerFooter(pager, 'devices'));
    }
  };
  const pager = new DevicePager(app.store, fleetQuery(filter), render);

  // The group and tag menus: what the fleet uses (bounded lists, with counts), refreshed now and then.
  async function loadFacets(): Promise<void> {
    try {
      const facets = await api.deviceFacets();
      bar.update(facets.groups.map((g) => g.value), facets.tags.map((t) => t.value));
    } catch {
      // The menus keep their last values; the list itself still works.
    }
  }
  const facetsTimer = setInterval(() => void loadFacets(), 60_000);
  // A revoked device cannot be run on; one that changed is kept chosen.
  const stopSelection = app.store.subscribe((change) => {
    if (change?.kind === 'update' && change.device.revoked && fleetSelection.delete(change.device.id)) render();
    if (change?.kind === 'removed' && fleetSelection.delete(change.deviceId)) render();
  });

  runButton.addEventListener('click', () => {
    const chosen = [...fleetSelection];
    openRunDialog(app, { deviceIds: chosen.length > 0 ? chosen : null });
  });
  clearButton.addEventListener('click', () => (fleetSelection.clear(), render()));

  const ticker = setInterval(render, 30_000);
  render();

  const root = el('div', { class: 'page fleet-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, t('title')),
        el('p', { class: 'page-subtitle' }, t('subtitle'))),
      el('div', { class: 'actions' },
        isAdmin ? el('a', { class: 'btn btn-secondary', href: '#/fleet/enroll', 'data-testid': 'enroll-devices' }, icon('plus'), t('enroll')) : null,
        clearButton, runButton)),
    error,
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, bar.root, count),
      body));

  return {
    root,
    get title() {
      return t('title');
    },
    dispose() {
      pager.dispose();
      stopSelection();
      clearInterval(ticker);
      clearInterval(facetsTimer);
    },
  };
}
