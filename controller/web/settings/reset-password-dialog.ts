/** A modal asking an administrator for a technician's new password; the controller checks it. */
import { ApiError } from '../connection/api.js';
import { MIN_PASSWORD_LENGTH, accountsApi, type AccountView } from './accounts-api.js';
import { el, icon } from '../ui/dom.js';
import { wordsOf } from '../app/language.js';
import { settingsCatalog } from './settings-catalog.js';

const t = wordsOf(settingsCatalog);

/** Shows the dialog; resolves true once the password was changed, false when cancelled. */
export function resetPasswordDialog(account: AccountView): Promise<boolean> {
  return new Promise((resolve) => {
    const password = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', minlength: MIN_PASSWORD_LENGTH, maxlength: 256, required: true, 'data-testid': 'reset-password-value' });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const cancel = el('button', { class: 'btn btn-secondary', type: 'button' }, t('cancel'));
    const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'reset-password-submit' }, t('setPassword'));
    const form = el('form', { class: 'dialog-form', novalidate: true },
      el('p', { class: 'dialog-body', 'data-testid': 'reset-password-consequences' },
        t('resetConsequences', { name: account.name, username: account.username })),
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('newPasswordMin', { min: MIN_PASSWORD_LENGTH })), password),
      error,
      el('div', { class: 'dialog-actions' }, cancel, submit));
    const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': 'reset-title', 'data-testid': 'reset-password-dialog' },
      el('h2', { id: 'reset-title', class: 'dialog-title' }, icon('key', 18), t('resetTitle', { name: account.name })), form);
    let changed = false;
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        await accountsApi.update(account.id, { password: password.value });
        changed = true;
        dialog.close();
      } catch (err) {
        error.hidden = false;
        error.textContent = err instanceof ApiError ? err.message : t('passwordFailed');
      } finally {
        submit.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(changed);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    password.focus();
  });
}
