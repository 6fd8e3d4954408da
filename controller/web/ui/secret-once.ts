/** A secret shown once, with a copy button and a warning that it will not be shown again. */
import { copyButton } from './copy-button.js';
import { el } from './dom.js';

/** A monospace secret line with its Copy button. */
export function secretOnce(secret: string, what: string, testId: string): HTMLElement {
  return el('div', { class: 'secret-once' },
    el('span', { class: 'field-label' }, `${what} — shown only now`),
    el('div', { class: 'copy-row' }, el('code', { class: 'command mono', 'data-testid': testId }, secret), copyButton(() => secret, what.toLowerCase())),
    el('p', { class: 'muted small' }, 'Copy it now: the controller keeps only a hash and cannot show it again.'));
}

/** A command line with its Copy button. */
export function commandLine(command: string, label: string, testId: string): HTMLElement {
  return el('div', { class: 'copy-row' }, el('code', { class: 'command mono', 'data-testid': testId }, command), copyButton(() => command, label));
}
