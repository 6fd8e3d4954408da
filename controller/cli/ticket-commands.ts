/** `relais tickets list|show|note`; each returns the process's exit status. */
import { TICKET_LIMITS } from '../../protocol/ticket-model.js';
import type { Command } from './args.js';
import { CliError, EXIT } from './cli-errors.js';
import { say } from './cli-language.js';
import type { CliIo } from './fleet-commands.js';
import { TicketsApi } from './tickets-api.js';
import { queueTable, ticketReport } from './ticket-report.js';

export type TicketCommand = Extract<Command, { kind: 'tickets-list' | 'tickets-show' | 'tickets-note' }>;

export function isTicketCommand(command: Exclude<Command, { kind: 'help' }>): command is TicketCommand {
  return command.kind.startsWith('tickets-');
}

/** `--json` prints the controller's answers as they are: the same in every language. */
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export async function runTicketCommand(command: TicketCommand, io: CliIo): Promise<number> {
  const api = new TicketsApi({ controller: command.controller, token: command.token, timeoutMs: command.requestTimeoutMs });
  switch (command.kind) {
    case 'tickets-list': {
      const { tickets, total } = await api.list(command.filter, command.limit);
      io.out(command.json ? json({ tickets, total }) : queueTable(tickets, total));
      return EXIT.ok;
    }
    case 'tickets-show': {
      const ticket = await api.ticket(command.number);
      const { events, more } = await api.timeline(command.number);
      io.out(command.json ? json({ ticket, events, moreEvents: more }) : ticketReport(ticket, events, more));
      return EXIT.ok;
    }
    case 'tickets-note': {
      const text = command.text ?? (await io.readStdin(TICKET_LIMITS.note * 4 + 4));
      const length = [...text].length;
      if (length > TICKET_LIMITS.note) throw CliError.of('CLI_ERR_USAGE', say('noteTooLong', { max: TICKET_LIMITS.note, length }));
      if (text.trim() === '') throw CliError.of('CLI_ERR_USAGE', say('noteEmpty'));
      const event = await api.note(command.number, text, command.visibility);
      io.out(command.json ? json({ event }) : `${say('noteAdded', { number: command.number, visibility: command.visibility })}\n`);
      return EXIT.ok;
    }
  }
}
