/** Settings → Langue / Language: the account's own choice, saved on the controller and applied at once. */
import type { Language } from '../../../protocol/index.js';
import { ApiError, api } from '../connection/api.js';
import type { AppContext } from '../app/page.js';
import { rememberedLanguage, useLanguage, wordsOf } from '../app/language.js';
import { el } from '../ui/dom.js';
import { settingsCatalog } from './settings-catalog.js';

const t = wordsOf(settingsCatalog);

type Choice = Language | 'browser';

/** The card; choosing an option saves it and redraws the whole UI in the new language. */
export function languageCard(app: AppContext): HTMLElement {
  const current: Choice = app.me.languageChoice ?? 'browser';
  const status = el('p', { class: 'form-info', role: 'status', hidden: true, 'data-testid': 'language-status' });
  const options: Array<[Choice, string]> = [['fr', t('languageFrench')], ['en', t('languageEnglish')], ['browser', t('languageBrowser')]];
  const radios = options.map(([value, label]) => {
    const input = el('input', { type: 'radio', name: 'language', value, checked: value === current, 'data-testid': `language-${value}` });
    input.addEventListener('change', () => void save(value));
    return el('label', { class: 'choice' }, input, el('span', null, label));
  });
  const group = el('div', { class: 'choice-row', role: 'radiogroup', 'aria-label': t('languageTitle') }, ...radios);

  const save = async (choice: Choice) => {
    for (const r of group.querySelectorAll('input')) r.disabled = true;
    try {
      const answer = await api.setLanguage(choice === 'browser' ? null : choice);
      app.me = { ...app.me, language: answer.language, languageChoice: answer.languageChoice };
      status.hidden = false;
      status.textContent = t('languageSaved');
      // Redraws the frame and this page when the language changes (main.ts listens).
      useLanguage(answer.languageChoice ?? rememberedLanguage() ?? answer.language);
    } catch (err) {
      status.hidden = false;
      status.textContent = err instanceof ApiError ? err.message : t('languageFailed');
    } finally {
      for (const r of group.querySelectorAll('input')) r.disabled = false;
    }
  };

  return el('section', { class: 'card link-card', 'data-testid': 'language-card' },
    el('div', { class: 'card-header' }, el('div', null,
      el('h2', { class: 'card-title', lang: 'fr' }, t('languageTitle')),
      el('p', { class: 'card-subtitle' }, t('languageHint')))),
    group, status);
}
