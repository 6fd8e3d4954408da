/**
 * Knowledge-base articles in the database: create, edit (a new version each time, the
 * version the editor saw checked in the same transaction), delete, read, list and search,
 * and the versions with their diff. Every change also goes to the full-text index (through
 * ArticleSearch, in the same transaction) and, once committed, to the audit log. Callers
 * pass fields already validated (zod schemas of protocol/knowledge-model.ts, the script
 * and the source ticket checked by the route). Versions are read by article-versions.ts.
 */
import { sql } from 'kysely';
import { RelaisError } from '../../../protocol/index.js';
import type { ArticleListItem, ArticleQuery } from '../../../protocol/knowledge-answers.js';
import { diffArticles } from '../../../protocol/knowledge-diff.js';
import { KB_LIMITS, articleContent, type Article, type ArticleContent, type ArticleContentField, type ArticleFields } from '../../../protocol/knowledge-model.js';
import { markdownToPlainLine } from '../../../protocol/markdown.js';
import type { TicketStatus } from '../../../protocol/ticket-model.js';
import type { AuditLog } from '../audit/audit.js';
import type { Account } from '../auth/accounts.js';
import { newId } from '../auth/tokens.js';
import type { Db } from '../store/database.js';
import type { ArticleSearch, IndexedArticle } from './article-search.js';
import { codeScore } from './code-score.js';
import type { KbArticlesTable } from './knowledge-tables.js';
import { searchTerms } from './search-terms.js';

/** Who changes an article, from where (for the audit log). */
export interface KnowledgeCaller {
  readonly account: Account;
  readonly ip: string | null;
}

export interface LinkedTicket {
  number: number;
  title: string;
  status: TicketStatus;
  relation: 'source' | 'helped' | 'not_helped' | 'ran';
  at: number;
}

/** A search is paged by offset up to here (a technician refines the words long before). */
const MAX_SEARCH_OFFSET = 1000;
const ALL_TEXT = KB_LIMITS.symptoms + KB_LIMITS.cause + KB_LIMITS.steps;

const notFound = () => new RelaisError('KB_ERR_NOT_FOUND');

type ArticleRow = Omit<KbArticlesTable, 'seq'> & { seq?: number };

/** The plain words the index keeps of an article (Markdown removed, the three parts in order). */
export function indexedArticle(id: string, c: ArticleContent): IndexedArticle {
  const body = [c.symptoms, c.cause, c.steps].map((part) => markdownToPlainLine(part, ALL_TEXT)).filter(Boolean).join(' — ');
  return { id, title: c.title, body, tags: c.tags, category: c.category, visibility: c.visibility, codes: c.findingCodes };
}

export function articleOf(r: ArticleRow, sourceTicket: number | null): Article {
  return {
    id: r.id,
    title: r.title,
    symptoms: r.symptoms,
    cause: r.cause,
    steps: r.steps,
    category: r.category as Article['category'],
    tags: JSON.parse(r.tags_json) as string[],
    findingCodes: JSON.parse(r.codes_json) as Article['findingCodes'],
    scriptName: r.script_name,
    visibility: r.visibility,
    author: { username: r.created_by, name: r.created_by_name },
    updatedBy: { username: r.updated_by, name: r.updated_by_name },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
    helped: r.helped,
    notHelped: r.not_helped,
    sourceTicket,
  };
}

/** A list row: title and a snippet, never the body. Without a search the snippet is the symptoms' start. */
export function listItemOf(r: ArticleRow, found?: Pick<ArticleListItem, 'titleMarks' | 'snippet'>): ArticleListItem {
  return {
    id: r.id,
    title: r.title,
    titleMarks: found?.titleMarks ?? [],
    snippet: found?.snippet ?? { text: markdownToPlainLine(r.symptoms, 220), marks: [] },
    category: r.category as ArticleListItem['category'],
    tags: JSON.parse(r.tags_json) as string[],
    findingCodes: JSON.parse(r.codes_json) as ArticleListItem['findingCodes'],
    scriptName: r.script_name,
    visibility: r.visibility,
    updatedAt: r.updated_at,
    helped: r.helped,
    notHelped: r.not_helped,
  };
}

function contentOf(fields: ArticleFields): ArticleContent {
  return {
    title: fields.title.trim(),
    symptoms: fields.symptoms,
    cause: fields.cause,
    steps: fields.steps,
    category: fields.category,
    tags: [...new Set(fields.tags)],
    findingCodes: [...new Set(fields.findingCodes)],
    scriptName: fields.scriptName,
    visibility: fields.visibility,
  };
}

function columnsOf(c: ArticleContent) {
  return {
    title: c.title, symptoms: c.symptoms, cause: c.cause, steps: c.steps, category: c.category,
    tags_json: JSON.stringify(c.tags), codes_json: JSON.stringify(c.findingCodes), script_name: c.scriptName, visibility: c.visibility,
  };
}

export class ArticleStore {
  constructor(
    private readonly db: Db,
    private readonly search: ArticleSearch,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- changes ----

  /** A new article (version 1); `sourceTicketId` links it to the ticket it documents. */
  async create(fields: ArticleFields, source: { id: string; number: number } | null, caller: KnowledgeCaller): Promise<Article> {
    const at = this.now();
    const id = newId();
    const content = contentOf(fields);
    const { account } = caller;
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('kb_articles').values({
        id, ...columnsOf(content), created_by: account.username, created_by_name: account.name, created_at: at,
        updated_by: account.username, updated_by_name: account.name, updated_at: at, version: 1, source_ticket_id: source?.id ?? null, helped: 0, not_helped: 0,
      }).execute();
      await this.writeVersion(tx, id, 1, at, account, content);
      await this.writeCodes(tx, id, content.findingCodes, 0, 0);
      await this.search.put(tx, indexedArticle(id, content));
      if (source) await tx.insertInto('kb_article_tickets').values({ article_id: id, ticket_id: source.id, relation: 'source', at }).execute();
    });
    this.audit.note({ actor: account.username, action: 'kb.article.created', target: id, detail: { title: content.title.slice(0, 120), ...(source ? { ticket: source.number } : {}) }, ip: caller.ip });
    return (await this.get(id))!;
  }

  /** A new version of every field, refused when someone saved since `expectedVersion`. */
  async update(id: string, expectedVersion: number, fields: ArticleFields, caller: KnowledgeCaller): Promise<Article> {
    const at = this.now();
    const content = contentOf(fields);
    const { account } = caller;
    const changed = await this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('kb_articles').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      if (row.version !== expectedVersion) throw new RelaisError('KB_ERR_VERSION_CONFLICT', `(expected version ${expectedVersion}, current ${row.version})`); // i18n-ignore: versions for the log
      const before = articleContent.parse(articleOf(row, null));
      const fieldsChanged = diffArticles(before, content).map((d) => d.field);
      if (fieldsChanged.length === 0) return [] as ArticleContentField[];
      const version = row.version + 1;
      const updated = await tx.updateTable('kb_articles')
        .set({ ...columnsOf(content), updated_by: account.username, updated_by_name: account.name, updated_at: Math.max(at, row.updated_at), version })
        .where('id', '=', id).where('version', '=', row.version).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new RelaisError('KB_ERR_VERSION_CONFLICT');
      await this.writeVersion(tx, id, version, at, account, content);
      await tx.deleteFrom('kb_article_codes').where('article_id', '=', id).execute();
      await this.writeCodes(tx, id, content.findingCodes, row.helped, row.not_helped);
      await this.search.put(tx, indexedArticle(id, content));
      return fieldsChanged;
    });
    if (changed.length > 0) this.audit.note({ actor: account.username, action: 'kb.article.updated', target: id, detail: { fields: changed }, ip: caller.ip });
    return (await this.get(id))!;
  }

  /** Deletes an article with its versions, codes, links and votes (timeline events that named it stay). */
  async remove(id: string, caller: KnowledgeCaller): Promise<void> {
    const title = await this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('kb_articles').select(['title']).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      await this.search.remove(tx, id);
      for (const table of ['kb_article_codes', 'kb_versions', 'kb_article_tickets', 'kb_feedback'] as const) await tx.deleteFrom(table).where('article_id', '=', id).execute();
      await tx.deleteFrom('kb_articles').where('id', '=', id).execute();
      return row.title;
    });
    this.audit.note({ actor: caller.account.username, action: 'kb.article.deleted', target: id, detail: { title: title.slice(0, 120) }, ip: caller.ip });
  }

  /** A ticket the article ran its fix for (shown on the article's page). */
  async linkTicket(articleId: string, ticketId: string, relation: 'source' | 'ran'): Promise<void> {
    await this.db.insertInto('kb_article_tickets').values({ article_id: articleId, ticket_id: ticketId, relation, at: this.now() })
      .onConflict((oc) => oc.columns(['article_id', 'ticket_id', 'relation']).doUpdateSet({ at: this.now() })).execute();
  }

  // ---- reading ----

  async get(id: string): Promise<Article | null> {
    const row = await this.db.selectFrom('kb_articles').leftJoin('tickets', 'tickets.id', 'kb_articles.source_ticket_id')
      .selectAll('kb_articles').select('tickets.number as source_number').where('kb_articles.id', '=', id).executeTakeFirst();
    return row ? articleOf(row, row.source_number ?? null) : null;
  }

  /** The tickets an article is linked to, newest first: its source, those that voted, those it ran a fix for. */
  async linkedTickets(id: string): Promise<LinkedTicket[]> {
    const rows = await sql<{ number: number; title: string; status: TicketStatus; relation: LinkedTicket['relation']; at: number }>`
      SELECT t.number, t.title, t.status, x.relation, x.at FROM (
        SELECT ticket_id, relation, at FROM kb_article_tickets WHERE article_id = ${id}
        UNION ALL
        SELECT ticket_id, CASE WHEN vote > 0 THEN 'helped' ELSE 'not_helped' END, at FROM kb_feedback WHERE article_id = ${id}
      ) x JOIN tickets t ON t.id = x.ticket_id ORDER BY x.at DESC LIMIT ${KB_LIMITS.linkedTickets}`.execute(this.db);
    return rows.rows;
  }

  /** These articles as list items, by id; `found` gives a search's marks and snippets (the symptoms' start is the snippet otherwise). */
  async listItems(ids: readonly string[], found?: ReadonlyMap<string, Pick<ArticleListItem, 'titleMarks' | 'snippet'>>): Promise<Map<string, ArticleListItem>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('kb_articles').selectAll().where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, listItemOf(r, found?.get(r.id))]));
  }

  /**
   * One page: with words, the search's best first (bm25, paged by offset); without, the newest
   * first (keyset on updated_at, id). Filters narrow either.
   */
  async list(query: ArticleQuery): Promise<{ articles: ArticleListItem[]; nextCursor: string | null }> {
    const terms = searchTerms(query.q);
    const filter = { category: query.category, code: query.code, tag: query.tag, visibility: query.visibility };
    if (terms.length > 0 || query.tag !== undefined) {
      const offset = query.cursor === undefined ? 0 : offsetCursor(query.cursor);
      const hits = await this.search.search(terms, filter, terms.length > 0 ? 'rank' : 'newest', offset, query.limit + 1);
      const shown = hits.slice(0, query.limit);
      const marks = new Map(shown.filter((h) => h.snippet.text !== '').map((h) => [h.id, { titleMarks: h.title.marks, snippet: h.snippet }]));
      const rows = await this.listItems(shown.map((h) => h.id), marks);
      const articles = shown.flatMap((h) => {
        const item = rows.get(h.id);
        return item ? [{ ...item, titleMarks: h.title.marks }] : [];
      });
      const next = offset + query.limit;
      return { articles, nextCursor: hits.length > query.limit && next <= MAX_SEARCH_OFFSET ? `o${next}` : null };
    }
    let q = this.db.selectFrom('kb_articles').selectAll();
    if (filter.category !== undefined) q = q.where('category', '=', filter.category);
    if (filter.visibility !== undefined) q = q.where('visibility', '=', filter.visibility);
    if (filter.code !== undefined) {
      const code = filter.code;
      q = q.where((eb) => eb.exists(eb.selectFrom('kb_article_codes').select('kb_article_codes.code').where('kb_article_codes.code', '=', code).whereRef('kb_article_codes.article_id', '=', 'kb_articles.id')));
    }
    if (query.cursor !== undefined) {
      const after = keysetCursor(query.cursor);
      q = q.where((eb) => eb(eb.refTuple('updated_at', 'id'), '<', eb.tuple(after.at, after.id)));
    }
    const rows = await q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
    const shown = rows.slice(0, query.limit);
    const last = shown[shown.length - 1];
    return { articles: shown.map((r) => listItemOf(r)), nextCursor: rows.length > query.limit && last ? `${last.updated_at}_${last.id}` : null };
  }

  // ---- inside ----

  private async writeVersion(tx: Db, id: string, version: number, at: number, account: Account, content: ArticleContent): Promise<void> {
    await tx.insertInto('kb_versions').values({ article_id: id, version, at, author: account.username, author_name: account.name, content_json: JSON.stringify(content) }).execute();
  }

  private async writeCodes(tx: Db, id: string, codes: readonly string[], helped: number, notHelped: number): Promise<void> {
    const score = codeScore(codes.length, helped, notHelped);
    if (codes.length > 0) await tx.insertInto('kb_article_codes').values(codes.map((code) => ({ code, article_id: id, score }))).execute();
  }
}

function offsetCursor(cursor: string): number {
  const m = /^o([0-9]{1,4})$/.exec(cursor);
  if (!m || Number(m[1]) > MAX_SEARCH_OFFSET) throw new RelaisError('KB_ERR_INVALID_FIELD', '(cursor)'); // i18n-ignore: field name for the log
  return Number(m[1]);
}

function keysetCursor(cursor: string): { at: number; id: string } {
  const m = /^([0-9]{1,16})_([A-Za-z0-9_-]{1,64})$/.exec(cursor);
  if (!m) throw new RelaisError('KB_ERR_INVALID_FIELD', '(cursor)'); // i18n-ignore: field name for the log
  return { at: Number(m[1]), id: m[2]! };
}
