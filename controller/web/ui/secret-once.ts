/** A secret shown once, with a copy button and a warning that it will not be shown again. */
import { copyButton } from './copy-button.js';
import { el } from './dom.js';
import { wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

/** A monospace secret line with its Copy button. */
export function secretOnce(secret: string, what: string, testId: string): HTMLElement {
  return el('div', { class: 'secret-once' },
    el('span', { class: 'field-label' }, t('shownOnlyNow', { what })),
    el('div', { class: 'copy-row' }, el('code', { class: 'command mono', 'data-testid': testId }, secret), copyButton(() => secret, what.toLowerCase())),
    el('p', { class: 'muted small' }, t('copyNow')));
}

/** A command line with its Copy button. */
export function commandLine(command: string, label: string, testId: string): HTMLElement {
  return el('div', { class: 'copy-row' }, el('code', { class: 'command mono', 'data-testid': testId }, command), copyButton(() => command, label));
}
