/** Enrolling machines (administrators): create a token for a group, see the exact command, list and revoke tokens. */
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import type { EnrollmentTokenView, NewEnrollmentToken } from './fleet-types.js';
import type { AppContext, Page } from '../app/page.js';
import type { Translate } from '../../../protocol/index.js';
import { commandLine, secretOnce } from '../ui/secret-once.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';
import { formats, wordsOf } from '../app/language.js';
import { enrollmentCatalog } from './enrollment-catalog.js';

const t = wordsOf(enrollmentCatalog);

const STATUS: Record<EnrollmentTokenView['status'], { label: Parameters<typeof t>[0]; tone: BadgeTone }> = {
  active: { label: 'active', tone: 'good' },
  expired: { label: 'expired', tone: 'neutral' },
  'used-up': { label: 'usedUp', tone: 'info' },
  revoked: { label: 'revoked', tone: 'bad' },
};

/** Builds the enrollment page. */
export function createEnrollmentPage(app: AppContext): Page {
  const group = el('input', { class: 'input', id: 'token-group', type: 'text', value: 'default', maxlength: 64, required: true, 'data-testid': 'token-group' });
  const hours = el('input', { class: 'input', id: 'token-hours', type: 'number', min: 0.25, step: 'any', max: 8784, value: 24, required: true, 'data-testid': 'token-hours' });
  const uses = el('input', { class: 'input', id: 'token-uses', type: 'number', min: 1, max: 100000, value: 10, required: true, 'data-testid': 'token-uses' });
  const createError = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-token' }, icon('plus'), t('createToken'));
  const result = el('div', { class: 'token-result', 'data-testid': 'token-result', hidden: true });
  const list = el('div', { class: 'token-list' });
  let disposed = false;

  const form = el('form', { class: 'inline-form', novalidate: true },
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('group')), group),
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('validFor')), hours),
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('maxMachines')), uses),
    create);

  const showToken = (issued: NewEnrollmentToken) => {
    const url = app.me.controllerUrl.replace(/\/+$/, '');
    const name = el('input', { class: 'input', type: 'text', placeholder: t('deviceNamePlaceholder'), 'aria-label': t('deviceName') });
    const tags = el('input', { class: 'input', type: 'text', placeholder: t('tagsPlaceholder'), 'aria-label': t('tags') });
    const commands = el('div', { class: 'command-stack' });
    const render = () => {
      const extra = [
        name.value.trim() ? `--name ${quote(name.value.trim())}` : '',
        ...tags.value.split(/[\s,]+/).filter(Boolean).map((t) => `--tag ${quote(t)}`),
      ].filter(Boolean).join(' ');
      const args = `enroll ${url} --token ${issued.token}${extra ? ` ${extra}` : ''}`;
      replaceChildren(commands,
        el('span', { class: 'field-label' }, t('withAgent')),
        commandLine(`relais-agent ${args}`, t('withAgentLabel'), 'enroll-command'),
        el('span', { class: 'field-label' }, t('withNothing')),
        commandLine(`npx --yes ${url}/download/relais-agent.tgz ${args}`, t('withNothingLabel'), 'enroll-npx-command'));
    };
    name.addEventListener('input', render);
    tags.addEventListener('input', render);
    render();
    result.hidden = false;
    replaceChildren(result,
      el('div', { class: 'notice notice-good' }, icon('check'),
        el('span', null, t('issued', { group: issued.group, count: issued.maxUses, when: formats.dateTime(issued.expiresAt) }))),
      secretOnce(issued.token, t('secretName'), 'enrollment-token'),
      el('div', { class: 'field-grid' },
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('deviceName')), name),
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('tags')), tags)),
      commands,
      el('p', { class: 'tell-them' }, el('strong', null, t('onTheMachine')),
        ...withCode(t, 'tellThem', {
          scriptFlag: '--policy-script allow|ask|deny',
          shellFlag: '--policy-shell allow|ask|deny',
          filesFlag: '--policy-files allow|ask|deny',
          // i18n-ignore: a command
          install: 'relais-agent install-service',
        })));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    createError.hidden = true;
    create.disabled = true;
    try {
      showToken(await fleetApi.createEnrollmentToken({ group: group.value.trim(), expiresInHours: hours.valueAsNumber, maxUses: uses.valueAsNumber }));
      void load();
    } catch (err) {
      createError.hidden = false;
      createError.textContent = err instanceof ApiError ? err.message : t('createFailed');
    } finally {
      create.disabled = false;
    }
  });

  const load = async () => {
    try {
      const { tokens } = await fleetApi.enrollmentTokens();
      if (!disposed) renderList(tokens);
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('loadFailed')));
    }
  };
  const revoke = async (token: EnrollmentTokenView) => {
    const sure = await confirmDialog({ title: t('revokeTitle'), body: t('revokeBody', { group: token.group }), confirmLabel: t('revokeConfirm'), danger: true });
    if (!sure) return;
    try {
      await fleetApi.revokeEnrollmentToken(token.id);
    } catch (err) {
      createError.hidden = false;
      createError.textContent = err instanceof ApiError ? err.message : t('revokeFailed');
    }
    void load();
  };
  const renderList = (tokens: EnrollmentTokenView[]) => {
    if (tokens.length === 0) return replaceChildren(list, el('p', { class: 'empty' }, t('none')));
    const sorted = [...tokens].sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.createdAt - a.createdAt);
    replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'token-table' },
      el('thead', null, el('tr', null, el('th', null, t('group')), el('th', null, t('status')), el('th', null, t('used')), el('th', null, t('expires')), el('th', null, t('created')), el('th', null, ''))),
      el('tbody', null, ...sorted.map((token) => el('tr', { 'data-testid': 'token-row', dataset: { status: token.status } },
        el('td', { class: 'strong' }, token.group),
        el('td', null, badge(t(STATUS[token.status].label), STATUS[token.status].tone)),
        el('td', { class: 'nowrap num' }, `${formats.number(token.uses, 0)} / ${formats.number(token.maxUses, 0)}`),
        el('td', { class: 'nowrap' }, formats.dateTime(token.expiresAt)),
        el('td', { class: 'nowrap muted' }, `${formats.dateTime(token.createdAt)}${creator(token.createdBy)}`),
        el('td', { class: 'row-actions' }, token.status === 'active'
          ? el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', onclick: () => void revoke(token) }, t('revoke')) : null)))))));
  };
  void load();

  const root = el('div', { class: 'page enrollment-page' },
    el('a', { class: 'back-link', href: '#/fleet' }, icon('back'), t('back')),
    el('header', { class: 'page-header' }, el('div', null,
      el('h1', null, t('title')),
      el('p', { class: 'page-subtitle' }, t('subtitle')))),
    el('section', { class: 'card link-card' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, t('newToken')),
        el('p', { class: 'card-subtitle' }, t('newTokenHint')))),
      form, createError, result),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), t('tokens'))), list));

  return { root, get title() { return t('title'); }, dispose() { disposed = true; } };
}

/**
 * A message whose placeholders are bits of command line: the words around them are
 * translated, each command is shown as <code>. Sentinels mark where each one goes.
 */
function withCode<K extends string>(words: Translate<K>, key: K, codes: Record<string, string>): (string | HTMLElement)[] {
  const names = Object.keys(codes);
  const marked = words(key, Object.fromEntries(names.map((name, i) => [name, `\uE000${i}\uE001`])));
  return marked.split(/\uE000(\d+)\uE001/).map((part, i) => (i % 2 === 1 ? el('code', null, codes[names[Number(part)]!] ?? '') : part)).filter((part) => part !== '');
}

/** Quotes a value for a POSIX shell only when it needs it. */
function quote(value: string): string {
  return /^[A-Za-z0-9._:@/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** " · Alex Martin": who created the token. */
function creator(by: EnrollmentTokenView['createdBy']): string {
  const name = by.name || by.username;
  return name ? ` · ${name}` : '';
}
