/**
 * How an account acts on tickets: its role is the ticket role (level 1, level 2,
 * administrator; migration 0019). The mapping stays here, the one place to change
 * should account roles and ticket roles ever part.
 */
import type { TechnicianRole } from '../../../protocol/ticket-model.js';
import type { TicketActor } from '../../../protocol/ticket-transitions.js';

export function ticketRoleOf(account: { readonly role: TechnicianRole }): TechnicianRole {
  return account.role;
}

export function ticketActorOf(account: { readonly id: number; readonly role: TechnicianRole }): TicketActor {
  return { id: String(account.id), role: ticketRoleOf(account) };
}
