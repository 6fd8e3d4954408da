/**
 * The knowledge base's full-text index behind one small interface, so the PostgreSQL port
 * adds its own implementation (a tsvector column and `ts_rank_cd`; search-highlight.ts marks
 * the words for any store) and nothing else changes. This file and migration 0017 are the only
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
import { highlight, matcher, snippet } from './search-highlight.js';

/** What the index holds of an article: plain words (Markdown already removed). */
export interface IndexedArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  /** What the filters narrow by. */
  readonly category: string;
  readonly visibility: string;
  readonly codes: readonly string[];
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
  /** The matched words in context, cut when asked (only the hits shown are). */
  snippet(): MarkedText;
}

export interface ArticleSearch {
  /** Indexes an article (again, after an edit), inside the writer's transaction. */
  put(tx: Db, article: IndexedArticle): Promise<void>;
  /** Forgets an article, inside the writer's transaction (before its row goes). */
  remove(tx: Db, articleId: string): Promise<void>;
  /** Articles holding every term (the last as a word's beginning) and the filter, best first or (no term) newest first. */
  search(terms: readonly string[], filter: SearchFilter, order: 'rank' | 'newest', offset: number, limit: number): Promise<SearchHit[]>;
  /** Articles holding any of the terms, best first: a ticket's words find related articles. */
  related(terms: readonly string[], limit: number): Promise<RelatedHit[]>;
}

/** A term as an FTS5 string: quoted (a quote doubled); a prefix query from two characters on, unless `exact`. */
export function ftsTerm(term: string, exact = false): string {
  const quoted = `"${term.replaceAll('"', '""')}"`;
  return term.length >= 2 && !exact ? `${quoted}*` : quoted;
}

/**
 * The FTS5 expression for every term (AND: whole words, the last one a word's beginning, as it is
 * still being typed) or any term (OR, whole words), searched in title, body and tags; and a tag as a
 * phrase in the tags column. A prefix longer than the index's (2 to 6 letters, migration 0017) makes
 * FTS5 merge every word it begins before the first match: only the word being typed may pay that.
 */
export function ftsExpression(terms: readonly string[], join: 'AND' | 'OR', tag?: string): string {
  const parts: string[] = [];
  const last = terms.length - 1;
  if (terms.length > 0) parts.push(`{title body tags} : (${terms.map((term, i) => ftsTerm(term, join === 'OR' || i < last)).join(` ${join} `)})`);
  if (tag !== undefined) {
    const words = foldedWords(tag);
    if (words.length > 0) parts.push(`tags : "${words.join(' ').replaceAll('"', '""')}"`);
  }
  return parts.join(' AND ');
}

/**
 * Matches ranked at most: beyond, the newest this many (the index's order) are ranked. bm25 costs
 * 3 to 10 µs of CPU per match here (scripts/bench/knowledge-bench.mjs): a word in half of 100,000
 * articles would cost 150 ms or more on every keystroke. A second word narrows it at once.
 */
export const RANKED_AT_MOST = 1000;
/** bm25 weighted: a title match 8, body 1, tags 4, the filters' words nothing. */
const BM25 = sql`bm25(kb_fts, 8.0, 1.0, 4.0, 0.0)`;

/** A filter value as one indexed word of the facets column (letters only, so no tokenizer splits it): `system` → `xcatsystem`. */
export function facetWord(kind: 'cat' | 'vis' | 'code', value: string): string {
  return `x${kind}${value.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/** The words the facets column holds for an article. */
export function facetsOf(a: Pick<IndexedArticle, 'category' | 'visibility' | 'codes'>): string {
  return [facetWord('cat', a.category), facetWord('vis', a.visibility), ...a.codes.map((code) => facetWord('code', code))].join(' ');
}

/**
 * FTS5 behind ArticleSearch. The filters are words of a fourth column (`facets`: category,
 * visibility, finding codes), so a filtered search is one FTS5 query whose doclists are
 * intersected by the index, never a per-row lookup; the words typed only search title, body
 * and tags. Ranking reads the index alone; the rows shown are read after, and marked by
 * search-highlight.ts.
 */
export class SqliteArticleSearch implements ArticleSearch {
  constructor(private readonly db: Db, private readonly rankedAtMost = RANKED_AT_MOST) {}

  async put(tx: Db, a: IndexedArticle): Promise<void> {
    await this.remove(tx, a.id);
    await sql`INSERT INTO kb_fts(rowid, title, body, tags, facets) SELECT seq, ${a.title}, ${a.body}, ${a.tags.join(' ')}, ${facetsOf(a)} FROM kb_articles WHERE id = ${a.id}`.execute(tx);
  }

  async remove(tx: Db, articleId: string): Promise<void> {
    await sql`DELETE FROM kb_fts WHERE rowid = (SELECT seq FROM kb_articles WHERE id = ${articleId})`.execute(tx);
  }

  async search(terms: readonly string[], filter: SearchFilter, order: 'rank' | 'newest', offset: number, limit: number): Promise<SearchHit[]> {
    const facets = [
      ...(filter.category !== undefined ? [facetWord('cat', filter.category)] : []),
      ...(filter.visibility !== undefined ? [facetWord('vis', filter.visibility)] : []),
      ...(filter.code !== undefined ? [facetWord('code', filter.code)] : []),
    ];
    const words = ftsExpression(terms, 'AND', filter.tag);
    if (words === '') return [];
    const expression = [words, ...facets.map((f) => `facets : ${f}`)].join(' AND ');
    // Ranked: the newest `rankedAtMost` matches, walked in the index's order (FTS5 stops there), then bm25 among them.
    const rows = order === 'rank'
      ? await sql<{ seq: number }>`SELECT seq FROM (SELECT rowid AS seq, ${BM25} AS score FROM kb_fts WHERE kb_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${this.rankedAtMost})
          ORDER BY score, seq DESC LIMIT ${limit} OFFSET ${offset}`.execute(this.db)
      : await sql<{ seq: number }>`SELECT rowid AS seq FROM kb_fts WHERE kb_fts MATCH ${expression} ORDER BY rowid DESC LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    const texts = await this.textsOf(rows.rows.map((r) => r.seq));
    const matches = matcher(terms, true);
    return rows.rows.flatMap((r) => {
      const t = texts.get(r.seq);
      return t ? [{ id: t.id, title: highlight(t.title, matches), snippet: snippet(t.body, matches) }] : [];
    });
  }

  async related(terms: readonly string[], limit: number): Promise<RelatedHit[]> {
    if (terms.length === 0) return [];
    // A hint beside the findings' articles: a third of a search's ranking (each word of the OR adds to every row's bm25).
    const rows = await sql<{ seq: number; score: number }>`
      SELECT seq, score FROM (SELECT rowid AS seq, ${BM25} AS score FROM kb_fts WHERE kb_fts MATCH ${ftsExpression(terms, 'OR')} ORDER BY rowid DESC LIMIT ${Math.ceil(this.rankedAtMost / 3)})
      ORDER BY score, seq DESC LIMIT ${limit}`.execute(this.db);
    const texts = await this.textsOf(rows.rows.map((r) => r.seq));
    const matches = matcher(terms, false);
    // bm25 is negative, lower is better; relative to the best it reads 1 for the best.
    const best = rows.rows[0]?.score ?? 0;
    return rows.rows.flatMap((r) => {
      const t = texts.get(r.seq);
      return t ? [{ id: t.id, score: best < 0 ? Math.max(0.01, r.score / best) : 1, snippet: () => snippet(t.body, matches) }] : [];
    });
  }

  /** The indexed title and plain body of these rows, with their article ids. */
  private async textsOf(seqs: readonly number[]): Promise<Map<number, { id: string; title: string; body: string }>> {
    if (seqs.length === 0) return new Map();
    const rows = await sql<{ seq: number; id: string; title: string; body: string }>`
      SELECT f.rowid AS seq, a.id, f.title, f.body FROM kb_fts f JOIN kb_articles a ON a.seq = f.rowid WHERE f.rowid IN (${sql.join(seqs.map((n) => sql`${n}`))})`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.seq, r]));
  }
}
