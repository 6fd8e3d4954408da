/**
 * "This helped" / "This did not help": one vote per (article, ticket), changeable or taken
 * back. The article's two counters and its codes' scores (code-score.ts) change in the same
 * transaction as the vote, so the ranking reads them instead of counting votes on every suggestion.
 */
import { RelaisError } from '../../../protocol/index.js';
import type { ArticleVote } from '../../../protocol/knowledge-model.js';
import type { Db } from '../store/database.js';
import { codeScore } from './code-score.js';

const valueOf = (vote: ArticleVote | null): number => (vote === 'helped' ? 1 : vote === 'not_helped' ? -1 : 0);
const voteOf = (value: number): ArticleVote | null => (value > 0 ? 'helped' : value < 0 ? 'not_helped' : null);

export class ArticleFeedback {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  /** Records the ticket's vote on the article (null: none); the article's counts after it. */
  async vote(articleId: string, ticketId: string, vote: ArticleVote | null, username: string): Promise<{ helped: number; notHelped: number; vote: ArticleVote | null }> {
    return this.db.transaction().execute(async (tx) => {
      const article = await tx.selectFrom('kb_articles').select(['helped', 'not_helped', 'codes_json']).where('id', '=', articleId).executeTakeFirst();
      if (!article) throw new RelaisError('KB_ERR_NOT_FOUND');
      const before = (await tx.selectFrom('kb_feedback').select('vote').where('article_id', '=', articleId).where('ticket_id', '=', ticketId).executeTakeFirst())?.vote ?? 0;
      const after = valueOf(vote);
      const helped = article.helped - (before > 0 ? 1 : 0) + (after > 0 ? 1 : 0);
      const notHelped = article.not_helped - (before < 0 ? 1 : 0) + (after < 0 ? 1 : 0);
      if (before !== after) {
        await tx.updateTable('kb_articles').set({ helped, not_helped: notHelped }).where('id', '=', articleId).execute();
        const codes = (JSON.parse(article.codes_json) as unknown[]).length;
        await tx.updateTable('kb_article_codes').set({ score: codeScore(codes, helped, notHelped) }).where('article_id', '=', articleId).execute();
        if (after === 0) await tx.deleteFrom('kb_feedback').where('article_id', '=', articleId).where('ticket_id', '=', ticketId).execute();
        else {
          await tx.insertInto('kb_feedback').values({ article_id: articleId, ticket_id: ticketId, vote: after, by_user: username, at: this.now() })
            .onConflict((oc) => oc.columns(['article_id', 'ticket_id']).doUpdateSet({ vote: after, by_user: username, at: this.now() })).execute();
        }
      }
      return { helped, notHelped, vote: voteOf(after) };
    });
  }

  /** A ticket's votes, by article. */
  async votesOf(ticketId: string): Promise<Map<string, ArticleVote>> {
    const rows = await this.db.selectFrom('kb_feedback').select(['article_id', 'vote']).where('ticket_id', '=', ticketId).execute();
    return new Map(rows.flatMap((r) => {
      const vote = voteOf(r.vote);
      return vote ? [[r.article_id, vote] as const] : [];
    }));
  }
}
