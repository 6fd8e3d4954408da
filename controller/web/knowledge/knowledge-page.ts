/**
 * The knowledge base: a search box (ranked by the controller, the matched words marked in
 * each title and snippet) with filters by category, finding and visibility, or the newest
 * articles when nothing is typed. Titles and snippets only: an article opens on its page.
 */
import { FINDING_CODES } from '../../../protocol/findings.js';
import { TICKET_CATEGORIES } from '../../../protocol/ticket-model.js';
import type { AppContext, Page } from '../app/page.js';
import { ApiError } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatWhen } from '../ui/format.js';
import { knowledgeApi, type ArticleFilter, type ArticleListItem } from './knowledge-api.js';
import { codeChip, codeLabel, markedText, t, tk, visibilityBadge } from './knowledge-wording.js';
import { appendPage } from '../ui/paging.js';

const PAGE = 20;
const FILTER_KEY = 'relais.knowledgeFilter';
const EMPTY: ArticleFilter = { q: '', category: '', code: '', visibility: '' };

function savedFilter(): ArticleFilter {
  try {
    const raw = sessionStorage.getItem(FILTER_KEY);
    if (raw) return { ...EMPTY, ...(JSON.parse(raw) as Partial<ArticleFilter>) };
  } catch {
    // Storage refused or garbled: no filter.
  }
  return { ...EMPTY };
}

/** One result: title (matched words marked), snippet, and what it is about. */
export function articleRow(a: ArticleListItem): HTMLElement {
  const href = `#/knowledge/${encodeURIComponent(a.id)}`;
  return el('li', { class: 'kb-result', 'data-testid': 'kb-result', 'data-id': a.id },
    el('a', { class: 'kb-result-title', href, 'data-testid': 'kb-result-title' }, markedText({ text: a.title, marks: a.titleMarks }, 'kb-title-text')),
    el('p', { class: 'kb-result-snippet' }, markedText(a.snippet, 'kb-snippet', 'kb-snippet')),
    el('div', { class: 'kb-result-meta' },
      el('span', { class: 'kb-category' }, tk('category', { category: a.category })),
      ...a.findingCodes.slice(0, 3).map(codeChip),
      a.findingCodes.length > 3 ? el('span', { class: 'muted small' }, `+${a.findingCodes.length - 3}`) : null,
      a.visibility === 'person' ? visibilityBadge('person') : null,
      a.scriptName ? el('span', { class: 'kb-script small' }, icon('terminal', 14), t('withScript', { name: a.scriptName })) : null,
      el('span', { class: 'muted small' }, t('updated', { when: formatWhen(a.updatedAt) })),
      el('span', { class: 'muted small' }, t('tally', { helped: a.helped, notHelped: a.notHelped }))));
}

export function createKnowledgePage(_app: AppContext): Page {
  const filter = savedFilter();
  let articles: ArticleListItem[] = [];
  let nextCursor: string | null = null;
  let disposed = false;
  let loading = 0;

  const body = el('div', { class: 'kb-results', 'data-testid': 'kb-results', 'aria-live': 'polite' },
    el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingList')));
  const count = el('span', { class: 'muted small', 'data-testid': 'kb-count' });
  const more = el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'kb-more', hidden: true }, t('showMore'));
  const search = el('input', {
    class: 'input search-input kb-search', type: 'search', placeholder: t('searchPlaceholder'), 'aria-label': t('searchLabel'),
    'data-testid': 'kb-search', value: filter.q, maxlength: 200, autocomplete: 'off',
  });
  const select = (label: string, testId: string, key: keyof ArticleFilter, options: Array<[string, string]>) => {
    const node = el('select', { class: 'input', 'aria-label': label, title: label, 'data-testid': testId }, ...options.map(([v, text]) => el('option', { value: v }, text)));
    node.value = filter[key];
    if (node.value !== filter[key]) filter[key] = node.value;
    node.addEventListener('change', () => ((filter[key] = node.value), changed()));
    return node;
  };
  const codeOptions = FINDING_CODES.map((c): [string, string] => [c, codeLabel(c)]).sort((a, b) => a[1].localeCompare(b[1]));
  const filters = el('div', { class: 'filter-bar kb-filters' },
    search,
    select(t('filterCategory'), 'kb-filter-category', 'category', [['', t('anyCategory')], ...TICKET_CATEGORIES.map((c): [string, string] => [c, tk('category', { category: c })])]),
    select(t('filterCode'), 'kb-filter-code', 'code', [['', t('anyCode')], ...codeOptions]),
    select(t('filterVisibility'), 'kb-filter-visibility', 'visibility', [['', t('anyVisibility')], ['internal', t('visibility', { visibility: 'internal' })], ['person', t('visibility', { visibility: 'person' })]]));
  let typing: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (typing) clearTimeout(typing);
    typing = setTimeout(() => ((filter.q = search.value), changed()), 250);
  });

  const filtered = () => JSON.stringify(filter) !== JSON.stringify(EMPTY);

  const render = () => {
    count.textContent = t('resultCount', { count: articles.length });
    more.hidden = nextCursor === null;
    if (articles.length === 0) {
      return replaceChildren(body, el('div', { class: 'empty', 'data-testid': 'kb-empty' },
        el('p', { class: 'empty-title' }, filtered() ? t('emptySearch') : t('emptyBase')),
        el('p', null, filtered() ? t('emptySearchHint') : t('emptyBaseHint')),
        filtered()
          ? el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => reset() }, t('clearFilters'))
          : el('a', { class: 'btn btn-primary', href: '#/knowledge/new' }, icon('plus'), t('newArticle'))));
    }
    replaceChildren(body, el('ol', { class: 'kb-result-list' }, ...articles.map(articleRow)));
  };

  const load = async () => {
    const mine = ++loading;
    try {
      const page = await knowledgeApi.list(filter, null, PAGE);
      if (disposed || mine !== loading) return;
      articles = page.articles;
      nextCursor = page.nextCursor;
      render();
    } catch (err) {
      if (!disposed && mine === loading) replaceChildren(body, el('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.message : t('listFailed')));
    }
  };
  more.addEventListener('click', async () => {
    if (!nextCursor) return;
    more.disabled = true;
    try {
      const page = await knowledgeApi.list(filter, nextCursor, PAGE);
      if (disposed) return;
      articles = appendPage(articles, page.articles, (a) => a.id);
      nextCursor = page.nextCursor;
      render();
    } catch (err) {
      if (!disposed) count.textContent = err instanceof ApiError ? err.message : t('listFailed');
    } finally {
      more.disabled = false;
    }
  });
  const changed = () => {
    try {
      sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
    } catch {
      // Not remembered: fine.
    }
    void load();
  };
  const reset = () => {
    Object.assign(filter, EMPTY);
    search.value = '';
    for (const node of Array.from(filters.querySelectorAll('select'))) node.selectedIndex = 0;
    changed();
  };
  void load();
  setTimeout(() => search.focus(), 0);

  const root = el('div', { class: 'page knowledge-page', 'data-testid': 'knowledge-page' },
    el('header', { class: 'page-header' },
      el('div', null, el('h1', null, t('listTitle')), el('p', { class: 'page-subtitle' }, t('listSubtitle'))),
      el('a', { class: 'btn btn-primary', href: '#/knowledge/new', 'data-testid': 'kb-new' }, icon('plus'), t('newArticle'))),
    el('section', { class: 'card table-card' },
      el('div', { class: 'tickets-toolbar' }, filters),
      body,
      el('div', { class: 'pager-footer' }, count, more)));
  return {
    root,
    get title() { return t('listTitle'); },
    dispose() {
      disposed = true;
      if (typing) clearTimeout(typing);
    },
  };
}
