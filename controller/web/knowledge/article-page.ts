/**
 * One article: symptoms, cause and fix steps rendered from Markdown by the one safe renderer;
 * beside them what it fixes (finding codes), its tags and script with "Run this fix" on an
 * enrolled device, the tickets it is linked to, and below every version with its changes.
 */
import { statusBadge } from '../tickets/ticket-wording.js';
import type { AppContext, Page } from '../app/page.js';
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatWhen } from '../ui/format.js';
import { markdownView } from '../ui/markdown-view.js';
import { knowledgeApi, type Article } from './knowledge-api.js';
import { codeChip, t, tk, visibilityBadge } from './knowledge-wording.js';
import { runFixControl } from './run-fix.js';
import { createVersionsPanel } from './versions-panel.js';

type Loaded = Awaited<ReturnType<typeof knowledgeApi.article>>;
type Linked = Loaded['tickets'][number];

/** One line per ticket (newest first) with every way it is linked: written from it, its vote, a fix run. */
function byTicket(tickets: readonly Linked[]): Array<Omit<Linked, 'relation'> & { relations: Linked['relation'][] }> {
  const lines = new Map<number, Omit<Linked, 'relation'> & { relations: Linked['relation'][] }>();
  for (const { relation, ...x } of tickets) {
    const line = lines.get(x.number);
    if (line) line.relations.push(relation);
    else lines.set(x.number, { ...x, relations: [relation] });
  }
  return [...lines.values()];
}

export function createArticlePage(app: AppContext, articleId: string): Page {
  let loaded: Loaded | null = null;
  let disposed = false;
  let run: ReturnType<typeof runFixControl> | null = null;
  const header = el('header', { class: 'page-header' });
  const main = el('div', { class: 'ticket-main' });
  const side = el('div', { class: 'ticket-side' });
  const versions = createVersionsPanel(articleId);
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'kb-article-error' });
  const body = el('div', { class: 'ticket-columns', hidden: true }, main, side);
  const loading = el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingArticle'));

  const section = (title: string, content: Node) => el('section', { class: 'card kb-part' }, el('h2', { class: 'card-title' }, title), content);

  const render = ({ article: a, tickets, script }: Loaded) => {
    loading.hidden = true;
    body.hidden = false;
    const mayDelete = app.me.role === 'admin';
    replaceChildren(header,
      el('div', { class: 'ticket-heading' },
        el('a', { class: 'back-link', href: '#/knowledge' }, icon('back'), t('backToList')),
        el('h1', { 'data-testid': 'kb-article-title' }, a.title),
        el('div', { class: 'ticket-meta' },
          el('span', { class: 'kb-category' }, tk('category', { category: a.category })),
          visibilityBadge(a.visibility),
          el('span', { class: 'muted small' }, t('meta', { author: a.author.name, version: a.version, when: formatWhen(a.updatedAt), editor: a.updatedBy.name })))),
      el('div', { class: 'actions' },
        el('a', { class: 'btn btn-secondary', href: `#/knowledge/${encodeURIComponent(a.id)}/edit`, 'data-testid': 'kb-edit' }, icon('edit'), t('edit')),
        mayDelete ? el('button', { class: 'btn btn-danger-outline', type: 'button', 'data-testid': 'kb-delete', onclick: () => void remove(a) }, t('delete')) : null));
    replaceChildren(main,
      section(t('symptoms'), markdownView(a.symptoms, 'kb-symptoms')),
      section(t('cause'), a.cause.trim() ? markdownView(a.cause, 'kb-cause') : el('p', { class: 'muted' }, t('noCause'))),
      section(t('steps'), markdownView(a.steps, 'kb-steps')),
      versions.root);
    run?.dispose();
    run = a.scriptName && script ? runFixControl(app, { article: { id: a.id, scriptName: a.scriptName }, devices: null }) : null;
    replaceChildren(side,
      el('section', { class: 'card ticket-side-card' },
        el('h2', { class: 'card-title' }, t('codesTitle')),
        a.findingCodes.length > 0 ? el('div', { class: 'kb-chips', 'data-testid': 'kb-article-codes' }, ...a.findingCodes.map(codeChip)) : el('p', { class: 'muted small' }, t('noCodes')),
        el('h3', { class: 'kb-side-title' }, t('tagsTitle')),
        a.tags.length > 0 ? el('div', { class: 'kb-chips' }, ...a.tags.map((tag) => el('span', { class: 'kb-tag' }, tag))) : el('p', { class: 'muted small' }, t('noTags')),
        el('p', { class: 'muted small' }, t('tally', { helped: a.helped, notHelped: a.notHelped }))),
      el('section', { class: 'card ticket-side-card', 'data-testid': 'kb-article-script' },
        el('h2', { class: 'card-title' }, t('scriptTitle')),
        a.scriptName === null ? el('p', { class: 'muted small' }, t('noScript'))
          : script === null ? el('p', { class: 'form-error small' }, t('scriptMissing', { name: a.scriptName }))
            : el('p', null, el('span', { class: 'mono' }, script.name), ' — ', script.title),
        run?.root ?? null),
      el('section', { class: 'card ticket-side-card', 'data-testid': 'kb-linked-tickets' },
        el('h2', { class: 'card-title' }, t('ticketsTitle')),
        tickets.length === 0 ? el('p', { class: 'muted small' }, t('noTickets'))
          : el('ul', { class: 'plain-list kb-tickets' }, ...byTicket(tickets).map((x) => el('li', null,
            el('a', { href: `#/tickets/${x.number}` }, tk('number', { number: x.number }), ' ', x.title), ' ',
            statusBadge(x.status), el('span', { class: 'muted small block' }, x.relations.map((relation) => t('relation', { relation })).join(' · '), ' · ', formatWhen(x.at)))))));
  };

  const remove = async (a: Article) => {
    if (!(await confirmDialog({ title: t('deleteTitle'), body: t('deleteBody', { title: a.title }), confirmLabel: t('delete'), danger: true }))) return;
    try {
      await knowledgeApi.remove(a.id);
      if (!disposed) app.navigate('#/knowledge');
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('deleteFailed');
    }
  };

  void (async () => {
    try {
      loaded = await knowledgeApi.article(articleId);
      if (disposed) return;
      render(loaded);
      await versions.reload();
    } catch (err) {
      if (disposed) return;
      replaceChildren(loading, el('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.message : t('articleFailed')),
        el('a', { class: 'btn btn-secondary', href: '#/knowledge' }, t('backToList')));
    }
  })();

  const root = el('div', { class: 'page ticket-page kb-article-page', 'data-testid': 'kb-article-page' }, header, error, loading, body);
  return {
    root,
    get title() { return loaded?.article.title ?? t('listTitle'); },
    dispose() {
      disposed = true;
      run?.dispose();
    },
  };
}
