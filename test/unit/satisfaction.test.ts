/**
 * Satisfaction surveys on a real SQLite store with a fake clock: links are 256-bit tokens
 * stored as SHA-256 only, single use, bounded per survey; answers are validated (rating,
 * comment bounds and characters) before anything is stored; a survey is answered once,
 * expires, and dies with its resolution; "not solved" reopens through the transition; the
 * agent's answer is accepted only from the ticket's own session. And the address throttle.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelaisError } from '../../protocol/index.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import type { Account } from '../../controller/server/auth/accounts.js';
import { sha256 } from '../../controller/server/auth/tokens.js';
import { SurveyStore, parseAnswer } from '../../controller/server/satisfaction/survey-store.js';
import { SurveyThrottle } from '../../controller/server/satisfaction/survey-throttle.js';
import { LINKS_PER_PURPOSE } from '../../controller/server/satisfaction/survey-tokens.js';
import { TicketStore } from '../../controller/server/tickets/ticket-store.js';
import { openTempStore, type TempStore } from '../helpers/temp-store.js';

const DAY = 86_400_000;
const MONDAY_10 = Date.UTC(2026, 2, 2, 9, 0, 0);

let store: TempStore;
let now: number;
let tickets: TicketStore;
let surveys: SurveyStore;
let audit: AuditLog;
let tech: Account;

beforeEach(async () => {
  store = await openTempStore();
  now = MONDAY_10;
  audit = new AuditLog(store.db, { now: () => now });
  tickets = new TicketStore(store.db, audit, undefined, () => now);
  surveys = new SurveyStore(store.db, tickets, audit, { expiryMs: 7 * DAY, dayOf: (at) => new Date(at).toISOString().slice(0, 10), now: () => now });
  const inserted = await store.db.insertInto('users').values({ username: 'tech', name: 'Tech', password_hash: 'x', role: 'l1', created_at: 0, deleted_at: null }).returning('id').executeTakeFirstOrThrow();
  tech = { id: Number(inserted.id), username: 'tech', name: 'Tech', role: 'l1' };
});
afterEach(async () => {
  await audit.flush();
  await store.close();
});

const caller = () => ({ account: tech, ip: null });

async function resolvedTicket(): Promise<number> {
  const t = await tickets.create({ title: 'Printer offline', description: '', requester: { name: 'Claire', phone: null, email: null }, category: 'hardware', impact: 'medium', urgency: 'medium', deviceIds: [] }, caller());
  now += 60_000;
  await tickets.act(t.number, { type: 'take' }, caller());
  now += 60_000;
  await tickets.act(t.number, { type: 'resolve', resolution: 'Driver reinstalled.', solutionType: 'fix' }, caller());
  now += 60_000;
  return t.number;
}

const code = async (promise: Promise<unknown>) => promise.then(() => 'ok', (err: unknown) => (err instanceof RelaisError ? err.code : String(err)));

describe('answers from outside', () => {
  it('accept a rating 1–5 or not solved with a one-line comment up to 1,000 characters, trimmed', () => {
    expect(parseAnswer({ kind: 'rating', rating: 5, comment: '  Great  ' })).toEqual({ kind: 'rating', rating: 5, comment: 'Great' });
    expect(parseAnswer({ kind: 'not_solved', comment: '   ' })).toEqual({ kind: 'not_solved' });
    expect(parseAnswer({ kind: 'rating', rating: 1, comment: 'é'.repeat(1000) }).kind).toBe('rating');
  });
  it.each([
    ['rating 0', { kind: 'rating', rating: 0 }],
    ['rating 6', { kind: 'rating', rating: 6 }],
    ['rating 4.5', { kind: 'rating', rating: 4.5 }],
    ['rating as text', { kind: 'rating', rating: '5' }],
    ['no kind', { rating: 5 }],
    ['unknown kind', { kind: 'skip' }],
    ['extra field', { kind: 'rating', rating: 3, admin: true }],
    ['comment too long', { kind: 'rating', rating: 3, comment: 'x'.repeat(1001) }],
    ['control characters', { kind: 'not_solved', comment: 'line\u001b[2Jbreak' }],
    ['bidirectional override', { kind: 'rating', rating: 2, comment: 'abc\u202Edef' }],
    ['line break', { kind: 'rating', rating: 2, comment: 'two\nlines' }],
    ['not an object', 'five'],
  ])('refuse %s with SURVEY_ERR_INVALID_FIELD', (_name, value) => {
    expect(() => parseAnswer(value)).toThrow(expect.objectContaining({ code: 'SURVEY_ERR_INVALID_FIELD' }));
  });
});

describe('SurveyStore', () => {
  it('issues 256-bit links stored only as their SHA-256, a few per survey, for resolved tickets only', async () => {
    const open = await tickets.create({ title: 'Open', description: '', requester: { name: 'A', phone: null, email: null }, category: 'other', impact: 'low', urgency: 'low', deviceIds: [] }, caller());
    expect(await code(surveys.issueLink(open.number, 'mail'))).toBe('SURVEY_ERR_NOT_RESOLVED');
    expect(await code(surveys.issueLink(999_999, 'mail'))).toBe('TICKET_ERR_NOT_FOUND');
    const number = await resolvedTicket();
    const { token, survey } = await surveys.issueLink(number, 'mail');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await store.db.selectFrom('satisfaction_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(survey.expires_at).toBe(survey.resolved_at + 7 * DAY);
    // The same resolution keeps its one survey; links beyond the bound retire the oldest.
    const tokens = [token];
    for (let i = 0; i < LINKS_PER_PURPOSE + 2; i++) {
      now += 1;
      tokens.push((await surveys.issueLink(number, 'mail')).token);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(await store.db.selectFrom('satisfaction_surveys').selectAll().execute()).toHaveLength(1);
    expect(await store.db.selectFrom('satisfaction_tokens').selectAll().where('purpose', '=', 'mail').execute()).toHaveLength(LINKS_PER_PURPOSE);
    expect(await code(surveys.inspect(tokens[0]!))).toBe('SURVEY_ERR_NOT_FOUND');
    expect(await code(surveys.inspect(tokens.at(-1)!))).toBe('ok');
  });

  it('answers once: the link is used up, the survey answered, the other links die, and the answer is on the timeline', async () => {
    const number = await resolvedTicket();
    const first = (await surveys.issueLink(number, 'mail')).token;
    const second = (await surveys.issueLink(number, 'page')).token;
    expect(await code(surveys.answerByToken(first, { kind: 'rating', rating: 9 }))).toBe('SURVEY_ERR_INVALID_FIELD');
    expect((await surveys.inspect(first)).survey.answered_at).toBeNull();
    const answered = await surveys.answerByToken(first, { kind: 'rating', rating: 4, comment: 'Quick' });
    expect(answered).toMatchObject({ rating: 4, not_solved: 0, comment: 'Quick', via: 'page', answered_at: now });
    expect(await code(surveys.answerByToken(first, { kind: 'rating', rating: 1 }))).toBe('SURVEY_ERR_USED');
    expect(await code(surveys.answerByToken(second, { kind: 'rating', rating: 1 }))).toBe('SURVEY_ERR_NOT_FOUND');
    expect(await code(surveys.issueLink(number, 'mail'))).toBe('SURVEY_ERR_USED');
    const { events } = await tickets.timeline(number, undefined, 100);
    expect(events.find((e) => e.kind === 'survey_answered')).toMatchObject({ visibility: 'person', actor: null, data: { rating: 4, notSolved: false, comment: 'Quick', via: 'page' } });
    expect((await tickets.view(number))!.status).toBe('resolved');
  });

  it('two answers racing: exactly one counts', async () => {
    const number = await resolvedTicket();
    const a = (await surveys.issueLink(number, 'mail')).token;
    const b = (await surveys.issueLink(number, 'page')).token;
    const results = await Promise.all([code(surveys.answerByToken(a, { kind: 'rating', rating: 5 })), code(surveys.answerByToken(b, { kind: 'rating', rating: 1 }))]);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect((await store.db.selectFrom('satisfaction_surveys').select('rating').executeTakeFirstOrThrow()).rating).toBe(results[0] === 'ok' ? 5 : 1);
  });

  it('expires after the setting, and a resolution reopened by a technician can no longer be rated', async () => {
    const number = await resolvedTicket();
    const token = (await surveys.issueLink(number, 'mail')).token;
    now += 7 * DAY;
    expect(await code(surveys.inspect(token))).toBe('SURVEY_ERR_EXPIRED');
    expect(await code(surveys.answerByToken(token, { kind: 'rating', rating: 5 }))).toBe('SURVEY_ERR_EXPIRED');

    const other = await resolvedTicket();
    const link = (await surveys.issueLink(other, 'mail')).token;
    await tickets.act(other, { type: 'reopen', reason: 'Came back' }, caller());
    expect(await code(surveys.answerByToken(link, { kind: 'rating', rating: 5 }))).toBe('SURVEY_ERR_EXPIRED');
    // Resolved again: a new survey for the new resolution.
    now += 60_000;
    await tickets.act(other, { type: 'resolve', resolution: 'Really fixed.', solutionType: 'fix' }, caller());
    now += 1;
    const again = await surveys.issueLink(other, 'mail');
    expect(await store.db.selectFrom('satisfaction_surveys').select('id').where('ticket_number', '=', other).execute()).toHaveLength(2);
    expect(await code(surveys.answerByToken(again.token, { kind: 'rating', rating: 5 }))).toBe('ok');
  });

  it('"not solved" reopens the ticket through the transition, the comment as the reason, by nobody but the person', async () => {
    const number = await resolvedTicket();
    const token = (await surveys.issueLink(number, 'mail')).token;
    await surveys.answerByToken(token, { kind: 'not_solved', comment: 'Still offline' });
    const view = (await tickets.view(number))!;
    expect(view.status).toBe('in_progress');
    expect(view.resolution).toBeNull();
    const { events } = await tickets.timeline(number, undefined, 100);
    expect(events.filter((e) => e.kind === 'reopen').at(-1)).toMatchObject({ actor: null, data: { from: 'resolved', to: 'in_progress', reason: 'Still offline' } });
    await audit.flush();
    const actions = (await store.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['survey.answered', 'ticket.reopened-by-person']));
  });

  it("takes an agent's answer only from a support session linked to the survey's ticket", async () => {
    const number = await resolvedTicket();
    const survey = (await surveys.forTicket(number))!;
    expect(await code(surveys.answerByAgent(survey.id, 'no-such-session', 'dev', { kind: 'rating', rating: 5 }))).toBe('SURVEY_ERR_NOT_FOUND');
    expect(await code(surveys.answerByAgent('no-such-survey', 'no-such-session', 'dev', { kind: 'rating', rating: 5 }))).toBe('SURVEY_ERR_NOT_FOUND');
    expect((await surveys.byId(survey.id))!.answered_at).toBeNull();
  });
});

describe('SurveyThrottle', () => {
  it('lets a burst through, then one attempt every two seconds; ten unknown links hold an address 15 minutes', () => {
    let t = 0;
    const throttle = new SurveyThrottle(undefined, () => t);
    for (let i = 0; i < 30; i++) expect(throttle.attempt('a')).toBe(0);
    expect(throttle.attempt('a')).toBeGreaterThan(0);
    expect(throttle.attempt('b')).toBe(0);
    t += 2_000;
    expect(throttle.attempt('a')).toBe(0);
    for (let i = 0; i < 10; i++) throttle.guessed('c');
    expect(throttle.attempt('c')).toBeGreaterThan(14 * 60_000);
    t += 15 * 60_000 + 1;
    expect(throttle.attempt('c')).toBe(0);
  });
});
