/**
 * An article's versions: every save kept whole (kb_versions, written by article-store.ts in the
 * save's transaction), listed newest first, and one version with what changed from the one before
 * (protocol/knowledge-diff.ts). Versions live as long as their article.
 */
import { RelaisError } from '../../../protocol/index.js';
import { diffArticles, type DiffLine } from '../../../protocol/knowledge-diff.js';
import type { ArticleContent, ArticleContentField } from '../../../protocol/knowledge-model.js';
import type { Db } from '../store/database.js';

const notFound = () => new RelaisError('KB_ERR_NOT_FOUND');

export class ArticleVersions {
  constructor(private readonly db: Db) {}

  /** Versions, newest first, before the version `cursor`. */
  async versions(id: string, cursor: number | undefined, limit: number) {
    if (!(await this.db.selectFrom('kb_articles').select('id').where('id', '=', id).executeTakeFirst())) throw notFound();
    let q = this.db.selectFrom('kb_versions').select(['version', 'at', 'author', 'author_name', 'content_json']).where('article_id', '=', id);
    if (cursor !== undefined) q = q.where('version', '<', cursor);
    const rows = await q.orderBy('version', 'desc').limit(limit + 1).execute();
    const shown = rows.slice(0, limit);
    return {
      versions: shown.map((r) => ({ version: r.version, at: r.at, author: { username: r.author, name: r.author_name }, title: (JSON.parse(r.content_json) as ArticleContent).title })),
      nextCursor: rows.length > limit ? String(shown[shown.length - 1]!.version) : null,
    };
  }

  /** One version whole, and what changed from the version before it. */
  async version(id: string, version: number): Promise<{
    version: { version: number; at: number; author: { username: string; name: string }; title: string; content: ArticleContent };
    previous: number | null;
    diff: Array<{ field: ArticleContentField; lines: DiffLine[] }>;
  }> {
    const rows = await this.db.selectFrom('kb_versions').selectAll().where('article_id', '=', id).where('version', 'in', [version, version - 1]).execute();
    const row = rows.find((r) => r.version === version);
    if (!row) throw notFound();
    const before = rows.find((r) => r.version === version - 1);
    const content = JSON.parse(row.content_json) as ArticleContent;
    const previous = before ? (JSON.parse(before.content_json) as ArticleContent) : null;
    return {
      version: { version, at: row.at, author: { username: row.author, name: row.author_name }, title: content.title, content },
      previous: before ? before.version : null,
      diff: diffArticles(previous, content),
    };
  }
}
