/**
 * An article's versions, newest first, each with "Show changes": the fields that changed
 * from the version before, line by line (removed lines, then added ones, between the lines
 * kept; long runs of kept lines folded). The diff is the controller's (protocol/knowledge-diff.ts).
 */
import { formatWhen } from '../ui/format.js';
import { ApiError } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { knowledgeApi, type FieldDiffView } from './knowledge-api.js';
import { codeLabel, t } from './knowledge-wording.js';

/** Kept lines shown around a change; a longer run of kept lines is folded. */
const CONTEXT = 2;

function lineText(field: FieldDiffView['field'], text: string): string {
  return field === 'findingCodes' ? `${codeLabel(text)} (${text})` : text;
}

/** One field's lines, long runs of unchanged lines folded to their ends. */
function fieldDiff(d: FieldDiffView): HTMLElement {
  const rows: HTMLElement[] = [];
  const lines = d.lines;
  for (let i = 0; i < lines.length; ) {
    if (lines[i]!.op !== 'equal') {
      const line = lines[i++]!;
      rows.push(el('div', { class: `kb-diff-line kb-diff-${line.op}`, 'data-op': line.op },
        el('span', { class: 'kb-diff-sign', 'aria-label': line.op === 'insert' ? t('added') : t('removed') }, line.op === 'insert' ? '+' : '−'),
        el('span', null, lineText(d.field, line.text))));
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end]!.op === 'equal') end++;
    const run = lines.slice(i, end);
    const keepStart = i === 0 ? 0 : CONTEXT;
    const keepEnd = end === lines.length ? 0 : CONTEXT;
    const shown = run.length > keepStart + keepEnd + 1 ? [...run.slice(0, keepStart), null, ...run.slice(run.length - keepEnd)] : run;
    for (const line of shown) {
      rows.push(line === null
        ? el('div', { class: 'kb-diff-line kb-diff-fold muted' }, el('span', { class: 'kb-diff-sign' }, '⋯'), el('span', null, ''))
        : el('div', { class: 'kb-diff-line kb-diff-equal', 'data-op': 'equal' }, el('span', { class: 'kb-diff-sign' }, ' '), el('span', null, lineText(d.field, line.text))));
    }
    i = end;
  }
  return el('div', { class: 'kb-diff-field', 'data-field': d.field }, el('div', { class: 'field-label' }, t('field', { field: d.field })), el('div', { class: 'kb-diff' }, ...rows));
}

export function createVersionsPanel(articleId: string): { root: HTMLElement; reload(): Promise<void> } {
  const list = el('ol', { class: 'kb-versions', 'data-testid': 'kb-versions' });
  const more = el('button', { class: 'btn btn-secondary btn-small', type: 'button', hidden: true }, t('olderVersions'));
  const root = el('section', { class: 'card' },
    el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, t('versionsTitle'))),
    list, el('div', { class: 'timeline-footer' }, more));
  let cursor: string | null = null;

  const row = (v: { version: number; at: number; author: { name: string } }) => {
    const changes = el('div', { class: 'kb-version-changes', hidden: true, 'data-testid': 'kb-diff' });
    const toggle = el('button', { class: 'btn btn-ghost btn-small', type: 'button', 'data-testid': 'kb-show-changes', 'aria-expanded': 'false' }, t('showChanges'));
    toggle.addEventListener('click', async () => {
      const open = changes.hidden;
      changes.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? t('hideChanges') : t('showChanges');
      if (!open || changes.childElementCount > 0) return;
      replaceChildren(changes, el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }));
      try {
        const answer = await knowledgeApi.version(articleId, v.version);
        replaceChildren(changes,
          answer.previous === null ? el('p', { class: 'muted small' }, t('firstVersion')) : null,
          answer.diff.length === 0 ? el('p', { class: 'muted small' }, t('noChange')) : null,
          ...answer.diff.map(fieldDiff));
      } catch (err) {
        replaceChildren(changes, el('p', { class: 'form-error small' }, err instanceof ApiError ? err.message : t('versionsFailed')));
      }
    });
    return el('li', { class: 'kb-version', 'data-testid': 'kb-version', 'data-version': String(v.version) },
      el('div', { class: 'kb-version-head' }, el('span', null, t('versionLine', { version: v.version, when: formatWhen(v.at), author: v.author.name })), toggle),
      changes);
  };

  const load = async (append: boolean) => {
    try {
      const page = await knowledgeApi.versions(articleId, append && cursor ? Number(cursor) : null);
      if (!append) replaceChildren(list);
      list.append(...page.versions.map(row));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (err) {
      replaceChildren(list, el('li', { class: 'form-error small' }, err instanceof ApiError ? err.message : t('versionsFailed')));
    }
  };
  more.addEventListener('click', () => void load(true));
  return { root, reload: () => load(false) };
}
