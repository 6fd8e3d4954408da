/**
 * `relais tickets list|show|note` (dist/cli/relais.mjs) with a level-1 technician's API
 * token against a real controller: the queue's filters (status, level, mine, followed,
 * text), a ticket with its timeline, notes from the command line and from standard input,
 * French and English words with the same --json, and the exit statuses of refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_WORDS_FR, ERRORS } from '../../protocol/index.js';
import { ticketAnswers } from '../../protocol/rest-ticket-answers.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { runRelais } from '../helpers/relais-cli.js';

let c: RunningController;
let env: Record<string, string>;
let printer: number;
let vpn: number;

async function post(cookie: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${c.url}${path}`, { method: 'POST', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const relais = (args: string[], stdin?: string) => runRelais(args, { env, ...(stdin === undefined ? {} : { stdin }) });

beforeAll(async () => {
  c = await startController();
  const admin = await login(c);
  await post(admin, '/api/users', { username: 'lea.l1', name: 'Léa Martin', password: 'lea.l1 has a long password', role: 'l1' });
  const lea = await login(c, 'lea.l1', 'lea.l1 has a long password');
  const token = (await post(lea, '/api/api-tokens', { name: 'cli' })).token as string;
  env = { RELAIS_CONTROLLER: c.url, RELAIS_TOKEN: token };
  const ticket = (title: string, impact: string) => ({ title, description: 'Since this **morning**.\nSecond line.', requester: { name: 'Claire Durand', phone: null, email: 'claire@example.com' }, category: 'hardware', impact, urgency: 'high' });
  printer = (await post(lea, '/api/tickets', ticket('Imprimante bloquée au 2e étage', 'high'))).ticket.number;
  vpn = (await post(lea, '/api/tickets', ticket('VPN drops every hour', 'low'))).ticket.number;
  await post(lea, `/api/tickets/${vpn}/actions`, { type: 'take' });
  await post(lea, `/api/tickets/${printer}/actions`, { type: 'escalate', reason: 'The fuser is faulty: level 2 on site.' });
});
afterAll(async () => c?.stop());

describe('relais tickets list', () => {
  it('prints the queue in the reader\u2019s words and filters it; --json is the same in French and English', async () => {
    const all = await relais(['tickets', 'list']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/NO\.\s+PRI\s+STATUS/);
    expect(all.stdout).toContain(`#${printer}`);
    expect(all.stdout).toContain('Escalated to level 2');
    expect(all.stdout).toContain('2 of 2 tickets.');

    const french = await relais(['tickets', 'list', '--lang', 'fr', '--level', 'L2', '--followed']);
    expect(french.code, french.stderr).toBe(0);
    expect(french.stdout).toContain('Transmis au niveau 2');
    expect(french.stdout).toContain('Imprimante bloquée au 2e étage');
    expect(french.stdout).not.toContain('VPN');
    expect(french.stdout).toContain('1 sur 1 ticket.');

    const mine = await relais(['tickets', 'list', '--mine', '--status', 'in_progress,new']);
    expect(mine.stdout).toContain('VPN drops every hour');
    expect(mine.stdout).not.toContain('Imprimante');

    const [en, fr] = await Promise.all([relais(['tickets', 'list', '--text', 'impri', '--json']), relais(['tickets', 'list', '--text', 'impri', '--json', '--lang', 'fr'])]);
    expect(en.code).toBe(0);
    const parsed = ticketAnswers.queue.omit({ nextCursor: true }).parse(JSON.parse(en.stdout));
    expect(parsed.tickets.map((t) => t.number)).toEqual([printer]);
    expect(parsed.total).toBe(1);
    // Only the SLA clocks move between two reads.
    const still = (out: string) => JSON.parse(out, (key, value) => (key === 'sla' ? null : value));
    expect(still(fr.stdout)).toEqual(still(en.stdout));
  });

  it('refuses a bad filter as a usage error (2) in the reader\u2019s words', async () => {
    const level = await relais(['tickets', 'list', '--level', 'L3', '--lang', 'fr']);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--level doit valoir L1 ou L2, reçu «\u00a0L3\u00a0».');
    const status = await relais(['tickets', 'list', '--status', 'open']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status takes statuses separated by commas');
    const stray = await relais(['tickets', 'show', '12', '--mine']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('Option --mine does not apply to "tickets show".');
  });
});

describe('relais tickets note and show', () => {
  it('adds notes from the command line and from standard input, then shows them on the timeline', async () => {
    const inline = await relais(['tickets', 'note', `#${printer}`, 'Called', 'the', 'supplier.']);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout).toBe(`Note added to #${printer} (internal).\n`);
    const piped = await relais(['tickets', 'note', String(printer), '-', '--person', '--json'], 'A technician comes **tomorrow**.\nPlease leave the printer on.\n');
    expect(piped.code, piped.stderr).toBe(0);
    expect(ticketAnswers.note.parse(JSON.parse(piped.stdout)).event).toMatchObject({ kind: 'note', visibility: 'person', actor: 'lea.l1' });

    const shown = await relais(['tickets', 'show', String(printer), '--lang', 'fr']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`#${printer}  Imprimante bloquée au 2e étage`);
    expect(shown.stdout).toMatch(/Niveau\s+Niveau 2/);
    expect(shown.stdout).toContain('Escaladé parce que\u00a0:\n    The fuser is faulty: level 2 on site.');
    expect(shown.stdout).toContain('lea.l1 a ajouté une note interne\u00a0:\n    Called the supplier.');
    expect(shown.stdout).toContain("lea.l1 a écrit à l'utilisateur\u00a0:\n    A technician comes **tomorrow**.\n    Please leave the printer on.");

    const [en, fr] = await Promise.all([relais(['tickets', 'show', String(printer), '--json']), relais(['tickets', 'show', String(printer), '--json', '--lang', 'fr'])]);
    const still = (out: string) => JSON.parse(out, (key, value) => (key === 'sla' ? null : value));
    expect(still(fr.stdout)).toEqual(still(en.stdout));
    const json = JSON.parse(en.stdout) as { ticket: unknown; events: Array<{ kind: string }>; moreEvents: boolean };
    expect(ticketAnswers.ticket.parse({ ticket: json.ticket }).ticket.number).toBe(printer);
    expect(json.events.map((e) => e.kind)).toEqual(['created', 'escalate', 'note', 'note']);
    expect(json.moreEvents).toBe(false);
  });

  it('an unknown ticket is a refusal (2) in the catalog\u2019s words; an empty note adds nothing', async () => {
    const unknown = await relais(['tickets', 'show', '999999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${ERRORS.TICKET_ERR_NOT_FOUND.message} (TICKET_ERR_NOT_FOUND)`);
    const french = await relais(['tickets', 'note', '999999', 'x', '--lang', 'fr']);
    expect(french.code).toBe(2);
    expect(french.stderr).toContain(ERROR_WORDS_FR.TICKET_ERR_NOT_FOUND);
    const empty = await relais(['tickets', 'note', String(vpn), '-'], '   \n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('The note is empty: nothing was added.');
    const noText = await relais(['tickets', 'note', String(vpn)]);
    expect(noText.code).toBe(2);
    const show = JSON.parse((await relais(['tickets', 'show', String(vpn), '--json'])).stdout) as { events: Array<{ kind: string }> };
    expect(show.events.filter((e) => e.kind === 'note')).toEqual([]);
  });
});
