/** The dialogs of a ticket's actions that need words: a reason (wait, escalate, reopen), a resolution. */
import { SOLUTION_TYPES, TICKET_LIMITS, type SolutionType } from '../../../protocol/ticket-model.js';
import { el } from '../ui/dom.js';
import { t, tk } from './ticket-wording.js';

interface DialogParts {
  title: string;
  intro: string;
  confirmLabel: string;
  fields: HTMLElement[];
  /** Null when the answer is complete; else the words to show and the field to focus. */
  check(): { message: string; focus: HTMLElement } | null;
  danger?: boolean;
}

function formDialog<T>(parts: DialogParts, answer: () => T): Promise<T | null> {
  return new Promise((resolve) => {
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'dialog-error' });
    const cancel = el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'dialog-cancel' }, t('cancel'));
    const confirm = el('button', { class: `btn ${parts.danger ? 'btn-danger' : 'btn-primary'}`, type: 'submit', 'data-testid': 'dialog-confirm' }, parts.confirmLabel);
    const form = el('form', { class: 'dialog-form', novalidate: true },
      el('p', { class: 'dialog-body' }, parts.intro), ...parts.fields, error,
      el('div', { class: 'dialog-actions' }, cancel, confirm));
    const dialog = el('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': 'ticket-dialog-title', 'data-testid': 'ticket-dialog' },
      el('h2', { id: 'ticket-dialog-title', class: 'dialog-title' }, parts.title), form);
    let result: T | null = null;
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const problem = parts.check();
      error.hidden = problem === null;
      if (problem) {
        error.textContent = problem.message;
        problem.focus.focus();
        return;
      }
      result = answer();
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (parts.fields[0]?.querySelector('textarea, select, input') as HTMLElement | null)?.focus();
  });
}

function textArea(id: string, max: number, rows: number): HTMLTextAreaElement {
  return el('textarea', { class: 'input', id, 'data-testid': id, rows, maxlength: max });
}

/** Asks why (required); resolves to the trimmed reason, or null when cancelled. */
export function reasonDialog(options: { title: string; intro: string; label: string; confirmLabel: string; optional?: boolean }): Promise<string | null> {
  const reason = textArea('ticket-reason', TICKET_LIMITS.reason, 4);
  return formDialog({
    title: options.title,
    intro: options.intro,
    confirmLabel: options.confirmLabel,
    fields: [el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'ticket-reason' }, options.label), reason)],
    check: () => (options.optional || reason.value.trim() !== '' ? null : { message: t('reasonRequired'), focus: reason }),
  }, () => reason.value.trim());
}

/** Asks what solved the problem and how; resolves to both, or null when cancelled. */
export function resolveDialog(): Promise<{ resolution: string; solutionType: SolutionType } | null> {
  const resolution = textArea('ticket-resolution', TICKET_LIMITS.resolution, 6);
  const type = el('select', { class: 'input', id: 'ticket-solution-type', 'data-testid': 'ticket-solution-type' },
    el('option', { value: '' }, t('chooseSolutionType')),
    ...SOLUTION_TYPES.map((s) => el('option', { value: s }, tk('solutionType', { solutionType: s }))));
  return formDialog({
    title: t('resolveTitle'),
    intro: t('resolveIntro'),
    confirmLabel: t('actionResolve'),
    fields: [
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'ticket-resolution' }, tk('fieldResolution')), resolution),
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'ticket-solution-type' }, t('solutionTypeField')), type),
    ],
    check: () => resolution.value.trim() === '' ? { message: t('resolutionRequired'), focus: resolution }
      : type.value === '' ? { message: t('solutionTypeRequired'), focus: type } : null,
  }, () => ({ resolution: resolution.value.trim(), solutionType: type.value as SolutionType }));
}
