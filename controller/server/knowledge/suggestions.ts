/**
 * Suggested articles for a ticket or a device, before anyone types: first the articles whose
 * finding codes match what the device shows now (its latest snapshot), then those whose words
 * match the ticket's text; within each, earlier tickets' votes re-rank them, and an article
 * this very ticket said did not help goes last. The ranking is a pure function, tested alone.
 */
import { FINDING_CODES, findingCodeOf, type FindingCode } from '../../../protocol/findings.js';
import type { Suggestion } from '../../../protocol/knowledge-answers.js';
import { KB_LIMITS, type ArticleVote } from '../../../protocol/knowledge-model.js';
import { RelaisError } from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import type { ArticleFeedback } from './article-feedback.js';
import type { ArticleSearch } from './article-search.js';
import type { ArticleStore } from './article-store.js';
import { feedbackFactor } from './code-score.js';
import { suggestionTerms } from './search-terms.js';

const KNOWN_CODES: ReadonlySet<string> = new Set(FINDING_CODES);
/** Devices of one ticket whose findings are read (a ticket rarely has more than two). */
const DEVICES_READ = 10;
/** Candidates read by each way before ranking. */
const CANDIDATES = 40;

export interface Candidate {
  readonly id: string;
  readonly reason: 'findings' | 'text';
  /** How well it matches, in (0, 1]. */
  readonly relevance: number;
  readonly matchedCodes: readonly string[];
  readonly helped: number;
  readonly notHelped: number;
}

/** Findings first, then text; within each the better match and the better record first; this ticket's "did not help" last. */
export function rankSuggestions(candidates: readonly Candidate[], votes: ReadonlyMap<string, ArticleVote>, limit: number): Candidate[] {
  const group = (c: Candidate) => (votes.get(c.id) === 'not_helped' ? 2 : c.reason === 'findings' ? 0 : 1);
  const score = (c: Candidate) => (votes.get(c.id) === 'helped' ? 10 : 0) + c.relevance * (0.5 + feedbackFactor(c.helped, c.notHelped));
  return [...candidates].sort((a, b) => group(a) - group(b) || score(b) - score(a) || a.id.localeCompare(b.id)).slice(0, limit);
}

export class Suggestions {
  constructor(
    private readonly db: Db,
    private readonly store: ArticleStore,
    private readonly search: ArticleSearch,
    private readonly feedback: ArticleFeedback,
  ) {}

  /** For a ticket: its devices' current findings, then its title and description. */
  async forTicket(number: number): Promise<{ findingCodes: FindingCode[]; suggestions: Suggestion[] }> {
    const ticket = await this.db.selectFrom('tickets').select(['id', 'title', 'description']).where('number', '=', number).executeTakeFirst();
    if (!ticket) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    const devices = await this.db.selectFrom('ticket_devices').select('device_id').where('ticket_id', '=', ticket.id).orderBy('position').limit(DEVICES_READ).execute();
    const [codes, votes] = await Promise.all([this.currentCodes(devices.map((d) => d.device_id)), this.feedback.votesOf(ticket.id)]);
    return { findingCodes: codes, suggestions: await this.suggest(codes, suggestionTerms(`${ticket.title}\n${ticket.description}`), votes) };
  }

  /** For a device page: its current findings only. */
  async forDevice(deviceId: string): Promise<{ findingCodes: FindingCode[]; suggestions: Suggestion[] }> {
    const codes = await this.currentCodes([deviceId]);
    return { findingCodes: codes, suggestions: await this.suggest(codes, [], new Map()) };
  }

  /** The codes of the findings in each device's latest snapshot, each once. */
  async currentCodes(deviceIds: readonly string[]): Promise<FindingCode[]> {
    const codes = new Set<FindingCode>();
    for (const deviceId of deviceIds) {
      const latest = await this.db.selectFrom('snapshots').select('findings_json').where('device_id', '=', deviceId).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!latest) continue;
      for (const f of JSON.parse(latest.findings_json) as Array<{ id: string }>) {
        const code = findingCodeOf(f.id);
        if (KNOWN_CODES.has(code)) codes.add(code as FindingCode);
      }
    }
    return [...codes];
  }

  private async suggest(codes: readonly string[], terms: readonly string[], votes: ReadonlyMap<string, ArticleVote>): Promise<Suggestion[]> {
    const [byCodes, byText] = await Promise.all([this.byCodes(codes), this.search.related(terms, CANDIDATES)]);
    const textScore = new Map(byText.map((h) => [h.id, h]));
    const candidates: Candidate[] = byCodes.map((c) => ({ ...c, relevance: 0.8 * c.relevance + 0.2 * (textScore.get(c.id)?.score ?? 0) }));
    const seen = new Set(candidates.map((c) => c.id));
    const counts = await this.counts(byText.filter((h) => !seen.has(h.id)).map((h) => h.id));
    for (const hit of byText) {
      const count = counts.get(hit.id);
      if (!seen.has(hit.id) && count) candidates.push({ id: hit.id, reason: 'text', relevance: hit.score, matchedCodes: [], ...count });
    }
    const ranked = rankSuggestions(candidates, votes, KB_LIMITS.suggestions);
    const snippets = new Map(ranked.flatMap((c) => {
      const snippet = textScore.get(c.id)?.snippet();
      return snippet && snippet.marks.length > 0 ? [[c.id, { titleMarks: [] as Array<[number, number]>, snippet }] as const] : [];
    }));
    const items = await this.store.listItems(ranked.map((c) => c.id), snippets);
    return ranked.flatMap((c) => {
      const item = items.get(c.id);
      if (!item) return [];
      return [{
        article: item,
        reason: c.reason,
        matchedCodes: c.matchedCodes.filter((code): code is Suggestion['matchedCodes'][number] => item.findingCodes.includes(code as never)),
        vote: votes.get(c.id) ?? null,
      }];
    });
  }

  /**
   * Articles naming any of the codes: the best of each code read by index (code-score.ts: its
   * share of the code times its record), summed over the codes they match; the best ones then
   * read whole. Bounded by the codes, never by how many articles name a common one.
   */
  private async byCodes(codes: readonly string[]): Promise<Candidate[]> {
    if (codes.length === 0) return [];
    const perCode = await Promise.all(codes.map((code) => this.db.selectFrom('kb_article_codes').select(['article_id', 'score'])
      .where('code', '=', code).orderBy('score', 'desc').orderBy('article_id').limit(CANDIDATES).execute()));
    const sums = new Map<string, number>();
    for (const rows of perCode) for (const r of rows) sums.set(r.article_id, (sums.get(r.article_id) ?? 0) + r.score);
    const best = [...sums].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, CANDIDATES).map(([id]) => id);
    if (best.length === 0) return [];
    const rows = await this.db.selectFrom('kb_articles').select(['id', 'codes_json', 'helped', 'not_helped']).where('id', 'in', best).execute();
    const wanted = new Set(codes);
    return rows.map((r) => {
      const own = JSON.parse(r.codes_json) as string[];
      const matched = own.filter((code) => wanted.has(code));
      // An article about exactly what the device shows ranks above one that covers many things.
      return { id: r.id, reason: 'findings', relevance: matched.length / Math.max(1, own.length), matchedCodes: matched, helped: r.helped, notHelped: r.not_helped };
    });
  }

  private async counts(ids: readonly string[]): Promise<Map<string, { helped: number; notHelped: number }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('kb_articles').select(['id', 'helped', 'not_helped']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, { helped: r.helped, notHelped: r.not_helped }]));
  }
}
