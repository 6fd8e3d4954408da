/** Settings → Technicians (administrators only): list accounts, add one, change a role, reset a password, remove. */
import { ApiError } from '../connection/api.js';
import { MIN_PASSWORD_LENGTH, accountsApi, type AccountView, type Role } from './accounts-api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatDateTime } from '../ui/format.js';
import type { AppContext } from '../app/page.js';
import { resetPasswordDialog } from './reset-password-dialog.js';

const ROLE_LABEL: Record<Role, string> = { admin: 'Administrator', technician: 'Technician' };

/** The section's cards and a dispose for the page. */
export function techniciansSection(app: AppContext): { nodes: HTMLElement[]; dispose(): void } {
  const field = (label: string, input: HTMLElement, grow = false) =>
    el('label', { class: `field${grow ? ' grow' : ''}` }, el('span', { class: 'field-label' }, label), input);
  const username = el('input', { class: 'input', type: 'text', maxlength: 32, autocomplete: 'off', placeholder: 'e.g. sam.lee', required: true, 'data-testid': 'new-user-username' });
  const name = el('input', { class: 'input', type: 'text', maxlength: 64, autocomplete: 'off', placeholder: 'e.g. Sam Lee', required: true, 'data-testid': 'new-user-name' });
  const password = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, placeholder: `${MIN_PASSWORD_LENGTH}+ characters`, required: true, 'data-testid': 'new-user-password' });
  const role = el('select', { class: 'input', 'data-testid': 'new-user-role' },
    el('option', { value: 'technician' }, ROLE_LABEL.technician), el('option', { value: 'admin' }, ROLE_LABEL.admin));
  const create = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-user' }, icon('plus'), 'Add technician');
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
    field('Username', username), field('Full name', name), field('Password', password), field('Role', role), create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!username.value.trim()) return username.focus();
    if (!name.value.trim()) return name.focus();
    create.disabled = true;
    try {
      const { user } = await accountsApi.create({ username: username.value.trim(), name: name.value.trim(), password: password.value, role: role.value as Role });
      form.reset();
      showDone(`${user.name} can now log in as ${user.username}. Give them the password in person or by phone.`);
      void load();
    } catch (err) {
      showError(err, 'The account could not be created. Try again.');
    } finally {
      create.disabled = false;
    }
  });

  const changeRole = async (account: AccountView, next: Role) => {
    try {
      await accountsApi.update(account.id, { role: next });
      showDone(`${account.name} is now ${next === 'admin' ? 'an administrator' : 'a technician'}.`);
    } catch (err) {
      showError(err, 'The role could not be changed.');
    }
    void load();
  };
  const reset = async (account: AccountView) => {
    if (await resetPasswordDialog(account)) showDone(`The password of ${account.name} was changed; they were logged out everywhere.`);
  };
  const remove = async (account: AccountView) => {
    const sure = await confirmDialog({
      title: `Remove ${account.name}?`,
      body: `${account.username} is logged out at once and can no longer log in; their API tokens stop working and their waiting support links expire. The audit log keeps their history.`,
      confirmLabel: 'Remove account',
      danger: true,
    });
    if (!sure) return;
    try {
      await accountsApi.remove(account.id);
      showDone(`${account.name} was removed.`);
    } catch (err) {
      showError(err, 'The account could not be removed.');
    }
    void load();
  };

  const row = (account: AccountView) => {
    const self = account.username === app.me.user.username;
    const roleSelect = el('select', { class: 'input', 'aria-label': `Role of ${account.username}`, 'data-testid': 'user-role' },
      ...(['technician', 'admin'] as const).map((r) => el('option', { value: r, selected: r === account.role }, ROLE_LABEL[r])));
    roleSelect.addEventListener('change', () => void changeRole(account, roleSelect.value as Role));
    return el('tr', { 'data-testid': 'user-row', dataset: { username: account.username } },
      el('td', null, el('div', { class: 'strong' }, account.name), el('div', { class: 'muted small' }, account.username, self ? ' (you)' : '')),
      el('td', null, roleSelect),
      el('td', { class: 'nowrap muted' }, formatDateTime(account.createdAt)),
      el('td', { class: 'row-actions' },
        el('button', { class: 'btn btn-small btn-secondary', type: 'button', 'data-testid': 'reset-password', onclick: () => void reset(account) }, 'Reset password'),
        self ? null : el('button', { class: 'btn btn-small btn-danger-outline', type: 'button', 'data-testid': 'delete-user', onclick: () => void remove(account) }, 'Remove')));
  };

  const load = async () => {
    try {
      const { users } = await accountsApi.list();
      if (disposed) return;
      replaceChildren(list, el('div', { class: 'table-scroll' }, el('table', { class: 'table', 'data-testid': 'user-table' },
        el('thead', null, el('tr', null, el('th', null, 'Name'), el('th', null, 'Role'), el('th', null, 'Added'), el('th', null, ''))),
        el('tbody', null, ...users.map(row)))));
    } catch (err) {
      if (!disposed) replaceChildren(list, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The accounts could not be loaded.'));
    }
  };
  void load();

  const nodes = [
    el('section', { class: 'card link-card', 'data-testid': 'technicians' },
      el('div', { class: 'card-header' }, el('div', null,
        el('h2', { class: 'card-title' }, 'Technicians'),
        el('p', { class: 'card-subtitle' },
          'Everyone who answers the helpdesk gets an account of their own, so the audit log says who did what. Technicians help people and run scripts; administrators also manage accounts and the fleet.'))),
      form, error, done),
    el('section', { class: 'card table-card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, icon('list', 18), 'Accounts')), list),
  ];
  return { nodes, dispose() { disposed = true; } };
}
