/**
 * Satisfaction with real processes: a real controller, the real agent in a real terminal.
 * Resolving a ticket whose support session is still connected asks the person at the
 * agent, who rates it there; a single-use link (the resolution e-mail's, the support
 * page's) answers once, expires, refuses unknown tokens and throttles an address that
 * guesses; "not solved" reopens the ticket with the comment on its timeline; the answers
 * reach the dashboard, which only administrators read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportAnswer } from '../../protocol/report-model.js';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { eventually } from '../helpers/until.js';

let c: RunningController;
let admin: string;
const agents: AgentInTerminal[] = [];

async function call(cookie: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { origin: c.url, ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function newTicket(title: string): Promise<number> {
  const created = await call(admin, 'POST', '/api/tickets', {
    title, description: '', requester: { name: 'Claire Martin', phone: null, email: 'claire@example.com' }, category: 'hardware', impact: 'medium', urgency: 'high',
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const number: number = created.json.ticket.number;
  expect((await call(admin, 'POST', `/api/tickets/${number}/actions`, { type: 'take' })).status).toBe(200);
  return number;
}

async function resolve(number: number): Promise<void> {
  const done = await call(admin, 'POST', `/api/tickets/${number}/actions`, { type: 'resolve', resolution: 'Printer driver reinstalled.', solutionType: 'fix' });
  expect(done.status, JSON.stringify(done.json)).toBe(200);
}

async function timeline(number: number): Promise<Array<{ kind: string; actor: string | null; visibility: string; data: Record<string, any> }>> {
  return (await call(admin, 'GET', `/api/tickets/${number}/timeline?limit=500`)).json.events;
}

/** A fresh single-use link, as the technician's e-mail text carries it. */
async function mailLink(number: number): Promise<string> {
  const made = await call(admin, 'POST', `/api/tickets/${number}/survey-link`);
  expect(made.status, JSON.stringify(made.json)).toBe(201);
  expect(made.json.url).toMatch(/\/survey\/[A-Za-z0-9_-]{43}$/);
  return made.json.url;
}

function form(fields: Record<string, string>, url: string, language = 'en'): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { origin: c.url, 'accept-language': language, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => c?.stop());

describe('at the agent', () => {
  it('resolving the ticket of a connected session asks the person, who rates it with a key and a comment; it shows on the dashboard', async () => {
    const number = await newTicket('Printer offline on the 2nd floor');
    const link = await call(admin, 'POST', '/api/support-links', { ticketNumber: number });
    const agent = startAgentInTerminal(['join', link.json.url, '--no-prompt'], { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: 'en' });
    agents.push(agent);
    await eventually(() => timeline(number), (events) => events.some((e) => e.kind === 'agent_joined'), 20_000, 'the join on the timeline');
    await agent.waitFor('report was sent', 20_000).catch(() => undefined);

    await resolve(number);
    await agent.waitFor('Your rating [1-5/N]:', 15_000);
    expect(agent.screen().toString()).toContain(`#${number}`);
    agent.type('4');
    await agent.waitFor('A comment?');
    agent.type('Quick and friendly\r');
    await agent.waitFor('Thank you, your answer was sent.');

    const events = await eventually(() => timeline(number), (e) => e.some((x) => x.kind === 'survey_answered'), 10_000, 'the answer on the timeline');
    const answered = events.find((e) => e.kind === 'survey_answered')!;
    expect(answered.visibility).toBe('person');
    expect(answered.data).toMatchObject({ rating: 4, notSolved: false, comment: 'Quick and friendly', via: 'agent' });
    // Answered once: no link can be made for it any more.
    expect((await call(admin, 'POST', `/api/tickets/${number}/survey-link`)).json.error.code).toBe('SURVEY_ERR_USED');

    const report = reportAnswer.parse((await call(admin, 'GET', '/api/reports')).json);
    expect(report.ratings[3]).toBeGreaterThanOrEqual(1);
    expect(report.cards.satisfactionAverage).not.toBeNull();
    expect(report.cards.resolved).toBeGreaterThanOrEqual(1);
    const answers = await call(admin, 'GET', '/api/satisfaction/answers');
    expect(answers.json.answers[0]).toMatchObject({ ticketNumber: number, rating: 4, via: 'agent', comment: 'Quick and friendly' });
  }, 90_000);
});

describe('single-use links', () => {
  it('the e-mail link shows the survey, answers once, then says it was answered', async () => {
    const number = await newTicket('Screen stays black');
    expect((await call(admin, 'POST', `/api/tickets/${number}/survey-link`)).json.error.code).toBe('SURVEY_ERR_NOT_RESOLVED');
    await resolve(number);
    const url = await mailLink(number);
    const page = await fetch(url, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-language')).toBe('fr');
    const html = await page.text();
    expect(html).toContain('Votre problème est-il résolu');
    expect(html).toContain(`#${number}`);
    // Opening the page uses nothing: it opens again.
    expect((await fetch(url)).status).toBe(200);
    // No rating chosen: the form again, with the comment kept.
    const empty = await form({ comment: 'Kept here' }, url);
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Kept here');
    // A comment over the bound is refused with the catalog's words; nothing is answered.
    const long = await form({ rating: '5', comment: 'x'.repeat(1001) }, url);
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('The answer is not valid');
    const ok = await form({ rating: '5', comment: 'Works\nagain' }, url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('data-testid="survey-thanks"');
    const again = await form({ rating: '1' }, url);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('data-code="SURVEY_ERR_USED"');
    expect((await fetch(url)).status).toBe(410);
    const answered = (await timeline(number)).find((e) => e.kind === 'survey_answered')!;
    expect(answered.data).toMatchObject({ rating: 5, comment: 'Works again', via: 'page' });
    // Another site's form may not answer.
    const foreign = await fetch(url.replace(/[A-Za-z0-9_-]{43}$/, 'A'.repeat(43)), { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'rating=1' });
    expect(foreign.status).toBe(403);
  }, 60_000);

  it('"not solved" reopens the ticket, with the comment on its timeline, by the person', async () => {
    const number = await newTicket('VPN drops every ten minutes');
    await resolve(number);
    const url = await mailLink(number);
    const answered = await form({ rating: 'not_solved', comment: 'Still drops at 11:00' }, url);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('data-testid="survey-reopened"');
    const ticket = (await call(admin, 'GET', `/api/tickets/${number}`)).json.ticket;
    expect(ticket.status).toBe('in_progress');
    const events = await timeline(number);
    const reopen = events.filter((e) => e.kind === 'reopen').pop()!;
    expect(reopen.actor).toBeNull();
    expect(reopen.data).toMatchObject({ from: 'resolved', to: 'in_progress', reason: 'Still drops at 11:00' });
    expect(events.find((e) => e.kind === 'survey_answered')!.data).toMatchObject({ notSolved: true, rating: null, comment: 'Still drops at 11:00' });
    const audit = await call(admin, 'GET', `/api/audit?target=${encodeURIComponent(`#${number}`)}`);
    const actions = audit.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['survey.answered', 'ticket.reopened-by-person']));
  }, 60_000);

  it('the support page of a session whose ticket is resolved shows a link to rate it', async () => {
    const number = await newTicket('Keyboard does not answer');
    const link = await call(admin, 'POST', '/api/support-links', { ticketNumber: number });
    const agent = startAgentInTerminal(['join', link.json.url, '--no-prompt'], { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: 'en' });
    agents.push(agent);
    await eventually(() => timeline(number), (events) => events.some((e) => e.kind === 'agent_joined'), 20_000, 'the join on the timeline');
    await resolve(number);
    await agent.waitFor('Your rating [1-5/N]:', 15_000);
    // The person skips at the agent, then answers from the support page.
    agent.type('\r');
    await agent.waitFor('No answer sent');
    const page = await (await fetch(`${c.url}/s/${link.json.code}`)).text();
    const href = /href="([^"]+\/survey\/[A-Za-z0-9_-]{43})"/.exec(page)?.[1];
    expect(page).toContain('data-testid="support-survey"');
    expect(href).toBeTruthy();
    const ok = await form({ rating: '3' }, href!);
    expect(ok.status).toBe(200);
    // Answered: the support page offers it no more.
    expect(await (await fetch(`${c.url}/s/${link.json.code}`)).text()).not.toContain('support-survey');
  }, 90_000);
});

describe('refusals', () => {
  let short: RunningController;
  let cookie: string;
  beforeAll(async () => {
    // About 1.7 seconds to answer.
    short = await startController({ args: ['--satisfaction-expiry-days', '0.00002'] });
    cookie = await login(short);
  });
  afterAll(async () => short?.stop());

  it('a link expires with its survey; unknown tokens are refused and an address that keeps guessing is throttled', async () => {
    const post = (path: string, body?: unknown) => fetch(`${short.url}${path}`, { method: 'POST', headers: { origin: short.url, cookie, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const created = await (await post('/api/tickets', { title: 'Mailbox full', description: '', requester: { name: 'Paul', phone: null, email: null }, category: 'software', impact: 'low', urgency: 'low' })).json();
    const number = created.ticket.number;
    expect((await post(`/api/tickets/${number}/actions`, { type: 'resolve', resolution: 'Archived old mail.', solutionType: 'fix' })).status).toBe(200);
    const made = await post(`/api/tickets/${number}/survey-link`);
    const { url, expiresAt } = (await made.json()) as { url: string; expiresAt: number };
    expect(expiresAt - Date.now()).toBeLessThan(2_000);
    // Wait on the clock, not by polling the page: every visit counts against the address's throttle.
    await eventually(async () => Date.now(), (now) => now > expiresAt, 10_000, 'the link\'s expiry time');
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('data-code="SURVEY_ERR_EXPIRED"');
    expect((await fetch(url, { method: 'POST', headers: { origin: short.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'rating=5' })).status).toBe(410);

    const wrong = await fetch(`${short.url}/survey/${'B'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).toContain('data-code="SURVEY_ERR_NOT_FOUND"');
    expect((await fetch(`${short.url}/survey/short`)).status).toBe(404);
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) status = (await fetch(`${short.url}/survey/${String(i).padStart(43, 'C')}`)).status;
    expect(status).toBe(429);
    // Throttled whatever the link: a good one waits too, with Retry-After.
    const held = await fetch(url);
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);

  it('reports and answers are for administrators: a technician is refused with the catalog code, bad filters name the field', async () => {
    const made = await fetch(`${short.url}/api/users`, { method: 'POST', headers: { origin: short.url, cookie, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech.one', name: 'Tech One', password: 'a-long-enough-password', role: 'technician' }) });
    expect(made.status).toBe(201);
    const tech = await login(short, 'tech.one', 'a-long-enough-password');
    for (const path of ['/api/reports', '/api/reports/daily/csv', '/api/satisfaction/answers']) {
      const res = await fetch(`${short.url}${path}`, { headers: { cookie: tech } });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('AUTH_ERR_FORBIDDEN');
    }
    // Each refused filter is named in error.field (the dashboard's and the answers list's alike), in the reader's language.
    const refused: Array<[string, string, string]> = [
      ['/api/reports?from=2026-02-30', 'from', 'format'], ['/api/reports?from=2026-13-01', 'from', 'format'], ['/api/reports?to=yesterday', 'to', 'format'],
      ['/api/reports?from=2026-05-01&to=2026-04-01', 'to', 'tooSmall'], ['/api/reports?from=2024-01-01&to=2026-01-01', 'to', 'tooLarge'],
      ['/api/reports?technician=abc', 'technician', 'invalid'], ['/api/reports?technician=0', 'technician', 'tooSmall'], ['/api/reports?color=red', 'body', 'invalid'],
      ['/api/reports/daily/csv?from=2026-02-30', 'from', 'format'],
      ['/api/satisfaction/answers?limit=0', 'limit', 'tooSmall'], ['/api/satisfaction/answers?limit=101', 'limit', 'tooLarge'],
      ['/api/satisfaction/answers?from=01/02/2026', 'from', 'format'], ['/api/satisfaction/answers?cursor=x', 'cursor', 'format'],
      ['/api/satisfaction/answers?technician=-1', 'technician', 'tooSmall'],
    ];
    for (const [path, field, reason] of refused) {
      const res = await fetch(`${short.url}${path}`, { headers: { cookie, 'accept-language': 'fr-FR' } });
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as any;
      expect(error.code, path).toBe('REPORT_ERR_INVALID_FIELD');
      expect(error.field, path).toMatchObject({ path: field, reason });
      expect(error.message, path).toContain('filtre');
    }
    // The dashboard says its server time and CPU time, as the tickets' and the knowledge base's routes do (the benches read them).
    const timed = await fetch(`${short.url}/api/reports`, { headers: { cookie } });
    expect(timed.headers.get('server-timing')).toMatch(/^app;dur=[0-9.]+, cpu;dur=[0-9.]+$/);
    const csv = await fetch(`${short.url}/api/reports/daily/csv?from=2026-01-01&to=2026-01-03`, { headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await csv.arrayBuffer());
    // A byte-order mark first, so spreadsheets read UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')).toEqual(['day,opened,resolved,own_breaches,resolve_breaches', '2026-01-01,0,0,0,0', '2026-01-02,0,0,0,0', '2026-01-03,0,0,0,0', '']);
  }, 60_000);
});
