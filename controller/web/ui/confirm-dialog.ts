/** A modal "are you sure?" built on <dialog>; resolves true only on the confirm button. */
import { el } from './dom.js';
import { wordsOf } from '../app/language.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

export interface ConfirmOptions {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
}

/** Shows the dialog and waits for the technician's answer. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = el('button', { class: 'btn btn-secondary', type: 'button', value: 'cancel', 'data-testid': 'confirm-cancel' }, t('cancel'));
    const confirm = el('button', { class: `btn ${options.danger ? 'btn-danger' : 'btn-primary'}`, type: 'button', 'data-testid': 'confirm-ok' }, options.confirmLabel);
    const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      el('h2', { id: 'dialog-title', class: 'dialog-title' }, options.title),
      el('p', { class: 'dialog-body' }, options.body),
      el('div', { class: 'dialog-actions' }, cancel, confirm));
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
