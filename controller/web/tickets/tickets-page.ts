/**
 * The ticket queue: one page at a time from the controller (nearest deadline first),
 * filtered by status, level, assignee (or followed by me), category, priority and free text; refreshed
 * every 30 seconds and whenever the technician comes back to the window.
 */
import { OPEN_STATUSES, TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from '../../../protocol/ticket-model.js';
import type { AppContext, Page } from '../app/page.js';
import { ApiError } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { formatWhen } from '../ui/format.js';
import { currentClock, priorityChip, slaPill, statusBadge, t, tk } from './ticket-wording.js';
import { ticketsApi, type QueueFilter, type TicketView } from './tickets-api.js';
import { appendPage } from '../ui/paging.js';

const PAGE = 50;
const REFRESH_MS = 30_000;
const OPEN = [...OPEN_STATUSES].join(',');
const FILTER_KEY = 'relais.ticketFilter';

const DEFAULT_FILTER: QueueFilter = { status: OPEN, level: '', assignee: '', follower: '', category: '', priority: '', q: '' };

function savedFilter(): QueueFilter {
  try {
    const raw = sessionStorage.getItem(FILTER_KEY);
    if (raw) return { ...DEFAULT_FILTER, ...(JSON.parse(raw) as Partial<QueueFilter>) };
  } catch {
    // Storage refused or garbled: the default filter.
  }
  return { ...DEFAULT_FILTER };
}

export function createTicketsPage(app: AppContext): Page {
  const filter = savedFilter();
  let tickets: TicketView[] = [];
  let total = 0;
  let nextCursor: string | null = null;
  let disposed = false;
  let loading = 0;

  const body = el('div', { class: 'tickets-body', 'data-testid': 'tickets' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingQueue')));
  const count = el('span', { class: 'muted small', 'data-testid': 'tickets-count' });
  const more = el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'tickets-more', hidden: true }, t('showMore'));

  const select = (label: string, testId: string, key: keyof QueueFilter, options: [string, string][]) => {
    const node = el('select', { class: 'input', 'aria-label': label, title: label, 'data-testid': testId }, ...options.map(([v, text]) => el('option', { value: v }, text)));
    node.value = filter[key];
    if (node.value !== filter[key]) filter[key] = node.value;
    node.addEventListener('change', () => ((filter[key] = node.value), changed()));
    return node;
  };
  // Whose tickets: one choice that sets `assignee` (mine, none) or `follower` (followed by me).
  const who = el('select', { class: 'input', 'aria-label': t('filterAssignee'), title: t('filterAssignee'), 'data-testid': 'filter-assignee' },
    ...([['', t('anyone')], ['mine', t('mine')], ['none', t('unassigned')], ['followed', t('followed')]] as const).map(([v, text]) => el('option', { value: v }, text)));
  who.value = filter.follower === 'mine' ? 'followed' : filter.assignee;
  who.addEventListener('change', () => {
    filter.assignee = who.value === 'followed' ? '' : who.value;
    filter.follower = who.value === 'followed' ? 'mine' : '';
    changed();
  });
  const search = el('input', { class: 'input search-input', type: 'search', placeholder: t('searchPlaceholder'), 'aria-label': t('searchLabel'), 'data-testid': 'tickets-search', value: filter.q });
  let typing: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (typing) clearTimeout(typing);
    typing = setTimeout(() => ((filter.q = search.value), changed()), 250);
  });
  const filters = el('div', { class: 'filter-bar' },
    search,
    select(t('filterStatus'), 'filter-status', 'status', [[OPEN, t('openTickets')], ['', t('allStatuses')], ...TICKET_STATUSES.map((s): [string, string] => [s, tk('status', { status: s })])]),
    who,
    select(t('filterLevel'), 'filter-level', 'level', [['', t('anyLevel')], ['L1', tk('level', { level: 'L1' })], ['L2', tk('level', { level: 'L2' })]]),
    select(t('filterCategory'), 'filter-category', 'category', [['', t('anyCategory')], ...TICKET_CATEGORIES.map((c): [string, string] => [c, tk('category', { category: c })])]),
    select(t('filterPriority'), 'filter-priority', 'priority', [['', t('anyPriority')], ...TICKET_PRIORITIES.map((p): [string, string] => [p, tk('priority', { priority: p })])]));

  const isFiltered = () => JSON.stringify(filter) !== JSON.stringify(DEFAULT_FILTER);

  const row = (ticket: TicketView) => {
    const href = `#/tickets/${ticket.number}`;
    const clock = currentClock(ticket);
    return el('tr', { class: 'clickable', 'data-testid': 'ticket-row', 'data-number': String(ticket.number), onclick: () => app.navigate(href) },
      el('td', { class: 'nowrap' }, el('a', { class: 'ticket-number', href }, tk('number', { number: ticket.number }))),
      el('td', { class: 'ticket-title-cell' },
        el('a', { class: 'strong ticket-title-link', href, 'data-testid': 'ticket-title' }, ticket.title),
        el('span', { class: 'muted small block' }, ticket.requester.name, ' · ', tk('category', { category: ticket.category }))),
      el('td', null, priorityChip(ticket.priority)),
      el('td', null, statusBadge(ticket.status)),
      el('td', null, ticket.assignee ? ticket.assignee.name : el('span', { class: 'muted' }, t('nobody')),
        el('span', { class: 'muted small block' }, tk('level', { level: ticket.level }))),
      el('td', null, slaPill(clock.reading), el('span', { class: 'muted small block' }, clock.which === 'own' ? tk('slaOwn') : tk('slaResolve'))),
      el('td', { class: 'nowrap muted small' }, formatWhen(ticket.updatedAt)));
  };

  const render = () => {
    count.textContent = t('queueCount', { shown: tickets.length, total });
    more.hidden = nextCursor === null;
    if (tickets.length === 0) {
      return replaceChildren(body, el('div', { class: 'empty', 'data-testid': 'tickets-empty' },
        el('p', { class: 'empty-title' }, isFiltered() ? t('emptyFiltered') : t('emptyQueue')),
        el('p', null, isFiltered() ? t('emptyFilteredHint') : t('emptyQueueHint')),
        isFiltered()
          ? el('button', { class: 'btn btn-secondary', type: 'button', onclick: () => resetFilters() }, t('clearFilters'))
          : el('a', { class: 'btn btn-primary', href: '#/tickets/new' }, icon('plus'), t('newTicket'))));
    }
    replaceChildren(body, el('div', { class: 'table-scroll' }, el('table', { class: 'table tickets-table', 'data-testid': 'tickets-table' },
      el('thead', null, el('tr', null,
        el('th', null, t('colNumber')), el('th', null, t('colTicket')), el('th', null, t('colPriority')), el('th', null, t('colStatus')),
        el('th', null, t('colAssignee')), el('th', null, t('colSla')), el('th', null, t('colUpdated')))),
      el('tbody', null, ...tickets.map(row)))));
  };

  /** The first pages again (as many rows as shown, so a refresh does not shrink the list). */
  const load = async () => {
    const ticketNo = ++loading;
    try {
      const page = await ticketsApi.queue(filter, null, Math.min(200, Math.max(PAGE, tickets.length)));
      if (disposed || ticketNo !== loading) return;
      tickets = page.tickets;
      total = page.total;
      nextCursor = page.nextCursor;
      render();
    } catch (err) {
      if (!disposed && ticketNo === loading) replaceChildren(body, el('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.message : t('queueFailed')));
    }
  };
  const loadMore = async () => {
    if (!nextCursor) return;
    more.disabled = true;
    try {
      const page = await ticketsApi.queue(filter, nextCursor, PAGE);
      if (disposed) return;
      tickets = appendPage(tickets, page.tickets, (x) => x.number);
      total = page.total;
      nextCursor = page.nextCursor;
      render();
    } catch (err) {
      if (!disposed) count.textContent = err instanceof ApiError ? err.message : t('queueFailed');
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void loadMore());

  const changed = () => {
    try {
      sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
    } catch {
      // Not remembered: fine.
    }
    tickets = [];
    void load();
  };
  const resetFilters = () => {
    Object.assign(filter, DEFAULT_FILTER);
    search.value = '';
    for (const node of Array.from(filters.querySelectorAll('select'))) node.selectedIndex = 0;
    changed();
  };

  const onFocus = () => void load();
  window.addEventListener('focus', onFocus);
  const timer = setInterval(() => void load(), REFRESH_MS);
  void load();
  // The controller tells an account about the tickets it is assigned or follows: a row shown (or the followed view) is read again, at most every 1.5 s.
  let soon: ReturnType<typeof setTimeout> | null = null;
  const stopEvents = app.socket.on('ticket.event', (message) => {
    if (soon || (filter.follower !== 'mine' && !tickets.some((x) => x.number === message.number))) return;
    soon = setTimeout(() => ((soon = null), void load()), 1500);
  });

  const root = el('div', { class: 'page tickets-page' },
    el('header', { class: 'page-header' },
      el('div', null, el('h1', null, t('queueTitle')), el('p', { class: 'page-subtitle' }, t('queueSubtitle'))),
      el('a', { class: 'btn btn-primary', href: '#/tickets/new', 'data-testid': 'new-ticket' }, icon('plus'), t('newTicket'))),
    el('section', { class: 'card table-card' },
      el('div', { class: 'tickets-toolbar' }, filters),
      body,
      el('div', { class: 'pager-footer' }, count, more)));
  return {
    root,
    get title() { return t('queueTitle'); },
    dispose() {
      disposed = true;
      clearInterval(timer);
      if (typing) clearTimeout(typing);
      if (soon) clearTimeout(soon);
      stopEvents();
      window.removeEventListener('focus', onFocus);
    },
  };
}
