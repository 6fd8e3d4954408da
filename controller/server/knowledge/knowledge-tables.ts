/** The knowledge base's tables (migration 0017) for the query layer; the full-text index is article-search.ts's own. */
import type { Generated } from 'kysely';

export interface KbArticlesTable {
  /** The row's number: the full-text index's document id (stable: an INTEGER PRIMARY KEY is never renumbered). */
  seq: Generated<number>;
  id: string;
  title: string;
  symptoms: string;
  cause: string;
  steps: string;
  category: string;
  tags_json: string;
  codes_json: string;
  script_name: string | null;
  visibility: 'internal' | 'person';
  created_by: string;
  created_by_name: string;
  created_at: number;
  updated_by: string;
  updated_by_name: string;
  updated_at: number;
  version: number;
  source_ticket_id: string | null;
  /** Tickets that voted "this helped" / "this did not help": kept with each vote, read by the ranking. */
  helped: number;
  not_helped: number;
}

/** Every saved version of an article, whole (its content as JSON), kept while the article lives. */
export interface KbVersionsTable {
  article_id: string;
  version: number;
  at: number;
  author: string;
  author_name: string;
  content_json: string;
}

/** The finding codes an article fixes, one row per code: a device's codes find their articles by index. */
export interface KbArticleCodesTable {
  code: string;
  article_id: string;
  /** code-score.ts: kept up to date on every edit and vote. */
  score: number;
}

/** An article's tickets: the one it was written from, those that voted on it, those it ran a fix for. */
export interface KbArticleTicketsTable {
  article_id: string;
  ticket_id: string;
  relation: 'source' | 'ran';
  at: number;
}

/** One vote per (article, ticket), changeable: +1 helped, -1 did not help. */
export interface KbFeedbackTable {
  article_id: string;
  ticket_id: string;
  vote: number;
  by_user: string;
  at: number;
}

export interface KnowledgeTables {
  kb_articles: KbArticlesTable;
  kb_versions: KbVersionsTable;
  kb_article_codes: KbArticleCodesTable;
  kb_article_tickets: KbArticleTicketsTable;
  kb_feedback: KbFeedbackTable;
}
