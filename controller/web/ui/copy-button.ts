/** A "Copy" button that confirms with "Copied" and works without a secure context. */
import { el, icon, replaceChildren } from './dom.js';
import { wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

/** A button copying `value()` to the clipboard; `label` names what is copied for screen readers. */
export function copyButton(value: () => string, label: string): HTMLButtonElement {
  const button = el('button', { class: 'btn btn-secondary btn-small copy-button', type: 'button', 'aria-label': t('copyWhat', { what: label }) }, icon('copy'), t('copy'));
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', async () => {
    const ok = await copyText(value());
    replaceChildren(button, icon(ok ? 'check' : 'alert'), ok ? t('copied') : t('selectAndCopy'));
    clearTimeout(reset);
    reset = setTimeout(() => replaceChildren(button, icon('copy'), t('copy')), 2000);
  });
  return button;
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission refused: fall through to the selection-based copy.
  }
  const area = el('textarea', { class: 'visually-hidden', readonly: true });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
