/**
 * The knowledge base's full-text index behind one small interface, so the PostgreSQL port
 * adds its own implementation (a tsvector column, `ts_rank_cd`, `ts_headline` with the same
 * marker characters) and nothing else changes. This file and migration 0017 are the only
 * places that know SQLite FTS5.
 *
 * Terms reach FTS5 only as quoted strings built here from search-terms.ts's words (letters
 * and digits only): user input is never FTS5 syntax, so no operator, quote or parenthesis
 * typed in a search box can make a query fail.
 */
import { sql } from 'kysely';
import type { MarkedText } from '../../../protocol/knowledge-model.js';
import type { Db } from '../store/database.js';
import { foldedWords } from './search-terms.js';

/** What the index holds of an article: plain words (Markdown already removed). */
export interface IndexedArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
}

export interface SearchFilter {
  readonly category?: string | undefined;
  readonly code?: string | undefined;
  readonly tag?: string | undefined;
  readonly visibility?: string | undefined;
}

export interface SearchHit {
  readonly id: string;
  readonly title: MarkedText;
  readonly snippet: MarkedText;
}

export interface RelatedHit {
  readonly id: string;
  /** Relevance against the best hit of the same query: 1 for the best, less for the others. */
  readonly score: number;
  readonly snippet: MarkedText;
}

export interface ArticleSearch {
  /** Indexes an article (again, after an edit), inside the writer's transaction. */
  put(tx: Db, article: IndexedArticle): Promise<void>;
  /** Forgets an article, inside the writer's transaction (before its row goes). */
  remove(tx: Db, articleId: string): Promise<void>;
  /** Articles holding every term (each as a word's beginning) and the filter, best first or newest first. */
  search(terms: readonly string[], filter: SearchFilter, order: 'rank' | 'newest', offset: number, limit: number): Promise<SearchHit[]>;
  /** Articles holding any of the terms, best first: a ticket's words find related articles. */
  related(terms: readonly string[], limit: number): Promise<RelatedHit[]>;
}

/** Characters around a matched word in the index's answers; stored text cannot hold them (control characters are refused). */
const OPEN = '\u0002';
const CLOSE = '\u0003';
const SNIPPET_MAX_CHARS = 1000;

/** A term as an FTS5 string: quoted (a quote doubled), and a prefix query from two characters on. */
export function ftsTerm(term: string): string {
  const quoted = `"${term.replaceAll('"', '""')}"`;
  return term.length >= 2 ? `${quoted}*` : quoted;
}

/** The FTS5 expression for every term (AND) or any term (OR), and a tag as a phrase in the tags column. */
export function ftsExpression(terms: readonly string[], join: 'AND' | 'OR', tag?: string): string {
  const parts: string[] = [];
  if (terms.length > 0) parts.push(`(${terms.map(ftsTerm).join(` ${join} `)})`);
  if (tag !== undefined) {
    const words = foldedWords(tag);
    if (words.length > 0) parts.push(`tags : "${words.join(' ').replaceAll('"', '""')}"`);
  }
  return parts.join(' AND ');
}

/** Text with marker characters as plain text and the ranges to highlight (cut to `max` characters). */
export function marksFrom(raw: string, max = SNIPPET_MAX_CHARS): MarkedText {
  let text = '';
  const marks: Array<[number, number]> = [];
  let open = -1;
  for (const ch of raw) {
    if (ch === OPEN) open = text.length;
    else if (ch === CLOSE) {
      if (open >= 0 && text.length > open && marks.length < 64) marks.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  if (text.length <= max) return { text, marks };
  const cut = text.slice(0, max - 1);
  return { text: `${cut}…`, marks: marks.filter(([, end]) => end <= cut.length) };
}

export class SqliteArticleSearch implements ArticleSearch {
  constructor(private readonly db: Db) {}

  async put(tx: Db, a: IndexedArticle): Promise<void> {
    await this.remove(tx, a.id);
    await sql`INSERT INTO kb_fts(rowid, title, body, tags) SELECT seq, ${a.title}, ${a.body}, ${a.tags.join(' ')} FROM kb_articles WHERE id = ${a.id}`.execute(tx);
  }

  async remove(tx: Db, articleId: string): Promise<void> {
    await sql`DELETE FROM kb_fts WHERE rowid = (SELECT seq FROM kb_articles WHERE id = ${articleId})`.execute(tx);
  }

  async search(terms: readonly string[], filter: SearchFilter, order: 'rank' | 'newest', offset: number, limit: number): Promise<SearchHit[]> {
    const expression = ftsExpression(terms, 'AND', filter.tag);
    if (expression === '') return [];
    const where = [sql`kb_fts MATCH ${expression}`];
    if (filter.category !== undefined) where.push(sql`a.category = ${filter.category}`);
    if (filter.visibility !== undefined) where.push(sql`a.visibility = ${filter.visibility}`);
    if (filter.code !== undefined) where.push(sql`EXISTS (SELECT 1 FROM kb_article_codes c WHERE c.code = ${filter.code} AND c.article_id = a.id)`);
    const orderBy = order === 'rank' ? sql`kb_fts.rank` : sql`a.updated_at DESC, a.id DESC`;
    const rows = await sql<{ id: string; title: string; snippet: string }>`
      SELECT a.id, highlight(kb_fts, 0, char(2), char(3)) AS title, snippet(kb_fts, 1, char(2), char(3), '…', 20) AS snippet
      FROM kb_fts JOIN kb_articles a ON a.seq = kb_fts.rowid
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY ${orderBy} LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    return rows.rows.map((r) => ({ id: r.id, title: marksFrom(r.title), snippet: marksFrom(r.snippet) }));
  }

  async related(terms: readonly string[], limit: number): Promise<RelatedHit[]> {
    if (terms.length === 0) return [];
    const rows = await sql<{ id: string; rank: number; snippet: string }>`
      SELECT a.id, kb_fts.rank AS rank, snippet(kb_fts, 1, char(2), char(3), '…', 20) AS snippet
      FROM kb_fts JOIN kb_articles a ON a.seq = kb_fts.rowid
      WHERE kb_fts MATCH ${ftsExpression(terms, 'OR')} ORDER BY kb_fts.rank LIMIT ${limit}`.execute(this.db);
    // bm25 is negative, lower is better; relative to the best it reads 1 for the best.
    const best = rows.rows[0]?.rank ?? 0;
    return rows.rows.map((r) => ({ id: r.id, score: best < 0 ? Math.max(0.01, r.rank / best) : 1, snippet: marksFrom(r.snippet) }));
  }
}
