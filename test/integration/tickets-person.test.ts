/**
 * The person's own words and the live timeline (issue 10): the agent's one-line question at
 * the terminal, the support page's form, person_described and findings on the ticket's
 * timeline, a ticket created when a link without one brings a description, and
 * ticket.event pushed to a console watching the ticket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { connectConsole } from '../helpers/console-client.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';

let c: RunningController;
let admin: string;
const agents: Array<AgentInTerminal | RunningAgent> = [];

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { origin: c.url, cookie: admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function timelineUntil(number: number, kinds: string[]): Promise<Array<{ kind: string; visibility: string; data: Record<string, any> }>> {
  let events: Array<{ kind: string; visibility: string; data: Record<string, any> }> = [];
  for (let i = 0; i < 300; i++) {
    events = ticketAnswers.timeline.parse((await call('GET', `/api/tickets/${number}/timeline`)).json).events as typeof events;
    if (kinds.every((k) => events.some((e) => e.kind === k))) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timeline of #${number} lacks ${kinds.join(', ')}: ${events.map((e) => e.kind).join(', ')}`);
}

beforeAll(async () => {
  c = await startController();
  admin = await login(c);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => c?.stop());

describe("the person's words on the ticket", () => {
  it('a link made for a ticket: the line typed at the prompt, the join and the findings land on the timeline, pushed live to a watching console', async () => {
    const created = await call('POST', '/api/tickets', {
      title: 'Mail does not work', description: '', requester: { name: 'Claire Martin', phone: null, email: null }, category: 'software', impact: 'medium', urgency: 'medium',
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const number: number = created.json.ticket.number;
    const link = await call('POST', '/api/support-links', { ticketNumber: number });
    expect(link.status).toBe(201);
    const console_ = await connectConsole(c, admin);
    await console_.waitFor('welcome');
    console_.send({ t: 'ticket.watch', number });

    const agent = startAgentInTerminal(['join', link.json.url], { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '', RELAIS_LANG: 'en' });
    agents.push(agent);
    await agent.waitFor('Describe your problem in one sentence');
    agent.type('Outlook freezes when I open the calendar\r');

    const events = await timelineUntil(number, ['person_described', 'agent_joined', 'findings']);
    const described = events.find((e) => e.kind === 'person_described')!;
    expect(described.visibility).toBe('person');
    expect(described.data).toMatchObject({ text: 'Outlook freezes when I open the calendar', source: 'agent' });
    expect(described.data.deviceIds).toHaveLength(1);
    const findings = events.find((e) => e.kind === 'findings')!;
    expect(findings.data).toMatchObject({ deviceId: described.data.deviceId, join: true });
    expect(typeof findings.data.snapshotId).toBe('number');
    expect(typeof findings.data.count).toBe('number');
    expect(JSON.stringify(findings.data).length).toBeLessThan(400);

    const pushed = await console_.waitFor('ticket.event', (m) => m.number === number && m.event.kind === 'findings');
    expect(pushed.event.id).toBeGreaterThan(0);
    expect(console_.messages.some((m) => m.t === 'ticket.event' && m.event.kind === 'person_described')).toBe(true);
    // Unwatched: later events of this ticket are not pushed any more.
    console_.send({ t: 'ticket.unwatch', number });
    await new Promise((r) => setTimeout(r, 200));
    const before = console_.messages.filter((m) => m.t === 'ticket.event').length;
    expect((await call('POST', `/api/tickets/${number}/notes`, { body: 'Seen.', visibility: 'internal' })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(console_.messages.filter((m) => m.t === 'ticket.event').length).toBe(before);
    await console_.close();
  }, 60_000);

  it('a link without a ticket and a line from the support page (French browser): French thanks, then the join creates a ticket', async () => {
    const link = await call('POST', '/api/support-links', {});
    expect(link.status).toBe(201);
    const page = await fetch(`${c.url}/s/${link.json.code}/problem`, {
      method: 'POST',
      headers: { origin: c.url, 'accept-language': 'fr-FR,fr;q=0.9', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ problem: "L'imprimante du deuxième étage n'imprime plus" }).toString(),
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-language')).toBe('fr');
    expect(await page.text()).toContain('Merci, votre technicien le verra.');
    // Another site's form may not write here.
    const foreign = await fetch(`${c.url}/s/${link.json.code}/problem`, {
      method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'problem=x',
    });
    expect(foreign.status).toBe(403);

    const agent = spawnAgent(['join', link.json.url, '--no-prompt'], { env: { RELAIS_LANG: 'en' } });
    agents.push(agent);
    let found: any = null;
    for (let i = 0; i < 300 && !found; i++) {
      const list = await call('GET', `/api/tickets?q=${encodeURIComponent('imprimante')}`);
      found = list.json?.tickets?.[0] ?? null;
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toMatchObject({ title: "L'imprimante du deuxième étage n'imprime plus", category: 'other', impact: 'medium', urgency: 'medium', supportLinkId: link.json.id });
    expect(found.assignee).toMatchObject({ username: 'admin' });
    const events = await timelineUntil(found.number, ['created', 'person_described', 'agent_joined']);
    expect(events[0]).toMatchObject({ kind: 'created', data: { automatic: true } });
    expect(events.find((e) => e.kind === 'person_described')!.data).toMatchObject({ source: 'page' });
  }, 60_000);
});
