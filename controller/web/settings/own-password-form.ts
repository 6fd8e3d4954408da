/** Settings → Your password: everyone changes their own, giving the current one first. */
import { ApiError } from '../connection/api.js';
import { MIN_PASSWORD_LENGTH, accountsApi } from './accounts-api.js';
import { el } from '../ui/dom.js';
import { wordsOf } from '../app/language.js';
import { settingsCatalog } from './settings-catalog.js';

const t = wordsOf(settingsCatalog);

/** The card with the form. */
export function ownPasswordCard(): HTMLElement {
  const current = el('input', { class: 'input', type: 'password', autocomplete: 'current-password', maxlength: 256, required: true, 'data-testid': 'current-password' });
  const next = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, placeholder: t('minCharacters', { min: MIN_PASSWORD_LENGTH }), required: true, 'data-testid': 'new-password' });
  const again = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, required: true, 'data-testid': 'new-password-again' });
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'change-password' }, t('changePassword'));
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'password-error' });
  const done = el('p', { class: 'notice notice-good', role: 'status', hidden: true, 'data-testid': 'password-done' });
  const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input);

  const form = el('form', { class: 'inline-form', novalidate: true },
    field(t('currentPassword'), current), field(t('newPassword'), next), field(t('newPasswordAgain'), again), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    done.hidden = true;
    if (!current.value) return current.focus();
    if (next.value !== again.value) {
      error.hidden = false;
      error.textContent = t('passwordsDiffer');
      return again.focus();
    }
    submit.disabled = true;
    try {
      await accountsApi.changeOwnPassword(current.value, next.value);
      form.reset();
      done.hidden = false;
      done.textContent = t('passwordChanged');
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('passwordFailed');
    } finally {
      submit.disabled = false;
    }
  });

  return el('section', { class: 'card link-card', 'data-testid': 'own-password' },
    el('div', { class: 'card-header' }, el('div', null,
      el('h2', { class: 'card-title' }, t('yourPassword')),
      el('p', { class: 'card-subtitle', 'data-testid': 'own-password-consequences' },
        t('passwordConsequences')))),
    form, error, done);
}
