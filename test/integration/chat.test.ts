/**
 * Chat with the person (issue 15, point 4), across real processes: a real controller,
 * a real agent in a real terminal, a console speaking the protocol like the browser.
 * A message each way, stored with the session and on its ticket, shown on the person's
 * screen as a labelled line (never run), the support page's side, and what is refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MAX_CHARS, controllerToConsole, encodeControl } from '../../protocol/index.js';
import { chatAnswers } from '../../protocol/rest-chat-answers.js';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { startAgentInTerminal, type AgentInTerminal } from '../helpers/agent-in-terminal.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';
import { startWithConsole, type ControllerWithConsole } from '../helpers/console-client.js';
import { until } from '../helpers/until.js';

let suite: ControllerWithConsole;
const agents: AgentInTerminal[] = [];

beforeAll(async () => {
  suite = await startWithConsole();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(() => suite?.stop());

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const { controller: c, cookie } = suite;
  const res = await fetch(`${c.url}${path}`, {
    method, headers: { cookie, origin: c.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** A ticket, a link from it, and the real agent joined with it in a real terminal. */
async function joinFromTicket() {
  const { console } = suite;
  const known = new Set(console.messages.flatMap((m) => (m.t === 'device.update' ? [m.device.id] : [])));
  const created = await api('POST', '/api/tickets', {
    title: 'Printer does not print', description: 'It does not print.', requester: { name: 'Claire Martin', phone: '+33 1 23 45 67 89', email: 'claire.martin@example.com' },
    category: 'hardware', impact: 'medium', urgency: 'medium',
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const ticket = ticketAnswers.ticket.parse(created.json).ticket;
  const link = (await api('POST', '/api/support-links', { ticketNumber: ticket.number })).json as { url: string; code: string };
  const agent = startAgentInTerminal(['join', link.url, '--no-prompt']);
  agents.push(agent);
  const { device } = await console.waitFor('device.update', (m) => !known.has(m.device.id) && m.device.online && m.device.brief !== null, 30_000);
  await agent.waitFor('press M', 30_000);
  return { agent, deviceId: device.id, ticket, link };
}

describe('chat between the technician and the person', () => {
  it('goes both ways, is stored, shown on the person\'s screen as a labelled line, and lands on the ticket', async () => {
    const { console, controller: c } = suite;
    const { agent, deviceId, ticket, link } = await joinFromTicket();

    // Technician → person: on the person's terminal, labelled with the technician's name, never run.
    const text = 'Bonjour ! Pouvez-vous ouvrir le menu « Imprimantes » ? $(touch /tmp/relais-chat-never)';
    console.send({ t: 'chat.send', deviceId, text });
    const echoed = await console.waitFor('chat.message', (m) => m.deviceId === deviceId && m.side === 'technician');
    expect(echoed).toMatchObject({ text, side: 'technician', from: 'Administrator' });
    expect(controllerToConsole.safeParse(echoed).success).toBe(true);
    await agent.waitFor(text);
    const screen = agent.screen().toString('utf8');
    const line = screen.slice(screen.lastIndexOf('\n', screen.indexOf(text)), screen.indexOf(text));
    expect(line).toContain('Message from Administrator');
    expect(line).toContain('\x1b[1;30;43m');

    // Person → technician: M, the message, Enter.
    agent.type('m');
    await agent.waitFor('Your message to the technician');
    agent.type('Elle affiche « erreur 0x42 » 🖨️\r');
    const reply = await console.waitFor('chat.message', (m) => m.deviceId === deviceId && m.side === 'person');
    expect(reply).toMatchObject({ text: 'Elle affiche « erreur 0x42 » 🖨️', from: null });
    await agent.waitFor('Message sent to your technician');

    // Stored with the session: the history, newest first.
    const history = chatAnswers.page.parse((await api('GET', `/api/devices/${deviceId}/chat`)).json);
    expect(history.messages.map((m) => [m.side, m.text])).toEqual([['person', reply.text], ['technician', text]]);
    const paged = chatAnswers.page.parse((await api('GET', `/api/devices/${deviceId}/chat?limit=1`)).json);
    expect(paged.messages).toHaveLength(1);
    const rest = chatAnswers.page.parse((await api('GET', `/api/devices/${deviceId}/chat?limit=1&before=${paged.nextCursor}`)).json);
    expect(rest.messages.map((m) => m.text)).toEqual([text]);

    // And on the ticket's timeline.
    const timeline = ticketAnswers.timeline.parse((await api('GET', `/api/tickets/${ticket.number}/timeline`)).json).events;
    expect(timeline.filter((e) => e.kind === 'chat').map((e) => e.data)).toEqual([
      expect.objectContaining({ side: 'technician', text }), expect.objectContaining({ side: 'person', text: reply.text }),
    ]);

    // The support page shows the same conversation and takes the person's message too.
    const code = link.code;
    const page = await fetch(`${c.url}/s/${code}`).then((r) => r.text());
    expect(page).toContain('data-testid="support-chat-log"');
    const polled = chatAnswers.since.parse(await fetch(`${c.url}/s/${code}/chat?after=0`).then((r) => r.json()));
    expect(polled.messages.map((m) => m.text)).toEqual([text, reply.text]);
    const posted = await fetch(`${c.url}/s/${code}/chat`, { method: 'POST', headers: { origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Depuis la page' }) });
    expect(posted.status).toBe(201);
    await console.waitFor('chat.message', (m) => m.deviceId === deviceId && m.text === 'Depuis la page' && m.side === 'person');
    const garbage = await fetch(`${c.url}/s/${code}/chat`, { method: 'POST', headers: { origin: c.url, 'content-type': 'application/json', 'accept-language': 'fr' }, body: JSON.stringify({ text: 'x'.repeat(CHAT_MAX_CHARS + 1) }) });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { code: 'CHAT_ERR_INVALID_TEXT', message: expect.stringContaining('2\u00a0000 caractères') } });
    // A wrong code answers in the same shape as every other route.
    const unknown = await fetch(`${c.url}/s/111111111/chat`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'AUTH_ERR_BAD_CODE' } });
  }, 90_000);

  it('refuses text over the bound, control characters and empty text with catalog errors, and nothing reaches the person', async () => {
    const { console } = suite;
    const { agent, deviceId } = await joinFromTicket();
    const before = console.messages.filter((m) => m.t === 'error').length;
    for (const text of ['x'.repeat(CHAT_MAX_CHARS + 1), 'clear\x1b[2J', 'a\nb', '   ']) {
      console.ws.send(encodeControl({ t: 'chat.send', deviceId, text } as never));
    }
    await until(() => console.messages.filter((m) => m.t === 'error').length >= before + 4, 10_000, 'four refusals');
    const errors = console.messages.filter((m) => m.t === 'error').slice(before);
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(Array(4).fill('PROTO_ERR_INVALID_MESSAGE'));
    const stored = chatAnswers.page.parse((await api('GET', `/api/devices/${deviceId}/chat`)).json);
    expect(stored.messages).toEqual([]);
    expect(agent.screen().toString('utf8')).not.toContain('Message from');

    // A device with no connection is refused with the catalog's code.
    console.send({ t: 'chat.send', deviceId: 'no-such-device', text: 'hello' });
    await console.waitFor('error', (m) => m.code === 'SHELL_ERR_DEVICE_OFFLINE');
  }, 90_000);

  it('a flood is refused past a burst, on the page and from the console, with CHAT_ERR_TOO_FAST; what went through is stored once', async () => {
    const { console, controller: c } = suite;
    const { deviceId, link } = await joinFromTicket();
    const post = (i: number) => fetch(`${c.url}/s/${link.code}/chat`, { method: 'POST', headers: { origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify({ text: `page ${i}` }) });
    const answers = [];
    for (let i = 0; i < 15; i++) answers.push(await post(i));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 201).length).toBeLessThan(15);
    const refused = answers.find((r) => r.status === 429)!;
    expect(await refused.json()).toMatchObject({ error: { code: 'CHAT_ERR_TOO_FAST' } });
    const before = console.messages.filter((m) => m.t === 'error' && (m as { code: string }).code === 'CHAT_ERR_TOO_FAST').length;
    for (let i = 0; i < 30; i++) console.send({ t: 'chat.send', deviceId, text: `console ${i}` });
    const tooFast = () => console.messages.filter((m) => m.t === 'error' && (m as { code: string }).code === 'CHAT_ERR_TOO_FAST').length - before;
    const told = () => console.messages.filter((m) => m.t === 'chat.message' && m.deviceId === deviceId && m.text.startsWith('console ')).length;
    // Every message is either told to the consoles (stored) or refused.
    await until(() => tooFast() + told() >= 30, 10_000, 'thirty answers');
    const stored = chatAnswers.page.parse((await api('GET', `/api/devices/${deviceId}/chat`)).json).messages;
    const fromConsole = stored.filter((m) => m.text.startsWith('console '));
    expect(fromConsole.length).toBeLessThan(30);
    expect(new Set(fromConsole.map((m) => m.text)).size).toBe(fromConsole.length);
    expect(fromConsole.length).toBe(told());
    expect(tooFast()).toBe(30 - fromConsole.length);
  }, 90_000);

  it('while a shell is mirrored, a message is printed on a line of its own between the shell\'s output, labelled', async () => {
    const { console } = suite;
    const { agent, deviceId } = await joinFromTicket();
    await agent.waitFor('diagnostics report', 30_000);
    const channel = await console.requestShell(deviceId, 120, 40);
    await agent.waitFor('[y/N]');
    agent.type('y');
    await console.waitFor('shell.opened', (m) => m.channel === channel);
    // A shell line left without its end: the message must still start on a fresh line.
    console.type(channel, 'printf "PARTIAL-$((6*7))"\r');
    await agent.waitFor('PARTIAL-42');
    console.send({ t: 'chat.send', deviceId, text: 'Je regarde les journaux.' });
    await agent.waitFor('Je regarde les journaux.');
    const screen = agent.screen().toString('utf8');
    const at = screen.indexOf('Je regarde les journaux.');
    const before = screen.slice(screen.lastIndexOf('PARTIAL-42'), at);
    expect(before).toMatch(/PARTIAL-42[^]*\r\n\x1b\[0m\x1b\[1;30;43m ✉ Message from Administrator \x1b\[0m \x1b\[1m$/);
    console.type(channel, 'echo AFTER-$((2*4))\r');
    await agent.waitFor('AFTER-8');
  }, 90_000);

  it('the person\'s answer ends the ticket\'s wait for the user (recorded by the controller, audited); the technician\'s words do not', async () => {
    const { console, controller: c } = suite;
    const { deviceId, ticket, link } = await joinFromTicket();
    const act = (body: Record<string, unknown>) => api('POST', `/api/tickets/${ticket.number}/actions`, body);
    const statusNow = async () => ticketAnswers.ticket.parse((await api('GET', `/api/tickets/${ticket.number}`)).json).ticket.status;
    const kinds = async () => ticketAnswers.timeline.parse((await api('GET', `/api/tickets/${ticket.number}/timeline`)).json).events.map((e) => e.kind);
    const fromPage = async (text: string) => {
      const posted = await fetch(`${c.url}/s/${link.code}/chat`, { method: 'POST', headers: { origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
      expect(posted.status).toBe(201);
    };

    // Not waiting: the person's words change nothing.
    expect((await act({ type: 'take' })).status).toBe(200);
    await fromPage('Bonjour');
    expect(await statusNow()).toBe('in_progress');
    expect(await act({ type: 'wait_for_user', reason: 'Asked her to restart the printer.' })).toMatchObject({ status: 200 });
    // The technician writing does not end the wait.
    console.send({ t: 'chat.send', deviceId, text: 'Dites-moi quand elle a redémarré.' });
    await console.waitFor('chat.message', (m) => m.deviceId === deviceId && m.side === 'technician' && m.text.startsWith('Dites-moi'));
    expect(await statusNow()).toBe('waiting_user');
    // The person answers from the support page: the ticket is worked on again.
    await fromPage("C'est fait, elle a redémarré.");
    expect(await statusNow()).toBe('in_progress');
    const events = ticketAnswers.timeline.parse((await api('GET', `/api/tickets/${ticket.number}/timeline`)).json).events;
    const replied = events.filter((e) => e.kind === 'user_replied');
    expect(replied).toHaveLength(1);
    expect(replied[0]).toMatchObject({ actor: null, data: { from: 'waiting_user', to: 'in_progress' } });
    expect(events.map((e) => e.kind).slice(-2)).toEqual(['chat', 'user_replied']);
    // Once more: nothing left to end.
    await fromPage('Merci !');
    expect((await kinds()).filter((k) => k === 'user_replied')).toHaveLength(1);
    const audit = (await api('GET', `/api/audit?action=ticket.action&target=${encodeURIComponent(`#${ticket.number}`)}&limit=20`)).json.entries as Array<{ actor: string; detail: any }>;
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'system', detail: expect.objectContaining({ action: 'user_replied', from: 'waiting_user', to: 'in_progress', via: 'chat' }) }));
  }, 90_000);

  it('chat.reply from an attended agent reaches the consoles', async () => {
    const { controller: c, console } = suite;
    const link = (await api('POST', '/api/support-links')).json as { code: string };
    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.code, 'proto-host'));
    const welcome = (await agent.next()) as { t: string; deviceId: string };
    expect(welcome.t).toBe('welcome');
    agent.send({ t: 'chat.reply', text: 'depuis un agent' });
    await console.waitFor('chat.message', (m) => m.deviceId === welcome.deviceId && m.text === 'depuis un agent');
    agent.ws.close();
  }, 60_000);
});
