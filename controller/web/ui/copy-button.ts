/** A "Copy" button that confirms with "Copied" and works without a secure context. */
import { el, icon, replaceChildren } from './dom.js';

/** A button copying `value()` to the clipboard; `label` names what is copied for screen readers. */
export function copyButton(value: () => string, label: string): HTMLButtonElement {
  const button = el('button', { class: 'btn btn-secondary btn-small copy-button', type: 'button', 'aria-label': `Copy ${label}` }, icon('copy'), 'Copy');
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', async () => {
    const ok = await copyText(value());
    replaceChildren(button, icon(ok ? 'check' : 'alert'), ok ? 'Copied' : 'Select and copy');
    clearTimeout(reset);
    reset = setTimeout(() => replaceChildren(button, icon('copy'), 'Copy'), 2000);
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
