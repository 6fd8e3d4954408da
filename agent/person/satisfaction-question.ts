/**
 * The satisfaction question at the agent: when the controller says the session's ticket
 * was resolved (`survey.ask`), the person rates it with one key — 1 to 5, N for "not
 * solved" (the ticket reopens), anything else skips — then may add a one-line comment.
 * Nothing is required: skipping, a consent question arriving, or no answer within
 * ANSWER_WAIT_MS leaves the survey for the support page. The controller checks the answer
 * again (protocol/satisfaction-model.ts's schema, and that it is this session's ticket).
 */
import { SURVEY_LIMITS, type SurveyAnswer } from '../../protocol/satisfaction-model.js';
import { plainLine } from '../../protocol/text.js';
import { agentWords } from '../cli/agent-language.js';
import type { PendingAnswer, PersonTerminal } from './person-terminal.js';
import { satisfactionCatalog } from './satisfaction-catalog.js';

const words = agentWords(satisfactionCatalog);

/** How long the rating and the comment wait for the person, each. */
export const ANSWER_WAIT_MS = 10 * 60_000;

export interface SurveyAsk {
  readonly surveyId: string;
  readonly ticketNumber: number;
  readonly title: string;
  readonly technician: string;
}

/** A key or a line as an answer: a rating, not solved, or null (skip). `n` for « non résolu » as for "not solved". */
export function ratingOf(typed: string | null): { kind: 'rating'; rating: number } | { kind: 'not_solved' } | null {
  const value = (typed ?? '').trim().toLowerCase();
  if (/^[1-5]$/.test(value)) return { kind: 'rating', rating: Number(value) };
  if (value === 'n' || value === 'no' || value === 'non') return { kind: 'not_solved' };
  return null;
}

export class SatisfactionQuestion {
  private readonly asked = new Set<string>();
  private pending: PendingAnswer<string | null> | null = null;

  constructor(private readonly terminal: PersonTerminal, private readonly send: (surveyId: string, answer: SurveyAnswer) => boolean) {}

  /** Asks once per survey; resolves when the person answered or skipped. */
  async ask(message: SurveyAsk): Promise<void> {
    if (this.asked.has(message.surveyId)) return;
    this.asked.add(message.surveyId);
    const t = this.terminal;
    const technician = plainLine(message.technician, 128).trim();
    t.say(['', '──────────────────────────────────────────────────────────────',
      words('resolved', { number: `#${message.ticketNumber}`, title: plainLine(message.title, 200), technician: technician === '' ? 'none' : technician }),
      words('question')].join('\n'));
    const choice = ratingOf(await this.wait(t.askChoice(words(t.interactive ? 'promptKey' : 'promptLine'))));
    if (choice === null) return t.say(words('skipped'));
    t.say(choice.kind === 'rating' ? words('chosenRating', { rating: choice.rating }) : words('chosenNotSolved'));
    const comment = await this.wait(t.askText(words(t.interactive ? 'commentKey' : 'commentLine'), SURVEY_LIMITS.comment));
    const answer: SurveyAnswer = { ...choice, ...(comment ? { comment: plainLine(comment, SURVEY_LIMITS.comment) } : {}) };
    t.say(words(this.send(message.surveyId, answer) ? 'sent' : 'notSent'));
  }

  /** Stops waiting (the session ends). */
  cancel(): void {
    this.pending?.cancel();
  }

  private async wait(pending: PendingAnswer<string | null>): Promise<string | null> {
    this.pending = pending;
    const timer = setTimeout(() => pending.cancel(), ANSWER_WAIT_MS);
    try {
      return await pending.answer;
    } finally {
      clearTimeout(timer);
      if (this.pending === pending) this.pending = null;
    }
  }
}
