/** Settings: your password, API tokens for the command line (`relais fleet run`), and technician accounts for administrators. */
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from '../fleet/fleet-api.js';
import type { ApiTokenView } from '../fleet/fleet-types.js';
import { formatDateTime } from '../ui/format.js';
import { ownPasswordCard } from './own-password-form.js';
import type { AppContext, Page } from '../app/page.js';
import { commandLine, secretOnce } from '../ui/secret-once.js';
import { techniciansSection } from './technicians-section.js';

/** Builds the settings page. */
export function createSettingsPage(app: AppContext): Page {
  const name = el('input', { class: 'input', id: 'api-token-name', type: 'text', maxlength: 64, placeholder: 'e.g. Alex\u2019s laptop', required: true, 'data-testid': 'api-token-name' });
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-api-token' }, icon('plus'), 'Create API token');
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const result = el('div', { class: 'token-result', hidden: true, 'data-testid': 'api-token-result' });
  const list = el('div', { class: 'token-list' });
  let disposed = false;
  const url = app.me.controllerUrl.replace(/\/+$/, '');

  const form = el('form', { class: 'inline-form', novalidate: true },
    el('label', { class: 'field grow' }, el('span', { class: 'field-label' }, 'Name'), name), create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return name.focus();
    error.hidden = true;
    create.disabled = true;
    try {
      const issued = await fleetApi.createApiToken(name.value.trim());
      result.hidden = false;
      replaceChildren(result, secretOnce(issued.token, 'API token', 'api-token'),
        el('span', { class: 'field-label' }, 'Use it from a terminal'),
        commandLine(`RELAIS_TOKEN=${issued.token} npm run relais -- fleet run --controller ${url} --tag lab --script flush-dns`, 'example command', 'api-token-command'));
      name.value = '';
      void load();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : 'The token could not be created. Try again.';
    } finally {
      create.disabled = false;
    }
  });

  const revoke = async (token: ApiTokenView) => {
    const sure = await confirmDialog({ title: `Revoke “${token.name}”?`, body: 'Commands using this token stop working at once.', confirmLabel: 'Revoke token', danger: true });
    if (!sure) return;
    try {
      await fleetApi.revokeApiToken(token.id);
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : 'The token could not be revoked.';
    }
    void load();
  };
  const load = async () => {
    try {
      const { tokens } = await fleetApi.apiTokens();
      if (disposed) return;
      if (tokens.length === 0) return replaceChildren(list, el('p', { class: 'empty' }, 'No API tokens yet.'));
      replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'api-token-table' },
        el('thead', null, el('tr', null, el('th', null, 'Name'), el('th', null, 'Created'), el('th', null, 'Last used'), el('th', null, ''))),
        el('tbody', null, ...tokens.map((t) => el('tr', { 'data-testid': 'api-token-row' },
          el('td', { class: 'strong' }, t.name),
          el('td', { class: 'nowrap muted' }, formatDateTime(t.createdAt)),
          el('td', { class: 'nowrap muted' }, t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'),
          el('td', { class: 'row-actions' }, el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', onclick: () => void revoke(t) }, 'Revoke'))))))));
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The tokens could not be loaded.'));
    }
  };
  void load();
  // Technicians never see account management; the controller refuses it to them anyway.
  const technicians = app.me.role === 'admin' ? techniciansSection(app) : null;

  const root = el('div', { class: 'page settings-page' },
    el('header', { class: 'page-header' }, el('div', null,
      el('h1', null, 'Settings'),
      el('p', { class: 'page-subtitle' }, technicians ? 'Your password, access for the command line, and the helpdesk’s accounts.' : 'Your password and access for the command line.'))),
    ownPasswordCard(),
    el('section', { class: 'card link-card' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, 'API tokens'),
        el('p', { class: 'card-subtitle' },
          'An API token lets ', el('code', null, 'relais fleet run'), ' (and ', el('code', null, 'fleet jobs'), ', ', el('code', null, 'fleet cancel'),
          ') act as you from a terminal or a script, e.g. to run a fix on every device tagged lab. Treat it like a password; revoke it when it is no longer needed.'))),
      form, error, result),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), 'Your API tokens')), list),
    ...(technicians?.nodes ?? []));
  return { root, title: 'Settings', dispose() { disposed = true; technicians?.dispose(); } };
}
