/** Settings → Technicians (administrators only): list accounts, add one, change a role, reset a password, remove. */
import { ApiError } from '../connection/api.js';
import { MIN_PASSWORD_LENGTH, accountsApi, type AccountView, type Role } from './accounts-api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';
import type { AppContext } from '../app/page.js';
import { resetPasswordDialog } from './reset-password-dialog.js';
import { wordsOf } from '../app/language.js';
import { settingsCatalog } from './settings-catalog.js';

const t = wordsOf(settingsCatalog);

const ROLE_LABEL: Readonly<Record<Role, string>> = {
  get l1() { return t('roleL1'); },
  get l2() { return t('roleL2'); },
  get admin() { return t('roleAdmin'); },
};
/** The roles in the order an administrator reads them. */
const ROLE_ORDER: readonly Role[] = ['l1', 'l2', 'admin'];

/** The section's cards and a dispose for the page. */
export function techniciansSection(app: AppContext): { nodes: HTMLElement[]; dispose(): void } {
  const field = (label: string, input: HTMLElement, grow = false) =>
    el('label', { class: `field${grow ? ' grow' : ''}` }, el('span', { class: 'field-label' }, label), input);
  const username = el('input', { class: 'input', type: 'text', maxlength: 32, autocomplete: 'off', placeholder: t('usernamePlaceholder'), required: true, 'data-testid': 'new-user-username' });
  const name = el('input', { class: 'input', type: 'text', maxlength: 64, autocomplete: 'off', placeholder: t('namePlaceholder'), required: true, 'data-testid': 'new-user-name' });
  const password = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, placeholder: t('minCharacters', { min: MIN_PASSWORD_LENGTH }), required: true, 'data-testid': 'new-user-password' });
  const role = el('select', { class: 'input', 'data-testid': 'new-user-role' }, ...ROLE_ORDER.map((r) => el('option', { value: r }, ROLE_LABEL[r])));
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-user' }, icon('plus'), t('addTechnician'));
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'users-error' });
  const done = el('p', { class: 'notice notice-good', role: 'status', hidden: true, 'data-testid': 'users-done' });
  const list = el('div', { class: 'user-list' });
  let disposed = false;

  const showError = (err: unknown, fallback: string) => {
    done.hidden = true;
    error.hidden = false;
    error.textContent = err instanceof ApiError ? err.message : fallback;
  };
  const showDone = (text: string) => {
    error.hidden = true;
    done.hidden = false;
    done.textContent = text;
  };

  const form = el('form', { class: 'inline-form', novalidate: true, 'data-testid': 'new-user-form' },
    field(t('username'), username), field(t('fullName'), name), field(t('password'), password), field(t('role'), role), create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!username.value.trim()) return username.focus();
    if (!name.value.trim()) return name.focus();
    create.disabled = true;
    try {
      const { user } = await accountsApi.create({ username: username.value.trim(), name: name.value.trim(), password: password.value, role: role.value as Role });
      form.reset();
      showDone(t('accountCreated', { name: user.name, username: user.username }));
      void load();
    } catch (err) {
      showError(err, t('accountCreateFailed'));
    } finally {
      create.disabled = false;
    }
  });

  const changeRole = async (account: AccountView, next: Role) => {
    try {
      await accountsApi.update(account.id, { role: next });
      showDone(t('roleChanged', { name: account.name, role: next }));
    } catch (err) {
      showError(err, t('roleFailed'));
    }
    void load();
  };
  const reset = async (account: AccountView) => {
    if (await resetPasswordDialog(account)) showDone(t('passwordReset', { name: account.name }));
  };
  const remove = async (account: AccountView) => {
    const sure = await confirmDialog({
      title: t('removeTitle', { name: account.name }),
      body: t('removeBody', { username: account.username }),
      confirmLabel: t('removeAccount'),
      danger: true,
    });
    if (!sure) return;
    try {
      await accountsApi.remove(account.id);
      showDone(t('removed', { name: account.name }));
    } catch (err) {
      showError(err, t('removeFailed'));
    }
    void load();
  };

  const row = (account: AccountView) => {
    const self = account.username === app.me.user.username;
    const roleSelect = el('select', { class: 'input', 'aria-label': t('roleOf', { username: account.username }), 'data-testid': 'user-role' },
      ...ROLE_ORDER.map((r) => el('option', { value: r, selected: r === account.role }, ROLE_LABEL[r])));
    roleSelect.addEventListener('change', () => void changeRole(account, roleSelect.value as Role));
    return el('tr', { 'data-testid': 'user-row', dataset: { username: account.username } },
      el('td', null, el('div', { class: 'strong' }, account.name), el('div', { class: 'muted small' }, account.username, self ? t('you') : '')),
      el('td', null, roleSelect),
      el('td', { class: 'nowrap muted' }, formatDateTime(account.createdAt)),
      el('td', { class: 'row-actions' },
        el('button', { class: 'btn btn-small btn-secondary', type: 'button', 'data-testid': 'reset-password', onclick: () => void reset(account) }, t('resetPassword')),
        self ? null : el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', 'data-testid': 'delete-user', onclick: () => void remove(account) }, t('remove'))));
  };

  const load = async () => {
    try {
      const { users } = await accountsApi.list();
      if (disposed) return;
      replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'user-table' },
        el('thead', null, el('tr', null, el('th', null, t('name')), el('th', null, t('role')), el('th', null, t('added')), el('th', null, ''))),
        el('tbody', null, ...users.map(row)))));
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('accountsFailed')));
    }
  };
  void load();

  const nodes = [
    el('section', { class: 'card link-card', 'data-testid': 'technicians' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, t('technicians')),
        el('p', { class: 'card-subtitle' },
          t('techniciansHint')))),
      form, error, done),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), t('accounts'))), list),
  ];
  return { nodes, dispose() { disposed = true; } };
}
