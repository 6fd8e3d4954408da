/** The script library: starter fixes and the helpdesk's own scripts; open one, or run it. Administrators write it. */
import { ApiError } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { fleetSelection } from './fleet-selection.js';
import type { Script } from './fleet-types.js';
import type { AppContext, Page } from '../app/page.js';
import { openRunDialog } from './run-script-dialog.js';
import { badge } from '../ui/status-badge.js';

/** Builds the scripts page. */
export function createScriptsPage(app: AppContext): Page {
  const body = el('div', { class: 'scripts-body', 'data-testid': 'scripts' },
    el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading scripts…'));
  let disposed = false;
  // Scripts run on machines that trust them: only administrators change the library (the controller enforces it).
  const isAdmin = app.me.role === 'admin';

  const render = (scripts: Script[]) => {
    if (scripts.length === 0) return replaceChildren(body, el('p', { class: 'empty' }, isAdmin ? 'No scripts yet. Create one to run it across your devices.' : 'No scripts yet. An administrator adds them.'));
    const sorted = [...scripts].sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.name.localeCompare(b.name));
    replaceChildren(body, el('div', { class: 'table-scroll' }, el('table', { class: 'table scripts-table', 'data-testid': 'scripts-table' },
      el('thead', null, el('tr', null, el('th', null, 'Script'), el('th', null, 'Interpreter'), el('th', null, 'What it does'), el('th', null, ''))),
      el('tbody', null, ...sorted.map((s) => el('tr', { 'data-testid': 'script-row', 'data-script-name': s.name },
        el('td', { class: 'script-cell' },
          el('a', { class: 'script-name mono', href: `#/scripts/${encodeURIComponent(s.id)}` }, s.name),
          el('span', { class: 'script-title' }, s.title, s.builtIn ? badge('Built-in', 'info') : null)),
        el('td', null, el('span', { class: 'interp' }, s.interpreter)),
        el('td', { class: 'muted script-desc' }, s.description || '—'),
        el('td', { class: 'row-actions' },
          el('button', { class: 'btn btn-small btn-secondary', type: 'button', 'data-testid': 'run-script-button',
            onclick: () => openRunDialog(app, { deviceIds: fleetSelection.size > 0 ? [...fleetSelection] : null, scriptId: s.id }) }, icon('terminal'), 'Run'))))))));
  };

  fleetApi.scripts().then(({ scripts }) => !disposed && render(scripts), (err: unknown) => {
    if (!disposed) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The scripts could not be loaded.'));
  });

  const root = el('div', { class: 'page scripts-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, 'Scripts'),
        el('p', { class: 'page-subtitle' }, 'Fixes you can run on many devices at once. Parameters reach a script as RELAIS_PARAM_<NAME> environment variables, never spliced into its text.',
          isAdmin ? null : ' Only administrators add or change scripts.')),
      el('div', { class: 'actions' }, isAdmin ? el('a', { class: 'btn btn-primary', href: '#/scripts/new', 'data-testid': 'new-script' }, icon('plus'), 'New script') : null)),
    el('section', { class: 'card table-card' }, body));
  return { root, title: 'Scripts', dispose() { disposed = true; } };
}
