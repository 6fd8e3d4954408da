/** One script: view it, edit it (your own), duplicate a built-in, delete, or run it. Only administrators change the library. */
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { fleetSelection } from './fleet-selection.js';
import { INTERPRETERS, type Script, type ScriptDraft, type ScriptParameter } from './fleet-types.js';
import type { AppContext, Page } from '../app/page.js';
import { openRunDialog } from './run-script-dialog.js';
import { badge } from '../ui/status-badge.js';
import { describeFieldProblem, fieldProblemOf, markInvalid } from '../ui/field-problem.js';
import { wordsOf } from '../app/language.js';
import { scriptsCatalog } from './scripts-catalog.js';

const t = wordsOf(scriptsCatalog);

const EMPTY: ScriptDraft = { name: '', title: '', description: '', interpreter: 'sh', body: '', parameters: [], timeoutSeconds: 60 };

/** Builds the page for script `id`, or for a new script when `id` is null (`copyOf` prefills it). */
export function createScriptEditorPage(app: AppContext, id: string | null): Page {
  const holder = el('div', { class: 'script-editor' }, el('div', { class: 'card empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingScript')));
  const heading = el('h1', null, id ? t('script') : t('newScript'));
  const actions = el('div', { class: 'actions' });
  let disposed = false;

  const isAdmin = app.me.role === 'admin';
  const show = (script: Script | null, draft: ScriptDraft) => {
    const readOnly = !isAdmin || (script?.builtIn ?? false);
    heading.textContent = script ? script.name : t('newScript');
    const name = el('input', { class: 'input mono', id: 'script-name', type: 'text', value: draft.name, maxlength: 64, required: true, pattern: '[a-z0-9][a-z0-9-]*', placeholder: t('namePlaceholder'), 'data-testid': 'script-name', readonly: readOnly });
    const title = el('input', { class: 'input', id: 'script-title', type: 'text', value: draft.title, maxlength: 128, required: true, 'data-testid': 'script-title', readonly: readOnly });
    const description = el('textarea', { class: 'input', id: 'script-description', rows: 2, 'data-testid': 'script-description', readonly: readOnly });
    description.value = draft.description;
    const interpreter = el('select', { class: 'input', id: 'script-interpreter', 'data-testid': 'script-interpreter', disabled: readOnly }, ...INTERPRETERS.map((i) => el('option', { value: i }, i)));
    interpreter.value = draft.interpreter;
    const body = el('textarea', { class: 'input code-area', id: 'script-body', rows: 14, spellcheck: 'false', 'data-testid': 'script-body', readonly: readOnly });
    body.value = draft.body;
    const timeout = el('input', { class: 'input', id: 'script-timeout', type: 'number', min: 1, max: 86_400, value: draft.timeoutSeconds, 'data-testid': 'script-timeout', readonly: readOnly });
    const paramRows = el('div', { class: 'param-rows' });
    const addParamRow = (p: ScriptParameter) => {
      const row = el('div', { class: 'param-row' },
        el('input', { class: 'input mono', type: 'text', placeholder: t('paramName'), value: p.name, 'aria-label': t('paramNameLabel'), 'data-field': 'name', readonly: readOnly }),
        el('input', { class: 'input', type: 'text', placeholder: t('paramDescription'), value: p.description, 'aria-label': t('paramDescriptionLabel'), 'data-field': 'description', readonly: readOnly }),
        el('input', { class: 'input mono', type: 'text', placeholder: t('paramDefault'), value: p.default ?? '', 'aria-label': t('paramDefaultLabel'), 'data-field': 'default', readonly: readOnly }),
        readOnly ? null : el('button', { class: 'btn btn-small btn-secondary', type: 'button', onclick: () => row.remove() }, t('remove')));
      paramRows.append(row);
    };
    draft.parameters.forEach(addParamRow);
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const save = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'save-script' }, icon('check'), script ? t('save') : t('create'));

    // The parameter rows sent by the last save, in the order of the body's `parameters` (empty rows are left out).
    let sentRows: HTMLElement[] = [];
    let clearMark: (() => void) | null = null;
    const paramParts = ['name', 'description', 'default'];
    /** The input a refused field's path (`parameters.0.name`) points at, its name for people and its format. */
    const fieldAt = (path: string): { input: HTMLElement; label: string; hint?: string } => {
      const [head, index, sub] = path.split('.');
      switch (head) {
        case 'name': return { input: name, label: t('name'), hint: t('formatName') };
        case 'title': return { input: title, label: t('scriptTitle') };
        case 'description': return { input: description, label: t('description') };
        case 'interpreter': return { input: interpreter, label: t('interpreter') };
        case 'body': return { input: body, label: t('script') };
        case 'timeoutSeconds': return { input: timeout, label: t('timeout') };
        case 'parameters': {
          const row = index === undefined ? undefined : sentRows[Number(index)];
          const part = sub && paramParts.includes(sub) ? sub : 'name';
          const input = row?.querySelector<HTMLElement>(`[data-field=${part}]`);
          if (!input) return { input: paramRows, label: t('parameters') };
          return { input, label: t('paramField', { index: Number(index) + 1, field: part }), hint: part === 'name' ? t('formatParamName') : undefined };
        }
        default: return { input: form, label: t('script') };
      }
    };

    const read = (): ScriptDraft => ({
      name: name.value.trim(), title: title.value.trim(), description: description.value.trim(),
      interpreter: interpreter.value as ScriptDraft['interpreter'], body: body.value,
      timeoutSeconds: Number.isFinite(timeout.valueAsNumber) ? Math.round(timeout.valueAsNumber) : 60,
      parameters: (sentRows = (Array.from(paramRows.children) as HTMLElement[]).filter((row) => valueOf(row, 'name'))).map((row) => {
        const value = valueOf(row, 'default');
        return { name: valueOf(row, 'name'), description: valueOf(row, 'description'), ...(value ? { default: value } : {}) };
      }),
    });

    const form = el('form', { class: 'card editor-card', novalidate: true },
      !isAdmin ? el('p', { class: 'form-info', 'data-testid': 'script-read-only' }, t('readOnly'))
        : readOnly ? el('p', { class: 'form-info' }, t('builtInReadOnly')) : null,
      el('div', { class: 'field-grid' },
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('name')), name, el('span', { class: 'muted small' }, t('nameHint'))),
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('scriptTitle')), title),
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('interpreter')), interpreter),
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('timeout')), timeout)),
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('description')), description),
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('script')), body),
      el('div', { class: 'field' }, el('span', { class: 'field-label' }, t('parameters')),
        el('p', { class: 'muted small' }, t('parametersHint')),
        paramRows,
        readOnly ? null : el('button', { class: 'btn btn-small btn-secondary fit', type: 'button', onclick: () => addParamRow({ name: '', description: '' }) }, icon('plus'), t('addParameter'))),
      error,
      readOnly ? null : el('div', { class: 'form-actions' }, save));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      clearMark?.();
      clearMark = null;
      save.disabled = true;
      try {
        const answer = script ? await fleetApi.updateScript(script.id, read()) : await fleetApi.createScript(read());
        const saved = unwrap(answer);
        if (saved && !script) app.navigate(`#/scripts/${encodeURIComponent(saved.id)}`);
        else if (saved) show(saved, saved);
      } catch (err) {
        error.hidden = false;
        const problem = fieldProblemOf(err);
        if (problem) {
          // The controller named the field: say which and why, and mark it.
          const at = fieldAt(problem.path);
          error.textContent = describeFieldProblem(problem, at.label, at.hint);
          error.dataset.field = problem.path;
          clearMark = markInvalid(at.input, error.textContent);
        } else {
          delete error.dataset.field;
          error.textContent = err instanceof ApiError ? err.message : t('saveFailed');
        }
      } finally {
        save.disabled = false;
      }
    });

    replaceChildren(actions,
      script ? el('button', { class: 'btn btn-primary', type: 'button', 'data-testid': 'run-this-script',
        onclick: () => openRunDialog(app, { deviceIds: fleetSelection.size > 0 ? [...fleetSelection] : null, scriptId: script.id }) }, icon('terminal'), t('runEllipsis')) : null,
      script && isAdmin ? el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => {
        pendingCopy = { ...read(), name: `${script.name}-copy`, title: t('copyTitle', { title: script.title }) };
        app.navigate('#/scripts/new');
      } }, icon('copy'), t('duplicate')) : null,
      script && !script.builtIn && isAdmin ? el('button', { class: 'btn btn-danger-outline', type: 'button', onclick: async () => {
        const sure = await confirmDialog({ title: t('deleteTitle', { name: script.name }), body: t('deleteBody'), confirmLabel: t('deleteConfirm'), danger: true });
        if (!sure) return;
        try {
          await fleetApi.deleteScript(script.id);
          app.navigate('#/scripts');
        } catch (err) {
          error.hidden = false;
          error.textContent = err instanceof ApiError ? err.message : t('deleteFailed');
        }
      } }, t('delete')) : null);
    replaceChildren(holder, script?.builtIn ? el('div', { class: 'builtin-line' }, badge(t('builtIn'), 'info')) : null, form);
  };

  if (id === null && !isAdmin) {
    replaceChildren(holder, el('div', { class: 'card empty' }, el('p', null, t('adminsAdd'), ' ', el('a', { href: '#/scripts' }, t('allScripts')))));
  } else if (id === null) {
    show(null, pendingCopy ?? EMPTY);
    pendingCopy = null;
  } else {
    fleetApi.scripts().then(({ scripts }) => {
      if (disposed) return;
      const script = scripts.find((s) => s.id === id);
      if (script) show(script, script);
      else replaceChildren(holder, el('div', { class: 'card empty' }, el('p', null, t('gone'), ' ', el('a', { href: '#/scripts' }, t('allScripts')))));
    }, (err: unknown) => {
      if (!disposed) replaceChildren(holder, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('scriptFailed')));
    });
  }

  const root = el('div', { class: 'page script-page' },
    el('a', { class: 'back-link', href: '#/scripts' }, icon('back'), t('allScripts')),
    el('header', { class: 'page-header' }, el('div', null, heading), actions),
    holder);
  return { root, get title() { return id ? t('script') : t('newScript'); }, dispose() { disposed = true; } };
}

/** One trimmed input of a parameter row. */
function valueOf(row: HTMLElement, field: string): string {
  return (row.querySelector<HTMLInputElement>(`[data-field=${field}]`)?.value ?? '').trim();
}

/** What "Duplicate" hands to the new-script page. */
let pendingCopy: ScriptDraft | null = null;

/** The server answers `{script}`; accept a bare script too. */
function unwrap(answer: { script: Script } | Script | undefined): Script | null {
  if (!answer) return null;
  return 'script' in answer ? answer.script : answer;
}
