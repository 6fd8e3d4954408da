/**
 * 0017: the knowledge base (issue 17). Articles with every version kept, the finding
 * codes each fixes (one row per code, so a device's codes find their articles by
 * index), the tickets each is linked to, one vote per (article, ticket), and the
 * full-text index: SQLite FTS5, accents folded (`unicode61 remove_diacritics 2`: « réseau »
 * is found by `reseau`), prefix indexes for 2 to 6 letters (a word being typed); article-search.ts ranks
 * with bm25 weighted title 8, body 1, tags 4. PostgreSQL will keep its own index (tsvector) behind
 * the same interface (knowledge/postgres-article-search.ts); only this SQL and those modules know the engines' full-text search.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { engineOf } from './dialect.js';

export const knowledgeMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('kb_articles')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('symptoms', 'text', (c) => c.notNull())
      .addColumn('cause', 'text', (c) => c.notNull())
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('tags_json', 'text', (c) => c.notNull())
      .addColumn('codes_json', 'text', (c) => c.notNull())
      .addColumn('script_name', 'text')
      .addColumn('visibility', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_by_name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_by_name', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('source_ticket_id', 'text')
      .addColumn('helped', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('not_helped', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // The list without a search: newest first, keyset by (updated_at, id).
    await db.schema.createIndex('kb_articles_updated').on('kb_articles').columns(['updated_at', 'id']).execute();
    await db.schema.createIndex('kb_articles_category').on('kb_articles').columns(['category', 'updated_at', 'id']).execute();

    await db.schema
      .createTable('kb_versions')
      .addColumn('article_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('at', 'integer', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('author_name', 'text', (c) => c.notNull())
      .addColumn('content_json', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('kb_versions_pk', ['article_id', 'version'])
      .execute();

    await db.schema
      .createTable('kb_article_codes')
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('article_id', 'text', (c) => c.notNull())
      /** knowledge/code-score.ts: the article's share of the code times its votes' record; the best first by index. */
      .addColumn('score', 'real', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('kb_article_codes_pk', ['code', 'article_id'])
      .execute();
    await db.schema.createIndex('kb_article_codes_article').on('kb_article_codes').column('article_id').execute();
    await db.schema.createIndex('kb_article_codes_best').on('kb_article_codes').columns(['code', 'score desc', 'article_id']).execute();

    await db.schema
      .createTable('kb_article_tickets')
      .addColumn('article_id', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('kb_article_tickets_pk', ['article_id', 'ticket_id', 'relation'])
      .execute();
    await db.schema.createIndex('kb_article_tickets_ticket').on('kb_article_tickets').column('ticket_id').execute();

    await db.schema
      .createTable('kb_feedback')
      .addColumn('article_id', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text', (c) => c.notNull())
      .addColumn('vote', 'integer', (c) => c.notNull())
      .addColumn('by_user', 'text', (c) => c.notNull())
      .addColumn('at', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('kb_feedback_pk', ['article_id', 'ticket_id'])
      .execute();
    await db.schema.createIndex('kb_feedback_ticket').on('kb_feedback').column('ticket_id').execute();

    // The index keeps its own copy of the text (plain words, Markdown removed) for snippets; rowid = kb_articles.seq.
    // `facets` holds the filters as words (category, visibility, finding codes): a filtered search stays one FTS5 query.
    if (engineOf(db) === 'postgres') {
      // PostgreSQL: kb_fts keeps the same copy of the text and one tsvector (title weight A, tags B,
      // body C, the filters' words D; folded words under `simple`, `french` and `english`), GIN-indexed.
      // knowledge/postgres-article-search.ts writes and queries it.
      await sql`CREATE TABLE kb_fts (seq bigint PRIMARY KEY, title text collate "C" NOT NULL, body text collate "C" NOT NULL, tags text collate "C" NOT NULL, facets text collate "C" NOT NULL, document tsvector NOT NULL)`.execute(db);
      await sql`CREATE INDEX kb_fts_document ON kb_fts USING gin (document)`.execute(db);
      return;
    }
    await sql`CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, tags, facets, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6')`.execute(db);
  },
};
