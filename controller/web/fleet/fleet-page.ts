/** The Fleet page: every enrolled device, live; filter, choose many, run a script on them. */
import type { DeviceView } from '../../../protocol/index.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { createFilterBar, matchesFilter, NO_FILTER, type FleetFilter } from './fleet-filters.js';
import { fleetSelection } from './fleet-selection.js';
import { fleetTable } from './fleet-table.js';
import { devicesWord } from './fleet-wording.js';
import type { AppContext, Page } from '../app/page.js';
import { revokeDevice } from './revoke-device.js';
import { openRunDialog } from './run-script-dialog.js';

/** The filter survives leaving the page and coming back. */
let savedFilter: FleetFilter = NO_FILTER;

/** Managed devices only: support sessions live on the dashboard. Online first, then by name. */
export function managedDevices(app: AppContext): DeviceView[] {
  return app.store.list().filter((d) => d.kind === 'managed')
    .sort((a, b) => Number(Boolean(a.revoked)) - Number(Boolean(b.revoked)) || Number(b.online) - Number(a.online)
      || (a.name ?? a.hostname).localeCompare(b.name ?? b.hostname));
}

/** Builds the Fleet page. */
export function createFleetPage(app: AppContext): Page {
  let filter = savedFilter;
  // Enrolling and revoking are for administrators; technicians see the fleet and run scripts.
  const isAdmin = app.me.role === 'admin';
  const body = el('div', { class: 'fleet-body', 'data-testid': 'fleet' });
  const count = el('span', { class: 'count', 'data-testid': 'fleet-count' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const runButton = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'run-on-selected' }, icon('terminal'), 'Run script');
  const clearButton = el('button', { class: 'btn btn-secondary', type: 'button', hidden: true }, 'Clear selection');
  const bar = createFilterBar(filter, (next) => {
    filter = savedFilter = next;
    render();
  });

  const shown = () => managedDevices(app).filter((d) => matchesFilter(d, app.store.health(d), filter));
  const render = () => {
    const all = managedDevices(app);
    // Devices that disappeared (or got revoked) cannot be run on.
    for (const id of fleetSelection) {
      const device = app.store.get(id);
      if (app.store.loaded && (!device || device.revoked)) fleetSelection.delete(id);
    }
    bar.update([...new Set(all.map((d) => d.group).filter((g): g is string => Boolean(g)))], [...new Set(all.flatMap((d) => d.tags ?? []))]);
    const visible = shown();
    const online = all.filter((d) => d.online && !d.revoked).length;
    count.textContent = app.store.loaded ? `${online} online · ${all.length} enrolled${visible.length !== all.length ? ` · ${visible.length} shown` : ''}` : '';
    const n = fleetSelection.size;
    replaceChildren(runButton, icon('terminal'), n > 0 ? `Run script on ${devicesWord(n)}` : 'Run script');
    runButton.dataset.count = String(n);
    clearButton.hidden = n === 0;
    body.dataset.loaded = String(app.store.loaded);
    if (!app.store.loaded) {
      replaceChildren(body, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading devices…'));
    } else if (all.length === 0) {
      replaceChildren(body, el('div', { class: 'empty' },
        el('p', { class: 'empty-title' }, 'No enrolled devices yet'),
        el('p', null, 'Create an enrollment token, then run the enroll command on each machine. It appears here as soon as it connects.'),
        isAdmin ? el('a', { class: 'btn btn-primary', href: '#/fleet/enroll' }, icon('plus'), 'Enroll devices') : null));
    } else if (visible.length === 0) {
      replaceChildren(body, el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, 'No device matches these filters'),
        el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => bar.reset() }, 'Clear filters')));
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
      }));
    }
  };

  runButton.addEventListener('click', () => {
    const chosen = [...fleetSelection];
    openRunDialog(app, { deviceIds: chosen.length > 0 ? chosen : null });
  });
  clearButton.addEventListener('click', () => (fleetSelection.clear(), render()));

  const stop = app.store.subscribe(render);
  const ticker = setInterval(render, 30_000);
  render();

  const root = el('div', { class: 'page fleet-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, 'Fleet'),
        el('p', { class: 'page-subtitle' }, 'Enrolled machines, live. Choose some and run a script on them; each machine\u2019s own policy decides what it allows.')),
      el('div', { class: 'actions' },
        isAdmin ? el('a', { class: 'btn btn-secondary', href: '#/fleet/enroll', 'data-testid': 'enroll-devices' }, icon('plus'), 'Enroll devices') : null,
        clearButton, runButton)),
    error,
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, bar.root, count),
      body));

  return {
    root,
    title: 'Fleet',
    dispose() {
      stop();
      clearInterval(ticker);
    },
  };
}
