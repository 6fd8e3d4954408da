/** The knowledge base's parts, built once by the composition root and handed to the routes and the support page. */
import type { AuditLog } from '../audit/audit.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import type { JobDeps } from '../http/job-routes.js';
import type { Db } from '../store/database.js';
import type { TicketStore } from '../tickets/ticket-store.js';
import { ArticleFeedback } from './article-feedback.js';
import { SqliteArticleSearch, type ArticleSearch } from './article-search.js';
import { PostgresArticleSearch } from './postgres-article-search.js';
import { engineOf } from '../store/dialect.js';
import { ArticleStore } from './article-store.js';
import { ArticleVersions } from './article-versions.js';
import { FixRuns } from './fix-runs.js';
import { Suggestions } from './suggestions.js';
import { SupportArticles } from './support-articles.js';
import { TicketDrafts } from './ticket-draft.js';

export interface KnowledgeParts {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly diagnostics: DiagnosticsStore;
  readonly jobs: JobDeps;
  readonly devices: DeviceRegistry;
  readonly tickets: TicketStore;
  /** The full-text index; the engine's own (articleSearchFor) unless given. */
  readonly search?: ArticleSearch;
}

/** The one place the full-text index is chosen by engine: SQLite FTS5, or PostgreSQL's tsvector. */
export function articleSearchFor(db: Db, rankedAtMost?: number): ArticleSearch {
  return engineOf(db) === 'postgres' ? new PostgresArticleSearch(db, rankedAtMost) : new SqliteArticleSearch(db, rankedAtMost);
}

export class Knowledge {
  readonly articles: ArticleStore;
  readonly versions: ArticleVersions;
  readonly feedback: ArticleFeedback;
  readonly suggestions: Suggestions;
  readonly drafts: TicketDrafts;
  readonly fixRuns: FixRuns;
  readonly supportArticles: SupportArticles;

  constructor(readonly parts: KnowledgeParts) {
    const search = parts.search ?? articleSearchFor(parts.db);
    this.articles = new ArticleStore(parts.db, search, parts.audit);
    this.versions = new ArticleVersions(parts.db);
    this.feedback = new ArticleFeedback(parts.db);
    this.suggestions = new Suggestions(parts.db, this.articles, search, this.feedback);
    this.drafts = new TicketDrafts(parts.db, parts.diagnostics);
    this.fixRuns = new FixRuns({ jobs: parts.jobs, devices: parts.devices, tickets: parts.tickets, articles: this.articles, audit: parts.audit });
    this.supportArticles = new SupportArticles(parts.db, this.suggestions);
  }

  /** A ticket's id by its number; null when no ticket has it. */
  async ticketRef(number: number): Promise<{ id: string; number: number } | null> {
    const row = await this.parts.db.selectFrom('tickets').select(['id', 'number']).where('number', '=', number).executeTakeFirst();
    return row ?? null;
  }
}
