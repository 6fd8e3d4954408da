/**
 * A refusal that names a field (`error.field` in the controller's answer), put in
 * the reader's words and marked on the form: the field gets aria-invalid and the
 * sentence says which field and why.
 */
import { fieldProblem, type FieldProblem } from '../../../protocol/index.js';
import { wordsOf } from '../app/language.js';
import { ApiError } from '../connection/api.js';
import { fieldProblemCatalog } from './field-problem-catalog.js';

const t = wordsOf(fieldProblemCatalog);

/** The field a refusal names, if the controller named one (HTTP_ERR_BAD_REQUEST, or a feature's own code such as KB_ERR_INVALID_FIELD). */
export function fieldProblemOf(err: unknown): FieldProblem | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const field = (err.body as { error?: { field?: unknown } } | undefined)?.error?.field;
  const parsed = fieldProblem.safeParse(field);
  return parsed.success ? parsed.data : null;
}

/** "Name: use lowercase letters…": `label` names the field, `formatHint` explains a format refusal. */
export function describeFieldProblem(problem: FieldProblem, label: string, formatHint?: string): string {
  return t('problem', { field: label, reason: problem.reason, limit: problem.limit ?? 0, hint: formatHint ?? t('formatText') });
}

/** Marks one input as refused (and focuses it); the returned function clears the mark. */
export function markInvalid(input: HTMLElement, message: string): () => void {
  input.setAttribute('aria-invalid', 'true');
  input.classList.add('input-invalid');
  input.title = message;
  input.focus();
  return () => {
    input.removeAttribute('aria-invalid');
    input.classList.remove('input-invalid');
    input.title = '';
  };
}
