import { describe, expect, it } from 'vitest';
import { ERRORS, translator } from '../../protocol/index.js';
import { ticketCatalog } from '../../protocol/ticket-catalog.js';
import {
  SEVERITY_LEVELS,
  TICKET_LIMITS,
  newTicket,
  newTicketInput,
  priorityOf,
  requester,
  ticket as ticketSchema,
  ticketDescription,
  ticketInvariantProblems,
  ticketTitle,
} from '../../protocol/ticket-model.js';

const input = {
  title: 'Printer on floor 2 prints blank pages',
  description: 'Since this morning.\nAll pages blank.',
  requester: { name: 'Camille Martin', phone: '+33 1 23 45 67 89', email: 'camille.martin@example.fr' },
  category: 'hardware',
  impact: 'medium',
  urgency: 'high',
};

describe('ticket model', () => {
  it('priority follows the ITIL impact × urgency matrix', () => {
    const table = SEVERITY_LEVELS.map((impact) => SEVERITY_LEVELS.map((urgency) => priorityOf(impact, urgency)));
    expect(table).toEqual([
      ['P1', 'P2', 'P3'],
      ['P2', 'P3', 'P4'],
      ['P3', 'P4', 'P4'],
    ]);
  });

  it('a new ticket from valid input is a valid state of the machine', () => {
    const parsed = newTicketInput.parse(input);
    const t = newTicket(parsed, 'tk1', 1042, 1_000);
    expect(t).toMatchObject({ status: 'new', level: 'L1', priority: 'P2', version: 1, assigneeId: null, number: 1042 });
    expect(ticketSchema.safeParse(t).success).toBe(true);
    expect(ticketInvariantProblems(t)).toEqual([]);
  });

  it('bounds the title to 200 characters on one line, and refuses an empty one', () => {
    expect(ticketTitle.safeParse('x'.repeat(TICKET_LIMITS.title)).success).toBe(true);
    expect(ticketTitle.safeParse('x'.repeat(TICKET_LIMITS.title + 1)).success).toBe(false);
    expect(ticketTitle.safeParse('two\nlines').success).toBe(false);
    expect(ticketTitle.safeParse('   ').success).toBe(false);
  });

  it('bounds the description to 20 000 characters, line breaks allowed, controls refused', () => {
    expect(ticketDescription.safeParse(`${'é'.repeat(19_998)}\r\n`).success).toBe(true);
    expect(ticketDescription.safeParse('x'.repeat(TICKET_LIMITS.description + 1)).success).toBe(false);
    expect(ticketDescription.safeParse('bell \u0007').success).toBe(false);
    expect(ticketDescription.safeParse('override \u202e').success).toBe(false);
  });

  it('validates the requester: a name, a phone number, an e-mail address', () => {
    const ok = (r: unknown) => requester.safeParse(r).success;
    expect(ok({ name: 'Sam', phone: null, email: null })).toBe(true);
    expect(ok({ name: 'Sam', phone: '01.23.45.67.89', email: 'sam@example.com' })).toBe(true);
    expect(ok({ name: 'Sam', phone: '(555) 010-2030', email: null })).toBe(true);
    expect(ok({ name: '', phone: null, email: null })).toBe(false);
    expect(ok({ name: 'Sam', phone: 'call me', email: null })).toBe(false);
    expect(ok({ name: 'Sam', phone: '12', email: null })).toBe(false);
    expect(ok({ name: 'Sam', phone: null, email: 'sam@localhost' })).toBe(false);
    expect(ok({ name: 'Sam', phone: null, email: 'sam example@x.fr' })).toBe(false);
    expect(ok({ name: 'x'.repeat(129), phone: null, email: null })).toBe(false);
  });

  it('the invariants catch a state outside the machine', () => {
    const t = newTicket(newTicketInput.parse(input), 'tk1', 1, 0);
    expect(ticketInvariantProblems({ ...t, status: 'waiting_user' })).toContain('a waiting reason exactly while waiting_user');
    expect(ticketInvariantProblems({ ...t, status: 'escalated' })).toContain('an escalated ticket is level 2 and waits for a level-2 owner');
    expect(ticketInvariantProblems({ ...t, priority: 'P4' })).toContain('the priority follows impact and urgency');
  });

  it('every ticket error has words, and the catalog names each value in both languages', () => {
    for (const code of ['TICKET_ERR_BAD_TRANSITION', 'TICKET_ERR_VERSION_CONFLICT', 'TICKET_ERR_NOT_FOUND', 'TICKET_ERR_FORBIDDEN_ACTION']) {
      expect(ERRORS).toHaveProperty(code);
    }
    expect(ERRORS.TICKET_ERR_VERSION_CONFLICT.status).toBe(409);
    expect(ERRORS.TICKET_ERR_BAD_TRANSITION.status).toBe(409);
    const fr = translator(ticketCatalog, 'fr');
    const en = translator(ticketCatalog, 'en');
    expect(fr('status', { status: 'waiting_user' })).toBe("En attente de l'utilisateur");
    expect(en('status', { status: 'escalated' })).toBe('Escalated to level 2');
    expect(fr('category', { category: 'account' })).toBe('Compte et accès');
    expect(fr('eventAutoClose', { days: 7 })).toBe('Clôturé automatiquement 7 jours après sa résolution.');
    expect(en('eventAutoClose', { days: 1 })).toBe('Closed automatically 1 day after its resolution.');
    expect(fr('eventEscalate', { actor: 'Léa', reason: 'droits admin' })).toBe('Léa a transmis le ticket au niveau 2\u00a0: droits admin');
  });
});
