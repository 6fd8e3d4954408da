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
 * A text search reads first whichever side is smaller, both measured on indexes alone
 * (scripts/bench/tickets-bench.mjs, 100,000 tickets, 3 million indexed words):
 * - `probe`: walk the other filters' tickets in deadline order and look each one's words up
 *   in the (ticket, word) index (migration 0019). Used when those filters keep at most half
 *   as many tickets as the rarest word has (the open ones: 1,900), and for the page when
 *   thousands match (the deadline order reaches 50 of them soon).
 * - `words-first`: otherwise the tickets having every word, from the (word, ticket) index,
 *   each checked against the filters in the (id, filters, due_sort, number) index without
 *   reading the ticket (the join's order fixed); while there are at most 3,000 matches their
 *   keys come in that one pass (their number is the total, the page is sorted from them and
 *   only its tickets are read), beyond they are counted and the page probes along the
 *   deadline order (text + closed: 11,000 index seeks instead of reading 97,000 tickets).
 * Text + the four open statuses went from 92 ms p95 (the words' sets read once per status)
 * to one index probe per open ticket.
 */
import type { TicketQuery } from '../../../protocol/rest-ticket-answers.js';
import { RelaisError } from '../../../protocol/index.js';
import { prefixEnd, queryWords } from '../../../protocol/ticket-words.js';
import type { Account } from '../auth/accounts.js';
import type { Db } from '../store/database.js';

/**
 * Above this many matches the page probes each ticket's words along the deadline order
 * instead of reading the matches and sorting them (a word in 11,000 tickets: 60 ms read,
 * 9 ms probed; a word in 800: 4 ms read, 42 ms probed).
 */
const PROBE_FROM_MATCHES = 3000;
/**
 * Probing a candidate costs about twice checking a match in the (id, filters) index (it reads
 * the ticket, then seeks its word): the candidates are walked when they are at most half the
 * rarest word's tickets.
 */
const PROBE_RATIO = 2;

/** How a text search is answered (see the module's comment). */
type Plan = 'probe' | 'words-first';
/** A ticket's place in the queue's order. */
type Key = { readonly number: number; readonly due_sort: number | bigint };
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
  /** Adds the page's joins and columns to a query over `tickets`. */
  columns: (from: any) => any,
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

  const follower = query.follower === undefined ? null : query.follower === 'mine' ? account.id : query.follower;
  /**
   * The filters other than text; `arm` fixes the walked columns. The followed tickets are a set
   * the engine builds once (counts, few of them), or probed per ticket along the deadline order
   * (`probeFollowed`: a page of someone who follows thousands stops after 50, instead of
   * reading and sorting them all).
   */
  const filters = (qb: any, arm: Arm, probeFollowed = false): any => {
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
    if (follower !== null) {
      q = probeFollowed
        ? q.where((eb: any) => eb.exists(eb.selectFrom('ticket_followers').select('ticket_followers.ticket_id').whereRef('ticket_followers.ticket_id', '=', 'tickets.id').where('ticket_followers.user_id', '=', follower)))
        : q.where('tickets.id', 'in', db.selectFrom('ticket_followers').select('ticket_followers.ticket_id').where('ticket_followers.user_id', '=', follower));
    }
    return q;
  };
  const range = (qb: any, word: string) => qb.where('ticket_words.word', '>=', word).where('ticket_words.word', '<', prefixEnd(word));
  /** Each word of the search begins a word of the ticket, probed in the (ticket, word) index. */
  const probed = (qb: any): any => {
    let q = qb;
    for (const word of words) {
      q = q.where((eb: any) => eb.exists(range(eb.selectFrom('ticket_words').select('ticket_words.ticket_id').whereRef('ticket_words.ticket_id', '=', 'tickets.id'), word)));
    }
    return q;
  };
  const count = async (qb: any): Promise<number> => Number((await qb.executeTakeFirst())?.n ?? 0);
  const countAll = (eb: any) => eb.fn.countAll().as('n');
  /** The tickets having every word, read from the word index alone (distinct ids). */
  const matching = (): any => {
    let q: any = range(db.selectFrom('ticket_words').select('ticket_words.ticket_id'), words[0]!);
    for (const w of words.slice(1)) q = q.intersect(range(db.selectFrom('ticket_words').select('ticket_words.ticket_id'), w));
    return words.length === 1 ? q.distinct() : q;
  };
  /**
   * The matching tickets first, each checked against the filters in the (id, filters, due_sort,
   * number) index (migration 0019) without reading it: the join's order is fixed (CROSS JOIN in
   * SQLite), as an engine without statistics would rather walk the other filters' index and read
   * every ticket it holds (text + closed: 97,000 rows read for 11,000 matches).
   */
  const fromWords = () => db.selectFrom(matching().as('m')).crossJoin('tickets').whereRef('tickets.id', '=', 'm.ticket_id');
  const keyset = (q: any): any => (after ? q.where((eb: any) => eb(eb.refTuple('tickets.due_sort', 'tickets.number'), '>', eb.tuple(after.due, after.number))) : q);

  const words = searchWords(query.q);
  const followed = follower === null ? 0 : await count(db.selectFrom('ticket_followers').select(countAll).where('ticket_followers.user_id', '=', follower));
  let total: number;
  let plan: Plan = 'probe';
  let keys: Key[] = [];
  if (words.length === 0) {
    // Followed alone: each (ticket, follower) row is one ticket.
    const onlyFollowed = follower !== null && given.length === 0 && query.level === undefined && query.assignee === undefined;
    total = onlyFollowed ? followed : await count(filters(db.selectFrom('tickets').select(countAll), {}));
  } else {
    // The rarest word's tickets (an index range), and the other filters' tickets up to half that (an index walk).
    const sizes = await Promise.all(words.map((w) => count(range(db.selectFrom('ticket_words').select(countAll), w))));
    const rarest = Math.min(...sizes);
    const cap = Math.floor(rarest / PROBE_RATIO);
    const candidates = structured
      ? await count(db.selectFrom(filters(db.selectFrom('tickets').select('tickets.number'), {}).limit(cap + 1).as('c')).select(countAll))
      : Number.POSITIVE_INFINITY;
    if (candidates <= cap) {
      total = await count(probed(filters(db.selectFrom('tickets').select(countAll), {})));
    } else {
      // The matches' keys in one pass while they are few: their number is the total, the page is sorted from them.
      const few = structured || (await count(db.selectFrom(matching().as('m')).select(countAll))) <= PROBE_FROM_MATCHES;
      const found: Key[] = few ? await filters(fromWords().select(['tickets.number', 'tickets.due_sort']), {}).limit(PROBE_FROM_MATCHES + 1).execute() : [];
      if (few && found.length <= PROBE_FROM_MATCHES) {
        plan = 'words-first';
        keys = found;
        total = found.length;
      } else {
        // Many matches: counted, and the deadline order reaches a page of them soon.
        total = await count(structured ? filters(fromWords().select(countAll), {}) : db.selectFrom(matching().as('m')).select(countAll));
      }
    }
  }
  let pages: R[][];
  if (plan === 'words-first') {
    const byDeadline = (a: Key, b: Key) => Number(a.due_sort) - Number(b.due_sort) || a.number - b.number;
    const numbers = keys
      .filter((k) => !after || Number(k.due_sort) > after.due || (Number(k.due_sort) === after.due && k.number > after.number))
      .sort(byDeadline)
      .slice(0, query.limit + 1)
      .map((k) => k.number);
    pages = [numbers.length === 0 ? [] : await columns(db.selectFrom('tickets')).where('tickets.number', 'in', numbers).orderBy('tickets.due_sort').orderBy('tickets.number').execute()];
  } else {
    // One walk per value of the walked columns, in deadline order, stopping at a page.
    pages = await Promise.all(arms.map((arm) => {
      let q = filters(columns(db.selectFrom('tickets')), arm, followed > PROBE_FROM_MATCHES);
      if (words.length > 0) q = probed(q);
      return keyset(q).orderBy('tickets.due_sort').orderBy('tickets.number').limit(query.limit + 1).execute();
    }));
  }
  const rows = pages.length === 1 ? pages[0]! : pages.flat().sort((a, b) => Number(a.due_sort) - Number(b.due_sort) || a.number - b.number).slice(0, query.limit + 1);
  const more = rows.length > query.limit;
  const shown = rows.slice(0, query.limit);
  const last = shown[shown.length - 1];
  return { rows: shown, nextCursor: more && last ? `${last.due_sort}_${last.number}` : null, total };
}
