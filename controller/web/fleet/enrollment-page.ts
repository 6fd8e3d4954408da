/** Enrolling machines (administrators): create a token for a group, see the exact command, list and revoke tokens. */
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import type { EnrollmentTokenView, NewEnrollmentToken } from './fleet-types.js';
import { formatDateTime } from '../ui/format.js';
import type { AppContext, Page } from '../app/page.js';
import { commandLine, secretOnce } from '../ui/secret-once.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';

const STATUS: Record<EnrollmentTokenView['status'], { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'good' },
  expired: { label: 'Expired', tone: 'neutral' },
  'used-up': { label: 'Used up', tone: 'info' },
  revoked: { label: 'Revoked', tone: 'bad' },
};

/** Builds the enrollment page. */
export function createEnrollmentPage(app: AppContext): Page {
  const group = el('input', { class: 'input', id: 'token-group', type: 'text', value: 'default', maxlength: 64, required: true, 'data-testid': 'token-group' });
  const hours = el('input', { class: 'input', id: 'token-hours', type: 'number', min: 0.25, step: 'any', max: 8784, value: 24, required: true, 'data-testid': 'token-hours' });
  const uses = el('input', { class: 'input', id: 'token-uses', type: 'number', min: 1, max: 100000, value: 10, required: true, 'data-testid': 'token-uses' });
  const createError = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-token' }, icon('plus'), 'Create token');
  const result = el('div', { class: 'token-result', 'data-testid': 'token-result', hidden: true });
  const list = el('div', { class: 'token-list' });
  let disposed = false;

  const form = el('form', { class: 'inline-form', novalidate: true },
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, 'Group'), group),
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, 'Valid for (hours)'), hours),
    el('label', { class: 'field' }, el('span', { class: 'field-label' }, 'Max. machines'), uses),
    create);

  const showToken = (issued: NewEnrollmentToken) => {
    const url = app.me.controllerUrl.replace(/\/+$/, '');
    const name = el('input', { class: 'input', type: 'text', placeholder: 'optional, e.g. front-desk-2', 'aria-label': 'Device name' });
    const tags = el('input', { class: 'input', type: 'text', placeholder: 'optional, e.g. lab floor-2', 'aria-label': 'Tags' });
    const commands = el('div', { class: 'command-stack' });
    const render = () => {
      const extra = [
        name.value.trim() ? `--name ${quote(name.value.trim())}` : '',
        ...tags.value.split(/[\s,]+/).filter(Boolean).map((t) => `--tag ${quote(t)}`),
      ].filter(Boolean).join(' ');
      const args = `enroll ${url} --token ${issued.token}${extra ? ` ${extra}` : ''}`;
      replaceChildren(commands,
        el('span', { class: 'field-label' }, 'On a machine with the agent installed'),
        commandLine(`relais-agent ${args}`, 'enroll command', 'enroll-command'),
        el('span', { class: 'field-label' }, 'Or with nothing installed (Node.js 20+)'),
        commandLine(`npx --yes ${url}/download/relais-agent.tgz ${args}`, 'npx enroll command', 'enroll-npx-command'));
    };
    name.addEventListener('input', render);
    tags.addEventListener('input', render);
    render();
    result.hidden = false;
    replaceChildren(result,
      el('div', { class: 'notice notice-good' }, icon('check'),
        el('span', null, `Token for group “${issued.group}”: up to ${issued.maxUses} machines, until ${formatDateTime(issued.expiresAt)}.`)),
      secretOnce(issued.token, 'Enrollment token', 'enrollment-token'),
      el('div', { class: 'field-grid' },
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, 'Device name'), name),
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, 'Tags'), tags)),
      commands,
      el('p', { class: 'tell-them' }, el('strong', null, 'On the machine: '),
        'run the command as the account the service will use. Add ', el('code', null, '--policy-script allow|ask|deny'), ' and ',
        el('code', null, '--policy-shell allow|ask|deny'), ' to set what it allows without a person present (ask, the default, means no). ',
        'Then ', el('code', null, 'relais-agent install-service'), ' keeps it connected.'));
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
      createError.textContent = err instanceof ApiError ? err.message : 'The token could not be created. Try again.';
    } finally {
      create.disabled = false;
    }
  });

  const load = async () => {
    try {
      const { tokens } = await fleetApi.enrollmentTokens();
      if (!disposed) renderList(tokens);
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The tokens could not be loaded.'));
    }
  };
  const revoke = async (token: EnrollmentTokenView) => {
    const sure = await confirmDialog({ title: 'Revoke this enrollment token?', body: `No further machine can enroll with it. Machines already enrolled in “${token.group}” stay enrolled.`, confirmLabel: 'Revoke token', danger: true });
    if (!sure) return;
    try {
      await fleetApi.revokeEnrollmentToken(token.id);
    } catch (err) {
      createError.hidden = false;
      createError.textContent = err instanceof ApiError ? err.message : 'The token could not be revoked.';
    }
    void load();
  };
  const renderList = (tokens: EnrollmentTokenView[]) => {
    if (tokens.length === 0) return replaceChildren(list, el('p', { class: 'empty' }, 'No enrollment tokens yet.'));
    const sorted = [...tokens].sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.createdAt - a.createdAt);
    replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'token-table' },
      el('thead', null, el('tr', null, el('th', null, 'Group'), el('th', null, 'Status'), el('th', null, 'Used'), el('th', null, 'Expires'), el('th', null, 'Created'), el('th', null, ''))),
      el('tbody', null, ...sorted.map((t) => el('tr', { 'data-testid': 'token-row', dataset: { status: t.status } },
        el('td', { class: 'strong' }, t.group),
        el('td', null, badge(STATUS[t.status].label, STATUS[t.status].tone)),
        el('td', { class: 'nowrap num' }, `${t.uses} / ${t.maxUses}`),
        el('td', { class: 'nowrap' }, formatDateTime(t.expiresAt)),
        el('td', { class: 'nowrap muted' }, `${formatDateTime(t.createdAt)}${creator(t.createdBy)}`),
        el('td', { class: 'row-actions' }, t.status === 'active'
          ? el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', onclick: () => void revoke(t) }, 'Revoke') : null)))))));
  };
  void load();

  const root = el('div', { class: 'page enrollment-page' },
    el('a', { class: 'back-link', href: '#/fleet' }, icon('back'), 'Fleet'),
    el('header', { class: 'page-header' }, el('div', null,
      el('h1', null, 'Enroll devices'),
      el('p', { class: 'page-subtitle' }, 'A token lets machines join a group once, with their own key. Only administrators can create one.'))),
    el('section', { class: 'card link-card' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, 'New enrollment token'),
        el('p', { class: 'card-subtitle' }, 'The token is shown once. Machines keep their key, never the token.'))),
      form, createError, result),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), 'Enrollment tokens')), list));

  return { root, title: 'Enroll devices', dispose() { disposed = true; } };
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
