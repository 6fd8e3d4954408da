/**
 * After a ticket is resolved, the text of the resolution e-mail the technician copies: it
 * carries a fresh single-use survey link (POST /api/tickets/:number/survey-link), in the
 * requester's language when the controller saw it, else the technician's own; the
 * technician may switch it. Nothing is sent by the controller itself.
 */
import { formatDateTime, isLanguage, translator, type Language } from '../../../protocol/index.js';
import { surveyLinkAnswer, type SurveyLinkAnswer } from '../../../protocol/satisfaction-model.js';
import type { TicketView } from '../../../protocol/rest-ticket-answers.js';
import { language, wordsOf } from '../app/language.js';
import { ApiError, request } from '../connection/api.js';
import { copyButton } from '../ui/copy-button.js';
import { el } from '../ui/dom.js';
import { satisfactionCatalog, surveyMailCatalog } from './satisfaction-catalog.js';

const t = wordsOf(satisfactionCatalog);

/** The subject and body of the e-mail in `lang`. */
export function surveyMailText(ticket: Pick<TicketView, 'number' | 'title' | 'requester' | 'resolution'>, link: SurveyLinkAnswer, technician: string, lang: Language): string {
  const w = translator(surveyMailCatalog, lang);
  const number = lang === 'fr' ? `n°\u00a0${ticket.number}` : `#${ticket.number}`; // i18n-ignore: the ticket number's typography, per language
  const values = { number, title: ticket.title, name: ticket.requester.name, resolution: ticket.resolution?.text ?? '', url: link.url, date: formatDateTime(link.expiresAt, lang), technician };
  return `${w('subject', values)}\n\n${w('body', values)}`;
}

/** Makes a link and shows the dialog; resolves when it is closed. */
export async function surveyMailDialog(ticket: TicketView, technician: string): Promise<void> {
  let link: SurveyLinkAnswer;
  try {
    link = await request('POST', `/api/tickets/${ticket.number}/survey-link`, surveyLinkAnswer);
  } catch (err) {
    window.alert(err instanceof ApiError ? err.message : t('mailFailed'));
    return;
  }
  let lang: Language = link.language ?? language();
  const text = el('textarea', { class: 'input mail-text', id: 'survey-mail-text', rows: 14, readonly: true, 'data-testid': 'survey-mail-text' });
  const fill = () => (text.value = surveyMailText(ticket, link, technician, lang));
  fill();
  // Each language named in itself, whatever the page's language.
  const select = el('select', { class: 'input', id: 'survey-mail-language', 'data-testid': 'survey-mail-language' },
    el('option', { value: 'fr' }, 'Français'), el('option', { value: 'en' }, 'English')); // i18n-ignore: language names in their own language
  select.value = lang;
  select.addEventListener('change', () => {
    if (isLanguage(select.value)) lang = select.value;
    fill();
  });
  const close = el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'survey-mail-close' }, t('mailClose'));
  const dialog = el('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': 'survey-mail-title', 'data-testid': 'survey-mail-dialog' },
    el('h2', { id: 'survey-mail-title', class: 'dialog-title' }, t('mailTitle')),
    el('p', { class: 'dialog-body' }, t('mailIntro', { name: ticket.requester.name, date: formatDateTime(link.expiresAt, language()) })),
    el('div', { class: 'field' },
      el('label', { class: 'field-label', for: 'survey-mail-language' }, t('mailLanguage')), select,
      link.language ? el('span', { class: 'muted small' }, t('mailKnownLanguage')) : null),
    el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'survey-mail-text' }, t('mailText')), text),
    el('div', { class: 'dialog-actions' }, copyButton(() => text.value, t('mailCopy')), close));
  await new Promise<void>((resolve) => {
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    text.focus();
    text.select();
  });
}

/** The timeline's line for a satisfaction answer (ticket page). */
export function surveyEventText(data: Record<string, unknown>): string {
  const via = data.via === 'agent' ? 'agent' : 'page';
  return data.notSolved === true ? t('evSurveyNotSolved', { via }) : t('evSurveyRated', { rating: Number(data.rating ?? 0), via });
}
