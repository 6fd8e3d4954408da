/** The login screen. On success it hands control back to the app, which loads /api/me. */
import { ApiError, api } from '../connection/api.js';
import { language, rememberLanguage, useLanguage, wordsOf } from '../app/language.js';
import type { Language } from '../../../protocol/index.js';
import { el, replaceChildren } from '../ui/dom.js';
import { loginCatalog } from './login-catalog.js';

const t = wordsOf(loginCatalog);

/** Builds the login screen; `notice` explains why we are here (e.g. an expired session). */
export function createLoginPage(onLoggedIn: () => void, notice?: string): { root: HTMLElement; dispose(): void } {
  const username = el('input', { id: 'username', name: 'username', type: 'text', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = el('p', { class: 'form-error', 'data-testid': 'login-error', role: 'alert', hidden: true });
  const submit = el('button', { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'login-submit' }, t('submit'));
  const info = el('p', { class: 'form-info', hidden: !notice }, notice ?? '');

  const showError = (message: string) => {
    error.hidden = false;
    replaceChildren(error, message);
  };

  const form = el('form', { class: 'login-form', novalidate: true },
    info,
    el('label', { for: 'username' }, t('username')), username,
    el('label', { for: 'password' }, t('password')), password,
    error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      showError(t('missing'));
      return;
    }
    error.hidden = true;
    info.hidden = true;
    submit.disabled = true;
    submit.textContent = t('submitting');
    try {
      await api.login(username.value.trim(), password.value);
      password.value = '';
      onLoggedIn();
    } catch (err) {
      showError(err instanceof ApiError ? err.message : t('failed'));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t('submit');
    }
  });

  const root = el('div', { class: 'login-screen' },
    el('div', { class: 'login-card card' },
      el('div', { class: 'login-brand' },
        el('span', { class: 'brand-mark brand-mark-large', 'aria-hidden': 'true' }, 'R'),
        el('h1', null, 'Relais'),
        el('p', { class: 'muted' }, t('tagline'))),
      form),
    el('p', { class: 'login-footer muted' }, t('promise')),
    languageSwitch());
  queueMicrotask(() => username.focus());
  return { root, dispose() {} };
}

/** Français | English under the card; the choice is remembered in this browser and redraws the page (main.ts listens). */
function languageSwitch(): HTMLElement {
  const option = (value: Language, label: string) => el('button', {
    class: `btn btn-ghost btn-small${language() === value ? ' active' : ''}`, type: 'button', lang: value, 'aria-pressed': String(language() === value),
    'data-testid': `login-language-${value}`,
    onclick: () => {
      rememberLanguage(value);
      useLanguage(value);
    },
  }, label);
  return el('nav', { class: 'login-language', 'aria-label': t('languageSwitch') }, option('fr', t('french')), option('en', t('english')));
}
