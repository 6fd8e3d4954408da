/**
 * Writing an article: a new one, one prefilled from a resolved ticket ("Document this fix"),
 * or the next version of an existing one. Every field is checked with the contract's own
 * schema before sending, and a refusal from the controller marks the field it names; the
 * preview beside the form renders the Markdown as it will read, through the one renderer.
 * A save refused because someone else saved first keeps everything typed.
 */
import { FINDING_CODES } from '../../../protocol/findings.js';
import { errorWords } from '../../../protocol/index.js';
import { KB_LIMITS, articleFields, type ArticleVisibility } from '../../../protocol/knowledge-model.js';
import { TICKET_CATEGORIES } from '../../../protocol/ticket-model.js';
import type { AppContext, Page } from '../app/page.js';
import { language } from '../app/language.js';
import { ApiError } from '../connection/api.js';
import { fleetApi } from '../fleet/fleet-api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { describeFieldProblem, fieldProblemOf } from '../ui/field-problem.js';
import { markdownView } from '../ui/markdown-view.js';
import { knowledgeApi, type ArticleContent, type ArticleFields } from './knowledge-api.js';
import { codeLabel, t, tk } from './knowledge-wording.js';

type Field = 'title' | 'symptoms' | 'cause' | 'steps' | 'category' | 'tags' | 'findingCodes' | 'scriptName' | 'visibility';

export interface EditorTarget {
  readonly articleId: string | null;
  readonly fromTicket: number | null;
}

/** Tags as typed ("vpn, windows-11 wifi") → each once. */
function tagsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}

export function createArticleEditorPage(app: AppContext, target: EditorTarget): Page {
  let disposed = false;
  let version: number | null = null;
  const input = (id: string, attrs: Record<string, string | number | boolean> = {}) => el('input', { class: 'input', id, name: id, 'data-testid': id, autocomplete: 'off', ...attrs });
  const area = (id: string, rows: number, max: number) => el('textarea', { class: 'input kb-area', id, 'data-testid': id, rows, maxlength: max, spellcheck: true });
  const title = input('kb-title', { maxlength: KB_LIMITS.title, required: true });
  const symptoms = area('kb-symptoms-input', 6, KB_LIMITS.symptoms);
  const cause = area('kb-cause-input', 3, KB_LIMITS.cause);
  const steps = area('kb-steps-input', 8, KB_LIMITS.steps);
  const category = el('select', { class: 'input', id: 'kb-category', 'data-testid': 'kb-category' },
    el('option', { value: '' }, t('chooseCategory')), ...TICKET_CATEGORIES.map((c) => el('option', { value: c }, tk('category', { category: c }))));
  const visibility = el('select', { class: 'input', id: 'kb-visibility', 'data-testid': 'kb-visibility' },
    el('option', { value: 'internal' }, t('visibility', { visibility: 'internal' })), el('option', { value: 'person' }, t('visibility', { visibility: 'person' })));
  const tags = input('kb-tags', { maxlength: 400 });
  const script = el('select', { class: 'input', id: 'kb-script', 'data-testid': 'kb-script' }, el('option', { value: '' }, t('noScriptOption')));
  const codeBoxes = new Map<string, HTMLInputElement>();
  const codes = el('div', { class: 'kb-code-picker', id: 'kb-codes', role: 'group', 'aria-label': t('fieldCodes'), 'data-testid': 'kb-codes', tabindex: -1 },
    ...FINDING_CODES.map((code) => [code, codeLabel(code)] as const).sort((a, b) => a[1].localeCompare(b[1])).map(([code, label]) => {
      const box = el('input', { type: 'checkbox', value: code, 'data-code': code });
      codeBoxes.set(code, box);
      return el('label', { class: 'kb-code-option', title: code, 'data-option': code }, box, el('span', { class: 'kb-code-words' }, el('span', null, label), el('span', { class: 'mono muted' }, code)));
    }));
  /** The codes chosen come first, so a prefilled article shows them without scrolling. */
  const chosenFirst = () => {
    const options = Array.from(codes.children) as HTMLElement[];
    const checked = (o: HTMLElement) => (codeBoxes.get(o.dataset.option ?? '')?.checked ? 0 : 1);
    codes.append(...options.map((o, i) => [o, i] as const).sort((a, b) => checked(a[0]) - checked(b[0]) || a[1] - b[1]).map(([o]) => o));
  };
  const notice = el('p', { class: 'notice notice-info', hidden: true, 'data-testid': 'kb-from-ticket' });
  const formError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'kb-form-error' });
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'kb-save' }, t('save'));
  const preview = el('div', { class: 'kb-preview-body', 'data-testid': 'kb-preview' });

  const inputs: Record<Field, HTMLElement> = { title, symptoms, cause, steps, category, tags, findingCodes: codes, scriptName: script, visibility };
  const labels: Record<Field, () => string> = {
    title: () => t('fieldTitle'), symptoms: () => t('fieldSymptoms'), cause: () => t('fieldCause'), steps: () => t('fieldSteps'), category: () => t('fieldCategory'),
    tags: () => t('fieldTags'), findingCodes: () => t('fieldCodes'), scriptName: () => t('fieldScript'), visibility: () => t('fieldVisibility'),
  };
  const errors = new Map<Field, HTMLElement>();
  const field = (key: Field, control: HTMLElement, hint?: string, required = false) => {
    const error = el('span', { class: 'field-error', role: 'alert', 'data-testid': `kb-error-${key}`, hidden: true });
    errors.set(key, error);
    return el('div', { class: 'field' },
      el('label', { class: 'field-label', for: control.id }, labels[key](), required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      control, hint ? el('span', { class: 'muted small' }, hint) : null, error);
  };
  const setError = (key: Field, message: string | null) => {
    const node = errors.get(key)!;
    node.hidden = message === null;
    node.textContent = message ?? '';
    inputs[key].classList.toggle('input-invalid', message !== null);
    if (message === null) inputs[key].removeAttribute('aria-invalid');
    else inputs[key].setAttribute('aria-invalid', 'true');
  };

  const values = (): Record<string, unknown> => ({
    title: title.value, symptoms: symptoms.value, cause: cause.value, steps: steps.value, category: category.value || undefined,
    tags: tagsOf(tags.value), findingCodes: [...codeBoxes].filter(([, box]) => box.checked).map(([code]) => code),
    scriptName: script.value || null, visibility: visibility.value as ArticleVisibility,
  });

  /** The contract's schema on what is typed: the first problem of each field, in words. */
  const check = (): ArticleFields | null => {
    for (const key of errors.keys()) setError(key, null);
    const parsed = articleFields.safeParse(values());
    if (parsed.success) return parsed.data;
    const seen = new Set<Field>();
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as Field;
      if (!(key in inputs) || seen.has(key)) continue;
      seen.add(key);
      const max = (issue as { maximum?: number | bigint }).maximum;
      const message = issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.message === 'must not be empty' ? t('errRequired')
        : key === 'tags' && issue.path.length > 1 ? t('errTag')
          : issue.code === 'too_big' ? (issue.origin === 'array' ? t('errTooMany', { max: Number(max) }) : t('errTooLong', { max: Number(max) }))
            : t('errNotAllowed');
      setError(key, message);
    }
    const first = [...seen][0];
    if (first) inputs[first].focus();
    return null;
  };

  // The preview follows the typing, a frame at a time.
  let frame = 0;
  const showPreview = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const parts = [[t('symptoms'), symptoms.value], [t('cause'), cause.value], [t('steps'), steps.value]] as const;
      const filled = parts.filter(([, text]) => text.trim() !== '');
      replaceChildren(preview,
        title.value.trim() ? el('h2', { class: 'kb-preview-title' }, title.value) : null,
        filled.length === 0 ? el('p', { class: 'muted' }, t('previewEmpty')) : null,
        ...filled.flatMap(([label, text]) => [el('h3', { class: 'kb-preview-heading' }, label), markdownView(text)]));
    });
  };
  for (const node of [title, symptoms, cause, steps]) node.addEventListener('input', showPreview);

  const fill = (c: Partial<ArticleContent>) => {
    title.value = c.title ?? '';
    symptoms.value = c.symptoms ?? '';
    cause.value = c.cause ?? '';
    steps.value = c.steps ?? '';
    category.value = c.category ?? '';
    visibility.value = c.visibility ?? 'internal';
    tags.value = (c.tags ?? []).join(' ');
    for (const [code, box] of codeBoxes) box.checked = (c.findingCodes ?? []).includes(code as never);
    script.dataset.want = c.scriptName ?? '';
    script.value = c.scriptName ?? '';
    chosenFirst();
    showPreview();
  };

  const form = el('form', { class: 'kb-editor', novalidate: true, 'data-testid': 'kb-editor' },
    el('div', { class: 'kb-editor-form' },
      notice,
      el('section', { class: 'card' },
        el('div', { class: 'form-stack' },
          field('title', title, t('titleHint'), true),
          field('symptoms', symptoms, `${t('symptomsHint')} ${t('markdownHint')}`, true),
          field('cause', cause, t('causeHint')),
          field('steps', steps, t('stepsHint'), true))),
      el('section', { class: 'card' },
        el('div', { class: 'field-grid' },
          field('category', category, undefined, true),
          field('visibility', visibility, t('visibilityHint')),
          field('tags', tags, t('tagsHint'))),
        // Full width: a script's name and title do not fit a third of the card.
        el('div', { class: 'form-stack' }, field('scriptName', script, t('scriptHint')), field('findingCodes', codes, t('codesHint')))),
      formError,
      el('div', { class: 'form-actions' },
        el('a', { class: 'btn btn-secondary', href: target.articleId ? `#/knowledge/${encodeURIComponent(target.articleId)}` : target.fromTicket ? `#/tickets/${target.fromTicket}` : '#/knowledge' }, t('cancel')),
        submit)),
    el('aside', { class: 'card kb-preview' }, el('h2', { class: 'card-title' }, t('preview')), preview));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    const fields = check();
    if (!fields) return;
    submit.disabled = true;
    try {
      const saved = target.articleId && version !== null
        ? await knowledgeApi.update(target.articleId, fields, version)
        : await knowledgeApi.create({ ...fields, ...(target.fromTicket !== null ? { sourceTicket: target.fromTicket } : {}) });
      if (!disposed) app.navigate(`#/knowledge/${encodeURIComponent(saved.article.id)}`);
    } catch (err) {
      if (disposed) return;
      const message = err instanceof ApiError ? err.message : errorWords('HTTP_ERR_INTERNAL', language());
      const problem = fieldProblemOf(err);
      const key = problem?.path.split('.')[0] as Field | undefined;
      if (problem && key && key in inputs) {
        setError(key, describeFieldProblem(problem, labels[key]()));
        inputs[key].focus();
      } else {
        formError.hidden = false;
        formError.textContent = message;
      }
    } finally {
      submit.disabled = false;
    }
  });

  // The library's scripts, then the article or the ticket's draft.
  void fleetApi.scripts().then(({ scripts }) => {
    if (disposed) return;
    script.append(...scripts.map((s) => el('option', { value: s.name }, `${s.name} — ${s.title}`)));
    if (script.dataset.want) script.value = script.dataset.want;
  }).catch(() => {
    // Without the list, an article keeps the script it had.
  });
  const heading = el('h1', null, target.articleId ? t('editTitle') : target.fromTicket ? t('fromTicketTitle', { number: tk('number', { number: target.fromTicket }) }) : t('newTitle'));
  if (target.articleId) {
    void knowledgeApi.article(target.articleId).then(({ article }) => {
      if (disposed) return;
      version = article.version;
      fill(article);
      if (article.scriptName && !Array.from(script.options).some((o) => o.value === article.scriptName)) script.append(el('option', { value: article.scriptName }, article.scriptName));
      script.value = article.scriptName ?? '';
    }).catch((err: unknown) => {
      formError.hidden = false;
      formError.textContent = err instanceof ApiError ? err.message : t('articleFailed');
    });
  } else if (target.fromTicket !== null) {
    const number = target.fromTicket;
    void knowledgeApi.draft(number).then(({ draft }) => {
      if (disposed) return;
      fill(draft);
      notice.hidden = false;
      notice.textContent = t('fromTicketNotice', { number: tk('number', { number }) });
    }).catch((err: unknown) => {
      formError.hidden = false;
      formError.textContent = err instanceof ApiError ? err.message : t('draftFailed');
    });
  } else fill({});

  const root = el('div', { class: 'page kb-editor-page', 'data-testid': 'kb-editor-page' },
    el('header', { class: 'page-header' }, el('div', null,
      el('a', { class: 'back-link', href: '#/knowledge' }, icon('back'), t('backToList')), heading)),
    form);
  setTimeout(() => title.focus(), 0);
  return {
    root,
    get title() { return heading.textContent ?? t('newTitle'); },
    dispose() {
      disposed = true;
      cancelAnimationFrame(frame);
    },
  };
}
