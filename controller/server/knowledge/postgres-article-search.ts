/**
 * The knowledge base's full-text index on PostgreSQL, behind article-search.ts's interface.
 * Migration 0017 makes `kb_fts` there a plain table: the indexed copy of the text (for the
 * marks) and one `tsvector`, GIN-indexed, with the title at weight A, the tags B, the body C
 * and the filters' words (facetsOf) D. Text is folded here as search-terms.ts folds a search
 * (lower case, accents removed, anything not a letter or a digit a separator), so PostgreSQL's
 * parser sees the words FTS5 sees, and `unaccent` is not needed. Each word is indexed as
 * written (`simple`) and as its French and English stems, so « imprimantes » also finds
 * « imprimante »; a term matches any of the three.
 *
 * User input never reaches to_tsquery as syntax: the terms are search-terms.ts's words
 * (letters and digits only), each passed as a parameter with only our own suffix (`:*` for the
 * word being typed, the weights it may match).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../store/database.js';
import { foldedWords } from './search-terms.js';
import { highlight, matcher, snippet } from './search-highlight.js';
import { facetsOf, facetWord, RANKED_AT_MOST, type ArticleSearch, type IndexedArticle, type RelatedHit, type SearchFilter, type SearchHit } from './article-search.js';

/** Text as the index's words: folded, separators as spaces. */
export function foldForIndex(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A text's words under the three configurations, at one weight. */
function weighted(text: string, weight: 'A' | 'B' | 'C'): RawBuilder<unknown> {
  const folded = foldForIndex(text);
  return sql`setweight(to_tsvector('simple', ${folded}) || to_tsvector('french', ${folded}) || to_tsvector('english', ${folded}), ${weight})`;
}

/** One search term (letters and digits only) as a tsquery matching title, tags or body, as written or stemmed; a prefix unless `exact`. */
function termQuery(term: string, exact: boolean): RawBuilder<unknown> {
  const lexeme = `${term}:${exact || term.length < 2 ? '' : '*'}ABC`;
  return sql`(to_tsquery('simple', ${lexeme}) || to_tsquery('french', ${lexeme}) || to_tsquery('english', ${lexeme}))`;
}

/** Every term (AND, the last as a prefix) or any (OR, whole words); null when there is none. */
function termsQuery(terms: readonly string[], join: 'AND' | 'OR'): RawBuilder<unknown> | null {
  if (terms.length === 0) return null;
  const last = terms.length - 1;
  return sql`(${sql.join(terms.map((t, i) => termQuery(t, join === 'OR' || i < last)), sql.raw(join === 'AND' ? ' && ' : ' || '))})`;
}

/** Relevance weights {D, C, B, A}: filters nothing, body 1, tags 4, title 8 (as bm25's in article-search.ts). */
const WEIGHTS = sql`'{0, 0.1, 0.4, 0.8}'::float4[]`;

export class PostgresArticleSearch implements ArticleSearch {
  constructor(private readonly db: Db, private readonly rankedAtMost = RANKED_AT_MOST) {}

  async put(tx: Db, a: IndexedArticle): Promise<void> {
    await this.remove(tx, a.id);
    const tags = a.tags.join(' ');
    const facets = facetsOf(a);
    await sql`INSERT INTO kb_fts (seq, title, body, tags, facets, document)
      SELECT seq, ${a.title}, ${a.body}, ${tags}, ${facets},
        ${weighted(a.title, 'A')} || ${weighted(tags, 'B')} || ${weighted(a.body, 'C')} || setweight(to_tsvector('simple', ${facets}), 'D')
      FROM kb_articles WHERE id = ${a.id}`.execute(tx);
  }

  async remove(tx: Db, articleId: string): Promise<void> {
    await sql`DELETE FROM kb_fts WHERE seq = (SELECT seq FROM kb_articles WHERE id = ${articleId})`.execute(tx);
  }

  async search(terms: readonly string[], filter: SearchFilter, order: 'rank' | 'newest', offset: number, limit: number): Promise<SearchHit[]> {
    const words = termsQuery(terms, 'AND');
    const tagWords = filter.tag !== undefined ? foldedWords(filter.tag) : [];
    if (words === null && tagWords.length === 0) return [];
    // Filters and a tag (a phrase of the tags) are words of our own making: letters and digits.
    const fixed = [
      ...(tagWords.length > 0 ? [tagWords.map((w) => `${w}:B`).join(' <-> ')] : []),
      ...(filter.category !== undefined ? [`${facetWord('cat', filter.category)}:D`] : []),
      ...(filter.visibility !== undefined ? [`${facetWord('vis', filter.visibility)}:D`] : []),
      ...(filter.code !== undefined ? [`${facetWord('code', filter.code)}:D`] : []),
    ];
    const parts = [...(words ? [words] : []), ...(fixed.length > 0 ? [sql`to_tsquery('simple', ${fixed.map((f) => `(${f})`).join(' & ')})`] : [])];
    const query = sql.join(parts, sql.raw(' && '));
    const ranking = words ?? query;
    // Ranked: the newest `rankedAtMost` matches, then ts_rank_cd among them (as SQLite's bm25 among its newest).
    const rows = order === 'rank'
      ? await sql<{ seq: string | number }>`SELECT seq FROM (SELECT seq, ts_rank_cd(${WEIGHTS}, document, ${ranking}) AS score FROM kb_fts WHERE document @@ (${query}) ORDER BY seq DESC LIMIT ${this.rankedAtMost}) m
          ORDER BY score DESC, seq DESC LIMIT ${limit} OFFSET ${offset}`.execute(this.db)
      : await sql<{ seq: string | number }>`SELECT seq FROM kb_fts WHERE document @@ (${query}) ORDER BY seq DESC LIMIT ${limit} OFFSET ${offset}`.execute(this.db);
    const seqs = rows.rows.map((r) => Number(r.seq));
    const texts = await this.textsOf(seqs);
    const matches = matcher(terms, true);
    return seqs.flatMap((seq) => {
      const t = texts.get(seq);
      return t ? [{ id: t.id, title: highlight(t.title, matches), snippet: snippet(t.body, matches) }] : [];
    });
  }

  async related(terms: readonly string[], limit: number): Promise<RelatedHit[]> {
    const query = termsQuery(terms, 'OR');
    if (query === null) return [];
    const rows = await sql<{ seq: string | number; score: number }>`
      SELECT seq, score FROM (SELECT seq, ts_rank_cd(${WEIGHTS}, document, ${query}) AS score FROM kb_fts WHERE document @@ ${query} ORDER BY seq DESC LIMIT ${Math.ceil(this.rankedAtMost / 3)}) m
      ORDER BY score DESC, seq DESC LIMIT ${limit}`.execute(this.db);
    const hits = rows.rows.map((r) => ({ seq: Number(r.seq), score: Number(r.score) }));
    const texts = await this.textsOf(hits.map((h) => h.seq));
    const matches = matcher(terms, false);
    // ts_rank_cd is positive, higher is better; relative to the best it reads 1 for the best.
    const best = hits[0]?.score ?? 0;
    return hits.flatMap((h) => {
      const t = texts.get(h.seq);
      return t ? [{ id: t.id, score: best > 0 ? Math.max(0.01, h.score / best) : 1, snippet: () => snippet(t.body, matches) }] : [];
    });
  }

  /** The indexed title and plain body of these rows, with their article ids. */
  private async textsOf(seqs: readonly number[]): Promise<Map<number, { id: string; title: string; body: string }>> {
    if (seqs.length === 0) return new Map();
    const rows = await sql<{ seq: string | number; id: string; title: string; body: string }>`
      SELECT f.seq, a.id, f.title, f.body FROM kb_fts f JOIN kb_articles a ON a.seq = f.seq WHERE f.seq IN (${sql.join(seqs.map((n) => sql`${n}`))})`.execute(this.db);
    return new Map(rows.rows.map((r) => [Number(r.seq), { id: r.id, title: r.title, body: r.body }]));
  }
}
