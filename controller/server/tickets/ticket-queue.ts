/**
 * The queue's query: one page, nearest deadline first, then by number, with its filters,
 * the text search and a keyset cursor (a row-value comparison: one index range on every
 * engine). Only SQL the query builder writes the same way for SQLite and PostgreSQL.
 *
 * Filters with several values (`status=new,in_progress`) are one index walk per value,
 * merged here: an `IN` over the (column, due_sort, number) index would have the engine read
 * every matching row and sort them all before keeping 50 (60–140 ms on the bench's 100,000
 * tickets, under 10 ms this way).
 *
 * A text search is answered from whichever side is smaller, both measured on indexes alone
 * before the page is read (scripts/bench/tickets-bench.mjs, 100,000 tickets):
 * - `probe`: walk the other filters' tickets in deadline order and look each one's words up
 *   in the (ticket, word) index (migration 0019); best when the filters keep few tickets
 *   (the open ones: 1,900) or when the words are common (the page stops at 50 matches);
 * - `set`: read the tickets of the rarest word from the (word, ticket) index and keep those
 *   the filters keep, sorted; best when the words are rare.
 * Text + the four open statuses went from 92 ms p95 (the words' sets read once per status) to
 * a walk of the open tickets with one index probe each.
 */
import type { TicketQuery } from '../../../protocol/rest-ticket-answers.js';
import { RelaisError } from '../../../protocol/index.js';
import { prefixEnd, queryWords } from '../../../protocol/ticket-words.js';
import type { Account } from '../auth/accounts.js';
import type { Db } from '../store/database.js';

/**
 * Without other filters, above this many matches the page probes each ticket's words along
 * the deadline order instead of reading the words' sets and sorting them (a word in 11,000
 * tickets: 60 ms as a set, 9 ms probed; a word in 800: 4 ms as a set, 42 ms probed).
 */
const PROBE_FROM_MATCHES = 3000;

type WordsBy = 'set' | 'probe';
type Arm = Record<string, string>;

/** A search's words; words under three letters (« de », « le ») are left out when longer ones are given, as they narrow nothing. */
export function searchWords(q: string | undefined): string[] {
  const words = queryWords(q);
  const long = words.filter((w) => w.length >= 3 || /^\d+$/.test(w));
  return long.length > 0 ? long : words;
}

export function parseQueueCursor(cursor: string): { due: number; number: number } {
  const m = /^(\d{1,16})_(\d{1,10})$/.exec(cursor);
  if (!m) throw new RelaisError('TICKET_ERR_INVALID_FIELD', '(cursor)'); // i18n-ignore: field name for the log
  return { due: Number(m[1]), number: Number(m[2]) };
}

/** The rows of one page (as `select` reads them), whether there are more, and how many tickets match in all. */
export async function queuePage<R extends { due_sort: number | bigint; number: number }>(
  db: Db,
  query: TicketQuery,
  account: Pick<Account, 'id'>,
  select: () => any,
): Promise<{ rows: R[]; nextCursor: string | null; total: number }> {
  const after = query.cursor === undefined ? null : parseQueueCursor(query.cursor);
  // The columns walked once per value: status × priority when both are given (one index holds
  // both, migration 0014), else the first list given of status, category, priority.
  const lists = [['status', query.status], ['category', query.category], ['priority', query.priority]] as const;
  const given = lists.filter(([, values]) => values !== undefined && values.length > 0);
  const walked = query.status && query.priority ? given.filter(([column]) => column !== 'category') : given.slice(0, 1);
  let arms: Arm[] = [{}];
  for (const [column, values] of walked) arms = arms.flatMap((arm) => [...new Set<string>(values!)].map((v) => ({ ...arm, [column]: v })));
  const structured = given.length > 0 || query.level !== undefined || query.assignee !== undefined || query.follower !== undefined;

  /** The filters other than text; `arm` fixes the walked columns. */
  const filters = (qb: any, arm: Arm): any => {
    let q = qb;
    for (const [column, values] of given) {
      const only = arm[column];
      if (only !== undefined) q = q.where(`tickets.${column}`, '=', only);
      else if (values!.length === 1) q = q.where(`tickets.${column}`, '=', values![0]);
      else q = q.where(`tickets.${column}`, 'in', values);
    }
    if (query.level) q = q.where('tickets.level', '=', query.level);
    if (query.assignee === 'mine') q = q.where('tickets.assignee_id', '=', account.id);
    else if (query.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
    else if (typeof query.assignee === 'number') q = q.where('tickets.assignee_id', '=', query.assignee);
    if (query.follower !== undefined) {
      const follower = query.follower === 'mine' ? account.id : query.follower;
      q = q.where('tickets.id', 'in', db.selectFrom('ticket_followers').select('ticket_followers.ticket_id').where('ticket_followers.user_id', '=', follower));
    }
    return q;
  };
  const range = (qb: any, word: string) => qb.where('ticket_words.word', '>=', word).where('ticket_words.word', '<', prefixEnd(word));
  /** Each word of the search begins a word of the ticket: read as the words' sets, or probed per ticket. */
  const text = (qb: any, by: WordsBy): any => {
    let q = qb;
    for (const word of words) {
      q = by === 'set'
        ? q.where('tickets.id', 'in', range(db.selectFrom('ticket_words').select('ticket_words.ticket_id'), word))
        : q.where((eb: any) => eb.exists(range(eb.selectFrom('ticket_words').select('ticket_words.ticket_id').whereRef('ticket_words.ticket_id', '=', 'tickets.id'), word)));
    }
    return q;
  };
  const count = async (qb: any): Promise<number> => Number((await qb.executeTakeFirst())?.n ?? 0);
  const countAll = (eb: any) => eb.fn.countAll().as('n');

  const words = searchWords(query.q);
  let total: number;
  let by: WordsBy = 'set';
  let single = false;
  if (words.length === 0) {
    total = await count(filters(db.selectFrom('tickets').select(countAll), {}));
  } else {
    // The rarest word's tickets (an index range), and the other filters' tickets up to that many (an index walk).
    const sizes = await Promise.all(words.map((w) => count(range(db.selectFrom('ticket_words').select(countAll), w))));
    const rarest = Math.min(...sizes);
    const candidates = structured
      ? await count(db.selectFrom(filters(db.selectFrom('tickets').select('tickets.number'), {}).limit(rarest + 1).as('c')).select(countAll))
      : Number.POSITIVE_INFINITY;
    if (candidates <= rarest) {
      by = 'probe';
      total = await count(text(filters(db.selectFrom('tickets').select(countAll), {}), 'probe'));
    } else if (!structured) {
      // The words alone: counted on the word index, without reading a ticket.
      let matching: any = range(db.selectFrom('ticket_words').select('ticket_words.ticket_id'), words[0]!);
      for (const w of words.slice(1)) matching = matching.intersect(range(db.selectFrom('ticket_words').select('ticket_words.ticket_id'), w));
      if (words.length === 1) matching = matching.distinct();
      total = await count(db.selectFrom(matching.as('m')).select(countAll));
      by = total > PROBE_FROM_MATCHES ? 'probe' : 'set';
    } else {
      total = await count(text(filters(db.selectFrom('tickets').select(countAll), {}), 'set'));
      // At most `rarest` rows to sort: one query, not one set read per walked value.
      single = true;
    }
  }
  const page = (arm: Arm): Promise<R[]> => {
    let q = filters(select(), arm);
    if (words.length > 0) q = text(q, by);
    if (after) q = q.where((eb: any) => eb(eb.refTuple('tickets.due_sort', 'tickets.number'), '>', eb.tuple(after.due, after.number)));
    return q.orderBy('tickets.due_sort').orderBy('tickets.number').limit(query.limit + 1).execute();
  };
  const pages = await Promise.all((single ? [{}] : arms).map(page));
  const rows = pages.length === 1 ? pages[0]! : pages.flat().sort((a, b) => Number(a.due_sort) - Number(b.due_sort) || a.number - b.number).slice(0, query.limit + 1);
  const more = rows.length > query.limit;
  const shown = rows.slice(0, query.limit);
  const last = shown[shown.length - 1];
  return { rows: shown, nextCursor: more && last ? `${last.due_sort}_${last.number}` : null, total };
}
