/**
 * Articles the person may read on the support page: those a technician marked "shown to the
 * person" whose finding codes match what the person's device shows now. Rendered on the
 * server with the one safe Markdown renderer (protocol/markdown.ts: no raw HTML, links only
 * http(s) and mailto); titles escaped as text.
 */
import { translator, type Language } from '../../../protocol/index.js';
import { renderMarkdown } from '../../../protocol/markdown.js';
import type { Db } from '../store/database.js';
import { knowledgeCatalog } from './knowledge-catalog.js';
import type { Suggestions } from './suggestions.js';

/** Articles shown to the person at most. */
const SHOWN = 3;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// i18n-ignore: CSS
const STYLE = '<style>.kb-help{margin-top:28px;border-top:1px solid var(--line);padding-top:8px}.kb-help article{background:#f7f9fc;border:1px solid var(--line);border-radius:10px;padding:12px 16px;margin:12px 0}.kb-help h3{margin:0 0 6px;font-size:17px}.kb-help h4{margin:10px 0 4px;font-size:14px;color:var(--muted)}.kb-help pre{white-space:pre-wrap}</style>';

export class SupportArticles {
  constructor(private readonly db: Db, private readonly suggestions: Pick<Suggestions, 'currentCodes'>) {}

  /** The section's HTML for a device (empty when no article applies). */
  async html(deviceId: string, language: Language): Promise<string> {
    const codes = await this.suggestions.currentCodes([deviceId]);
    if (codes.length === 0) return '';
    const rows = await this.db
      .selectFrom('kb_article_codes')
      .innerJoin('kb_articles', 'kb_articles.id', 'kb_article_codes.article_id')
      .select(['kb_articles.id', 'kb_articles.title', 'kb_articles.symptoms', 'kb_articles.steps'])
      .where('kb_article_codes.code', 'in', codes)
      .where('kb_articles.visibility', '=', 'person')
      // Every column read is grouped: PostgreSQL takes no other column of a group (kb_articles' key is seq, not id).
      .groupBy(['kb_articles.id', 'kb_articles.title', 'kb_articles.symptoms', 'kb_articles.steps', 'kb_articles.helped', 'kb_articles.updated_at'])
      .orderBy('kb_articles.helped', 'desc')
      .orderBy('kb_articles.updated_at', 'desc')
      .limit(SHOWN)
      .execute();
    if (rows.length === 0) return '';
    const w = translator(knowledgeCatalog, language);
    const articles = rows.map((r) => [
      `<article data-testid="support-article">`, // i18n-ignore: markup
      `<h3>${escape(r.title)}</h3>`,
      `<h4>${w('supportSymptoms')}</h4>${renderMarkdown(r.symptoms)}`,
      `<h4>${w('supportSteps')}</h4>${renderMarkdown(r.steps)}`,
      '</article>',
    ].join(''));
    return `${STYLE}<section class="kb-help" data-testid="support-articles"><h2>${w('supportHeading')}</h2><p class="muted">${w('supportLead')}</p>${articles.join('')}</section>`;
  }
}
