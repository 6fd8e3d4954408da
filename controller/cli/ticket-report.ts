/**
 * What `relais tickets` prints: the queue as a table, one ticket with its timeline, in the
 * CLI's language (the model's words from protocol/ticket-catalog.ts, the CLI's own from its
 * catalog). Every text that came from the controller (titles, names, notes) has control
 * characters and bidirectional overrides replaced before it reaches the terminal.
 */
import { formatDateTime, plainLine, sanitizeText, translator } from '../../protocol/index.js';
import type { TicketEventView, TicketView } from '../../protocol/rest-ticket-answers.js';
import { ticketCatalog } from '../../protocol/ticket-catalog.js';
import { cliLanguage, say } from './cli-language.js';
import { formatTable } from './summary-table.js';

type Reading = TicketView['sla']['own'];

const model = () => translator(ticketCatalog, cliLanguage());

/** Business milliseconds as "2 h 15 min" / "45 min". */
function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return say('durationMinutes', { minutes });
  return minutes % 60 === 0 ? say('durationWholeHours', { hours }) : say('durationHours', { hours, minutes: minutes % 60 });
}

/** The clock in a few words: "2 h 15 min left", "overdue by 40 min", "paused", "met". */
function clock(reading: Reading): string {
  if (reading.stopped) return say('slaStopped', { state: reading.state });
  if (reading.paused) return say('slaPaused');
  return reading.state === 'breached' ? say('slaOverdue', { time: duration(reading.remainingMs) }) : say('slaLeft', { time: duration(reading.remainingMs) });
}

/** The clock that matters now: time to own while nobody took the ticket, then time to resolve. */
const currentClock = (t: TicketView): Reading => (t.sla.own.stopped ? t.sla.resolve : t.sla.own);

/** The queue, one line per ticket, and a line saying how many there are. */
export function queueTable(tickets: readonly TicketView[], total: number): string {
  if (tickets.length === 0) return `${say('noTickets')}\n`;
  const w = model();
  const table = formatTable(
    [say('headNumber'), say('headPriority'), say('headStatus'), say('headLevel'), say('headAssignee'), say('headDeadline'), say('headTitle')],
    tickets.map((t) => [
      `#${t.number}`, t.priority, w('status', { status: t.status }), t.level,
      t.assignee ? plainLine(t.assignee.name, 32) : say('nobody'), clock(currentClock(t)), plainLine(t.title, 80),
    ]),
  );
  return `${table}\n\n${say('ticketsShown', { shown: tickets.length, total, more: tickets.length < total ? 'yes' : 'no' })}\n`;
}

/** Multi-line text from people, made safe, indented under its heading. */
function block(text: string): string {
  return sanitizeText(text.replace(/\r\n?/g, '\n').trimEnd(), { keepNewlines: true }).split('\n').map((line) => `    ${line}`).join('\n');
}

function eventLines(e: TicketEventView): string[] {
  const w = model();
  const actor = e.actor === null ? say('controllerActor') : plainLine(e.actor, 64);
  const str = (key: string) => (typeof e.data[key] === 'string' ? plainLine(e.data[key] as string, 1000) : '');
  const line = (text: string, detail?: string) => (detail ? [text, block(detail)] : [text]);
  switch (e.kind) {
    case 'created': return line(say('evCreated', { actor }));
    case 'note': return line(say('evNote', { actor, visibility: e.visibility }), typeof e.data.markdown === 'string' ? e.data.markdown : '');
    case 'person_described': return line(say('evPersonDescribed'), str('text'));
    case 'agent_joined': return line(say('evAgentJoined', { hostname: str('hostname') || '?' }));
    case 'shell_opened': case 'shell_closed': return line(say('evShell', { kind: e.kind, actor }));
    case 'findings': return line(say('evFindings', { count: Number(e.data.count ?? 0) }));
    case 'edited': return line(say('evEdited', { actor }));
    case 'take': return line(w('eventTake', { actor }));
    case 'start': return line(w('eventStart', { actor }));
    case 'wait_for_user': return line(w('eventWaitForUser', { actor, reason: str('reason') }));
    case 'user_replied': return line(w('eventUserReplied'));
    case 'escalate': return line(w('eventEscalate', { actor, reason: str('reason') }));
    case 'de_escalate': return line(w('eventDeEscalate', { actor, reason: str('reason') }));
    case 'resolve': {
      const resolution = (e.data.resolution ?? {}) as { text?: unknown; solutionType?: unknown };
      return line(w('eventResolve', { actor, solutionType: w('solutionType', { solutionType: String(resolution.solutionType ?? 'other') }) }), typeof resolution.text === 'string' ? resolution.text : '');
    }
    case 'reopen': return line(e.actor ? w('eventReopen', { actor }) : w('eventReopenByUser'), str('reason'));
    case 'close': return line(w('eventClose', { actor }));
    case 'auto_close': return line(w('eventAutoClose', { days: Number(e.data.afterDays ?? 0) }));
    default: return line(say('evOther', { actor, kind: plainLine(e.kind, 32) }));
  }
}

/** One ticket: its header, clocks, requester, description and timeline. */
export function ticketReport(t: TicketView, events: readonly TicketEventView[], moreEvents: boolean): string {
  const w = model();
  const language = cliLanguage();
  const r = t.requester;
  const requester = [r.name, r.phone, r.email].filter((x): x is string => Boolean(x)).map((x) => plainLine(x, 254)).join(', ');
  const facts: Array<[string, string]> = [
    [say('labelStatus'), w('status', { status: t.status })],
    [w('fieldPriority'), w('priority', { priority: t.priority })],
    [say('labelLevel'), w('level', { level: t.level })],
    [w('fieldAssignee'), `${t.assignee ? plainLine(t.assignee.name, 64) : say('nobody')}${t.followerIds.length ? ` · ${say('followersCount', { count: t.followerIds.length })}` : ''}`],
    [w('fieldCategory'), w('category', { category: t.category })],
    [say('labelRequester'), requester],
    [w('slaOwn'), clock(t.sla.own)],
    [w('slaResolve'), clock(t.sla.resolve)],
    [say('labelCreated'), formatDateTime(t.createdAt, language)],
    [say('labelUpdated'), formatDateTime(t.updatedAt, language)],
    ...(t.deviceIds.length ? [[say('labelDevices'), t.deviceIds.join(', ')] as [string, string]] : []),
  ];
  const width = Math.max(...facts.map(([label]) => label.length));
  const out = [`#${t.number}  ${plainLine(t.title, 200)}`, '', ...facts.map(([label, value]) => `${label.padEnd(width)}  ${value}`)];
  if (t.waitingReason) out.push('', say('heading', { label: say('labelWaiting') }), block(t.waitingReason));
  if (t.escalationReason) out.push('', say('heading', { label: say('labelEscalation') }), block(t.escalationReason));
  if (t.description.trim()) out.push('', say('heading', { label: say('labelDescription') }), block(t.description));
  if (t.resolution) out.push('', say('heading', { label: `${w('fieldResolution')} (${w('solutionType', { solutionType: t.resolution.solutionType })})` }), block(t.resolution.text));
  out.push('', say('heading', { label: say('labelTimeline') }));
  for (const e of events) {
    const [first, ...rest] = eventLines(e);
    out.push(`  ${formatDateTime(e.at, language)}  ${first}`, ...rest);
  }
  if (moreEvents) out.push('', say('moreEvents', { count: events.length }));
  return `${out.join('\n')}\n`;
}
