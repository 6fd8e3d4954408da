/**
 * The survey page's HTML, server-rendered like the support page: no script, no account,
 * values escaped, every word from survey-page-catalog.ts. Light and dark (the person's
 * system setting), readable at 390 px, big answer buttons that are real radio inputs
 * (keyboard and screen readers get a fieldset with a legend).
 */
import { SURVEY_LIMITS } from '../../../protocol/satisfaction-model.js';
import type { Language, Translate } from '../../../protocol/index.js';
import { LANGUAGE_NAMES } from '../http/support-page-catalog.js';
import type { surveyPageCatalog } from './survey-page-catalog.js';

export type SurveyWords = Translate<keyof typeof surveyPageCatalog.en>;

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An element as text: attribute values escaped; children are trusted markup (catalog text, or escaped values). */
export function el(tag: string, attributes: Readonly<Record<string, string>> | null, ...children: string[]): string {
  const attrs = Object.entries(attributes ?? {}).map(([name, value]) => ` ${name}="${escape(value)}"`).join('');
  return `<${tag}${attrs}>${children.join('')}</${tag}>`;
}

// i18n-ignore: CSS
const STYLE = `
  :root { color-scheme: light dark; --ink:#1f2733; --muted:#5b6675; --line:#d9dfe8; --brand:#2f5bd3; --bg:#f5f7fb; --card:#fff; --chip:#eef3fd; --bad:#b3261e; --good:#1d7a46; }
  @media (prefers-color-scheme: dark) { :root { --ink:#e6ebf2; --muted:#a3adbb; --line:#334052; --brand:#7ea2ff; --bg:#10151d; --card:#19212c; --chip:#22304a; --bad:#ff8a80; --good:#6fd49a; } }
  * { box-sizing: border-box; }
  body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  main { max-width: 680px; margin: 40px auto; padding: 0 16px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:14px; padding:28px 28px 22px; box-shadow:0 6px 24px rgba(20,40,80,.07); }
  .top { display:flex; justify-content:space-between; gap:12px; flex-wrap:wrap; margin-bottom:10px; }
  .brand { font-weight:700; color:var(--brand); }
  .langs { font-size:14px; } .langs a { color:var(--brand); } .langs [aria-current] { font-weight:700; }
  h1 { font-size:26px; line-height:1.25; margin:0 0 8px; }
  .lead { color:var(--muted); margin:0 0 22px; overflow-wrap:anywhere; }
  fieldset { border:0; padding:0; margin:0 0 18px; min-width:0; }
  legend { font-weight:600; margin-bottom:10px; }
  .scale { display:grid; grid-template-columns: repeat(5, 1fr); gap:10px; }
  .choice input { position:absolute; opacity:0; width:1px; height:1px; }
  .choice span { display:flex; flex-direction:column; align-items:center; justify-content:center; gap:2px; min-height:84px; padding:10px 4px;
    border:2px solid var(--line); border-radius:12px; background:var(--card); cursor:pointer; text-align:center; font-size:13px; color:var(--muted); }
  .choice span b { font-size:28px; line-height:1; color:var(--ink); }
  .choice input:focus-visible + span { outline:3px solid var(--brand); outline-offset:2px; }
  .choice input:checked + span { border-color:var(--brand); background:var(--chip); color:var(--ink); }
  .choice:hover span { border-color:var(--brand); }
  .not-solved { margin-top:12px; display:block; }
  .not-solved span { flex-direction:row; min-height:56px; font-size:16px; color:var(--ink); gap:10px; }
  .not-solved input:checked + span { border-color:var(--bad); background:transparent; color:var(--bad); }
  .hint { color:var(--muted); font-size:14px; margin:6px 0 0; }
  label.field { display:block; font-weight:600; margin:6px 0 6px; }
  textarea { width:100%; font:inherit; padding:10px 12px; border:1px solid var(--line); border-radius:10px; background:var(--card); color:var(--ink); resize:vertical; min-height:80px; }
  button { margin-top:16px; font:inherit; font-weight:600; padding:12px 22px; border:0; border-radius:10px; background:var(--brand); color:#fff; cursor:pointer; width:100%; max-width:320px; min-height:48px; }
  @media (prefers-color-scheme: dark) { button { color:#0c1420; } }
  .error { color:var(--bad); font-weight:600; margin:0 0 12px; }
  .muted { color:var(--muted); font-size:14px; margin-top:18px; }
  .done { color:var(--good); font-weight:600; }
  @media (max-width: 520px) { main { margin:16px auto; } .card { padding:20px 16px 16px; } h1 { font-size:22px; }
    .scale { grid-template-columns: repeat(5, minmax(0, 1fr)); gap:6px; } .choice span { min-height:72px; font-size:11px; padding:8px 2px; } .choice span b { font-size:24px; }
    .not-solved span { min-height:52px; font-size:15px; } }
`;

/** « Français | English »: links that set the language cookie; the current language is marked, not linked. */
function languageSwitch(language: Language, w: SurveyWords): string {
  const item = (l: Language) => (l === language
    ? el('span', { lang: l, 'aria-current': 'true' }, LANGUAGE_NAMES[l])
    : el('a', { href: `?lang=${l}`, lang: l, hreflang: l, 'data-testid': `language-${l}` }, LANGUAGE_NAMES[l]));
  return el('nav', { class: 'langs', 'aria-label': w('languageSwitch') }, item('fr'), ' | ', item('en'));
}

export function page(organization: string, title: string, body: string, language: Language, w: SurveyWords): string {
  const meta = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="robots" content="noindex">'; // i18n-ignore: markup
  const head = el('head', null, meta, el('title', null, `${escape(title)} — ${escape(organization)}`), el('style', null, STYLE));
  const top = el('div', { class: 'top' }, el('div', { class: 'brand' }, w('brand', { organization: escape(organization) })), languageSwitch(language, w));
  // i18n-ignore: markup
  return `<!doctype html>${el('html', { lang: language }, head, el('body', null, el('main', null, el('div', { class: 'card' }, top, body))))}`;
}

export interface SurveyForm {
  readonly number: string;
  readonly title: string;
  readonly technician: string | null;
  readonly expiresAt: string;
  readonly error: string | null;
  readonly comment: string;
  readonly chosen: string | null;
}

export function surveyForm(f: SurveyForm, w: SurveyWords): string {
  const choice = (value: string, inner: string, extra = '') => el('label', { class: `choice${extra}` },
    `<input type="radio" name="rating" value="${value}"${f.chosen === value ? ' checked' : ''} data-testid="survey-rating-${value}">`, // i18n-ignore: markup
    el('span', null, inner));
  const scale = [1, 2, 3, 4, 5].map((n) => choice(String(n), `<b>${n}</b>${w(`rating${n}` as 'rating1')}`)).join(''); // i18n-ignore: markup
  return [
    el('h1', null, w('heading')),
    el('p', { class: 'lead' }, w('lead', { number: escape(f.number), title: escape(f.title), technician: f.technician === null ? 'none' : escape(f.technician) })),
    f.error ? el('p', { class: 'error', role: 'alert', 'data-testid': 'survey-error' }, escape(f.error)) : '',
    el('form', { method: 'post', 'data-testid': 'survey-form' },
      el('fieldset', null,
        el('legend', null, w('ratingLegend')),
        el('div', { class: 'scale' }, scale),
        choice('not_solved', w('notSolved'), ' not-solved'),
        el('p', { class: 'hint' }, w('notSolvedHint'))),
      el('label', { class: 'field', for: 'comment' }, w('commentLabel')),
      el('textarea', { id: 'comment', name: 'comment', maxlength: String(SURVEY_LIMITS.comment), rows: '3', 'aria-describedby': 'comment-hint', 'data-testid': 'survey-comment' }, escape(f.comment)),
      el('p', { class: 'hint', id: 'comment-hint' }, w('commentHint', { max: SURVEY_LIMITS.comment })),
      el('button', { type: 'submit', 'data-testid': 'survey-send' }, w('send'))),
    el('p', { class: 'muted' }, w('validity', { date: escape(f.expiresAt) })),
  ].join('\n');
}
