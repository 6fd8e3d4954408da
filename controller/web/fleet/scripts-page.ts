/** The script library: starter fixes and the helpdesk's own scripts; open one, or run it. Administrators write it. */
import { ApiError } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { fleetSelection } from './fleet-selection.js';
import type { Script } from './fleet-types.js';
import type { AppContext, Page } from '../app/page.js';
import { openRunDialog } from './run-script-dialog.js';
import { badge } from '../ui/status-badge.js';
import { wordsOf } from '../app/language.js';
import { scriptsCatalog } from './scripts-catalog.js';

const t = wordsOf(scriptsCatalog);

/** Builds the scripts page. */
export function createScriptsPage(app: AppContext): Page {
  const body = el('div', { class: 'scripts-body', 'data-testid': 'scripts' },
    el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingScripts')));
  let disposed = false;
  // Scripts run on machines that trust them: only administrators change the library (the controller enforces it).
  const isAdmin = app.me.role === 'admin';

  const render = (scripts: Script[]) => {
    if (scripts.length === 0) return replaceChildren(body, el('p', { class: 'empty' }, isAdmin ? t('noScriptsAdmin') : t('noScripts')));
    const sorted = [...scripts].sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.name.localeCompare(b.name));
    replaceChildren(body, el('div', { class: 'table-scroll' }, el('table', { class: 'table scripts-table', 'data-testid': 'scripts-table' },
      el('thead', null, el('tr', null, el('th', null, t('script')), el('th', null, t('interpreter')), el('th', null, t('whatItDoes')), el('th', null, ''))),
      el('tbody', null, ...sorted.map((s) => el('tr', { 'data-testid': 'script-row', 'data-script-name': s.name },
        el('td', { class: 'script-cell' },
          el('a', { class: 'script-name mono', href: `#/scripts/${encodeURIComponent(s.id)}` }, s.name),
          el('span', { class: 'script-title' }, s.title, s.builtIn ? badge(t('builtIn'), 'info') : null)),
        el('td', null, el('span', { class: 'interp' }, s.interpreter)),
        el('td', { class: 'muted script-desc' }, s.description || '—'),
        el('td', { class: 'row-actions' },
          el('button', { class: 'btn btn-small btn-secondary', type: 'button', 'data-testid': 'run-script-button',
            onclick: () => openRunDialog(app, { deviceIds: fleetSelection.size > 0 ? [...fleetSelection] : null, scriptId: s.id }) }, icon('terminal'), t('run')))))))));
  };

  fleetApi.scripts().then(({ scripts }) => !disposed && render(scripts), (err: unknown) => {
    if (!disposed) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('scriptsFailed')));
  });

  const root = el('div', { class: 'page scripts-page' },
    el('header', { class: 'page-header' },
      el('div', null,
        el('h1', null, t('title')),
        el('p', { class: 'page-subtitle' }, t('subtitle'),
          isAdmin ? null : ` ${t('adminsOnly')}`)),
      el('div', { class: 'actions' }, isAdmin ? el('a', { class: 'btn btn-primary', href: '#/scripts/new', 'data-testid': 'new-script' }, icon('plus'), t('newScript')) : null)),
    el('section', { class: 'card table-card' }, body));
  return { root, get title() { return t('title'); }, dispose() { disposed = true; } };
}
