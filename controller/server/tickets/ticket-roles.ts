/**
 * How an account acts on tickets. Accounts have no level-2 role yet (it comes with the
 * accounts work): an administrator acts as `admin`, every technician as level 1. The
 * mapping lives here only, so adding `l2` later changes one function.
 */
import type { TechnicianRole } from '../../../protocol/ticket-model.js';
import type { TicketActor } from '../../../protocol/ticket-transitions.js';

export function ticketRoleOf(account: { readonly role: string }): TechnicianRole {
  return account.role === 'admin' ? 'admin' : 'l1';
}

export function ticketActorOf(account: { readonly id: number; readonly role: string }): TicketActor {
  return { id: String(account.id), role: ticketRoleOf(account) };
}
