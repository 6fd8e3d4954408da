/** Settings → Your password: everyone changes their own, giving the current one first. */
import { ApiError } from '../connection/api.js';
import { MIN_PASSWORD_LENGTH, accountsApi } from './accounts-api.js';
import { el } from '../ui/dom.js';

/** The card with the form. */
export function ownPasswordCard(): HTMLElement {
  const current = el('input', { class: 'input', type: 'password', autocomplete: 'current-password', maxlength: 256, required: true, 'data-testid': 'current-password' });
  const next = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, placeholder: `${MIN_PASSWORD_LENGTH}+ characters`, required: true, 'data-testid': 'new-password' });
  const again = el('input', { class: 'input', type: 'password', autocomplete: 'new-password', maxlength: 256, required: true, 'data-testid': 'new-password-again' });
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'change-password' }, 'Change password');
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'password-error' });
  const done = el('p', { class: 'notice notice-good', role: 'status', hidden: true, 'data-testid': 'password-done' });
  const field = (label: string, input: HTMLElement) => el('label', { class: 'field' }, el('span', { class: 'field-label' }, label), input);

  const form = el('form', { class: 'inline-form', novalidate: true },
    field('Current password', current), field('New password', next), field('New password again', again), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    done.hidden = true;
    if (!current.value) return current.focus();
    if (next.value !== again.value) {
      error.hidden = false;
      error.textContent = 'The two new passwords differ. Type the new one twice, the same.';
      return again.focus();
    }
    submit.disabled = true;
    try {
      await accountsApi.changeOwnPassword(current.value, next.value);
      form.reset();
      done.hidden = false;
      done.textContent = 'Your password was changed. Your other browsers were logged out and your API tokens deleted; this one stays in.';
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : 'The password could not be changed. Try again.';
    } finally {
      submit.disabled = false;
    }
  });

  return el('section', { class: 'card link-card', 'data-testid': 'own-password' },
    el('div', { class: 'card-header' }, el('div', null,
      el('h2', { class: 'card-title' }, 'Your password'),
      el('p', { class: 'card-subtitle', 'data-testid': 'own-password-consequences' },
        'Changing it logs you out of every other browser (their live consoles close) and deletes all your API tokens: the command line needs a new one. Use at least 12 characters; a few unrelated words are strong and easy to type.'))),
    form, error, done);
}
