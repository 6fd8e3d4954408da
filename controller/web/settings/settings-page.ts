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
import { languageCard } from './language-card.js';
import { wordsOf } from '../app/language.js';
import { settingsCatalog } from './settings-catalog.js';

const t = wordsOf(settingsCatalog);

/** Builds the settings page. */
export function createSettingsPage(app: AppContext): Page {
  const name = el('input', { class: 'input', id: 'api-token-name', type: 'text', maxlength: 64, placeholder: t('tokenNamePlaceholder'), required: true, 'data-testid': 'api-token-name' });
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-api-token' }, icon('plus'), t('createToken'));
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const result = el('div', { class: 'token-result', hidden: true, 'data-testid': 'api-token-result' });
  const list = el('div', { class: 'token-list' });
  let disposed = false;
  const url = app.me.controllerUrl.replace(/\/+$/, '');

  const form = el('form', { class: 'inline-form', novalidate: true },
    el('label', { class: 'field grow' }, el('span', { class: 'field-label' }, t('name')), name), create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) return name.focus();
    error.hidden = true;
    create.disabled = true;
    try {
      const issued = await fleetApi.createApiToken(name.value.trim());
      result.hidden = false;
      replaceChildren(result, secretOnce(issued.token, t('apiTokenWhat'), 'api-token'),
        el('span', { class: 'field-label' }, t('useFromTerminal')),
        commandLine(`RELAIS_TOKEN=${issued.token} npm run relais -- fleet run --controller ${url} --tag lab --script flush-dns`, t('exampleCommand'), 'api-token-command')); // i18n-ignore: a shell command
      name.value = '';
      void load();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('tokenCreateFailed');
    } finally {
      create.disabled = false;
    }
  });

  const revoke = async (token: ApiTokenView) => {
    const sure = await confirmDialog({ title: t('revokeTitle', { name: token.name }), body: t('revokeBody'), confirmLabel: t('revokeToken'), danger: true });
    if (!sure) return;
    try {
      await fleetApi.revokeApiToken(token.id);
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('tokenRevokeFailed');
    }
    void load();
  };
  const load = async () => {
    try {
      const { tokens } = await fleetApi.apiTokens();
      if (disposed) return;
      if (tokens.length === 0) return replaceChildren(list, el('p', { class: 'empty' }, t('noTokens')));
      replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'api-token-table' },
        el('thead', null, el('tr', null, el('th', null, t('name')), el('th', null, t('created')), el('th', null, t('lastUsed')), el('th', null, ''))),
        el('tbody', null, ...tokens.map((token) => el('tr', { 'data-testid': 'api-token-row' },
          el('td', { class: 'strong' }, token.name),
          el('td', { class: 'nowrap muted' }, formatDateTime(token.createdAt)),
          el('td', { class: 'nowrap muted' }, token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t('never')),
          el('td', { class: 'row-actions' }, el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', onclick: () => void revoke(token) }, t('revoke')))))))));
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('tokensFailed')));
    }
  };
  void load();
  // Technicians never see account management; the controller refuses it to them anyway.
  const technicians = app.me.role === 'admin' ? techniciansSection(app) : null;

  const root = el('div', { class: 'page settings-page' },
    el('header', { class: 'page-header' }, el('div', null,
      el('h1', null, t('title')),
      el('p', { class: 'page-subtitle' }, technicians ? t('subtitleAdmin') : t('subtitle')))),
    languageCard(app),
    ownPasswordCard(),
    el('section', { class: 'card link-card' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, t('apiTokens')),
        el('p', { class: 'card-subtitle' }, ...withCode(t('apiTokensHint', { run: '\u0001', jobs: '\u0002', cancel: '\u0003' }), ['relais fleet run', 'fleet jobs', 'fleet cancel'])))), // i18n-ignore: command names
      form, error, result),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), t('yourTokens'))), list),
    ...(technicians?.nodes ?? []));
  return { root, title: t('title'), dispose() { disposed = true; technicians?.dispose(); } };
}

/** A sentence whose markers \u0001, \u0002… stand for code names: the names become <code> elements, in the sentence's own word order. */
function withCode(sentence: string, names: readonly string[]): Array<string | HTMLElement> {
  return sentence.split(/([\u0001-\u0009])/).filter((part) => part !== '').map((part) => {
    const index = part.charCodeAt(0) - 1;
    return part.length === 1 && index >= 0 && index < names.length ? el('code', null, names[index]!) : part;
  });
}
