/**
 * "Suggested articles" on a ticket and on a device page: the articles for what the device
 * shows now first, then those matching the ticket's words, each with why it is suggested,
 * "This helped" / "Did not help" on a ticket (one vote per ticket, changeable), and "Run this
 * fix" when the article has a script. Pages call refresh() when new findings arrive.
 */
import type { AppContext } from '../app/page.js';
import { ApiError } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { knowledgeApi, type ArticleVote, type Suggestion } from './knowledge-api.js';
import { codeChip, markedText, t } from './knowledge-wording.js';
import { runFixControl, type FixTarget } from './run-fix.js';

export interface SuggestionsCardOptions {
  readonly ticketNumber?: number;
  readonly deviceId?: string;
  /** Where "Run this fix" may run (the ticket's devices, or the device itself); asked again at each refresh. */
  readonly targets: () => Promise<readonly FixTarget[]>;
}

export interface SuggestionsCard {
  readonly root: HTMLElement;
  refresh(): Promise<void>;
  dispose(): void;
}

export function createSuggestionsCard(app: AppContext, options: SuggestionsCardOptions): SuggestionsCard {
  let disposed = false;
  /** "Run this fix" per article shown; one that ran keeps its outcome through a refresh (a vote, new findings). */
  let runs = new Map<string, { root: HTMLElement; dispose(): void; script: string }>();
  const ran = (run: { root: HTMLElement }) => run.root.querySelector<HTMLElement>('[data-testid=kb-run-status]')?.dataset.status !== undefined;
  let loading: Promise<void> | null = null;
  const list = el('div', { class: 'kb-suggestions-body' }, el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }));
  const root = el('section', { class: 'card kb-suggestions', 'data-testid': 'kb-suggestions' },
    el('div', { class: 'card-header' },
      el('h2', { class: 'card-title' }, icon('book', 18), t('suggestedTitle')),
      el('a', { class: 'small', href: '#/knowledge', 'data-testid': 'kb-search-link' }, icon('search', 14), t('searchKnowledge'))),
    el('p', { class: 'muted small kb-suggestions-hint' }, options.ticketNumber !== undefined ? t('suggestedHint') : t('suggestedDeviceHint')),
    list);

  const voteButtons = (s: Suggestion) => {
    if (options.ticketNumber === undefined) return null;
    const button = (vote: ArticleVote, label: string, iconName: 'thumbsUp' | 'thumbsDown') => el('button', {
      class: `btn btn-small ${s.vote === vote ? 'btn-secondary kb-voted' : 'btn-ghost'}`, type: 'button', 'aria-pressed': s.vote === vote ? 'true' : 'false',
      'data-testid': vote === 'helped' ? 'kb-helped' : 'kb-not-helped',
      onclick: () => void cast(s, s.vote === vote ? null : vote),
    }, icon(iconName, 14), label);
    return el('div', { class: 'kb-votes' }, button('helped', t('helped'), 'thumbsUp'), button('not_helped', t('notHelped'), 'thumbsDown'));
  };

  const item = (s: Suggestion, targets: Promise<readonly FixTarget[]>, previous: Map<string, { root: HTMLElement; dispose(): void; script: string }>) => {
    const a = s.article;
    const kept = previous.get(a.id);
    let run = kept && kept.script === a.scriptName && ran(kept) ? kept : null;
    if (run) previous.delete(a.id);
    else if (a.scriptName) {
      const control = runFixControl(app, { article: { id: a.id, scriptName: a.scriptName }, devices: targets, ...(options.ticketNumber !== undefined ? { ticketNumber: options.ticketNumber } : {}) });
      run = { ...control, script: a.scriptName };
    }
    if (run) runs.set(a.id, run);
    return el('li', { class: `kb-suggestion kb-suggestion-${s.reason}`, 'data-testid': 'kb-suggestion', 'data-id': a.id, 'data-reason': s.reason },
      el('div', { class: 'kb-suggestion-head' },
        el('a', { class: 'kb-suggestion-title strong', href: `#/knowledge/${encodeURIComponent(a.id)}`, 'data-testid': 'kb-suggestion-title' }, a.title),
        el('span', { class: 'muted small nowrap' }, t('tally', { helped: a.helped, notHelped: a.notHelped }))),
      s.reason === 'findings'
        ? el('p', { class: 'kb-reason small' }, icon('alert', 14), el('span', null, t('reasonFindings', { codes: '' })), ...s.matchedCodes.map(codeChip))
        : el('p', { class: 'kb-reason small muted' }, icon('search', 14), t('reasonText')),
      el('p', { class: 'kb-result-snippet small' }, markedText(a.snippet)),
      el('div', { class: 'kb-suggestion-actions' }, voteButtons(s), run?.root ?? null));
  };

  const render = (suggestions: readonly Suggestion[]) => {
    const previous = runs;
    runs = new Map();
    const targets = suggestions.some((s) => s.article.scriptName) ? options.targets() : Promise.resolve([]);
    replaceChildren(list, suggestions.length === 0
      ? el('p', { class: 'muted small', 'data-testid': 'kb-no-suggestions' }, t('noSuggestions'))
      : el('ol', { class: 'kb-suggestion-list' }, ...suggestions.map((s) => item(s, targets, previous))));
    for (const r of previous.values()) r.dispose();
  };

  const refresh = (): Promise<void> => {
    loading ??= (async () => {
      try {
        const answer = options.ticketNumber !== undefined ? await knowledgeApi.forTicket(options.ticketNumber) : await knowledgeApi.forDevice(options.deviceId!);
        if (!disposed) render(answer.suggestions);
      } catch (err) {
        if (!disposed) replaceChildren(list, el('p', { class: 'form-error small' }, err instanceof ApiError ? err.message : t('suggestionsFailed')));
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  const cast = async (s: Suggestion, vote: ArticleVote | null) => {
    if (options.ticketNumber === undefined) return;
    try {
      await knowledgeApi.vote(s.article.id, options.ticketNumber, vote);
      await refresh();
    } catch (err) {
      if (!disposed) list.prepend(el('p', { class: 'form-error small', role: 'alert' }, err instanceof ApiError ? err.message : t('voteFailed')));
    }
  };

  void refresh();
  return {
    root,
    refresh,
    dispose() {
      disposed = true;
      for (const r of runs.values()) r.dispose();
    },
  };
}
