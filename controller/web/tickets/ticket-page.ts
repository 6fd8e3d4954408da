/**
 * One ticket: its header (number, title, status, priority, level, assignee), both SLA
 * clocks, the actions valid in its status, the requester and devices, the timeline
 * (oldest first, like a conversation) and the notes form. A change refused because
 * someone else changed the ticket first says what changed and shows it as it is now.
 */
import { TICKET_ACTION_FROM, roleMayAct, roleMayWork } from '../../../protocol/ticket-transitions.js';
import type { Role } from '../../../protocol/index.js';
import type { AppContext, Page } from '../app/page.js';
import { formats, wordsOf } from '../app/language.js';
import { ApiError } from '../connection/api.js';
import { deviceLabel } from '../devices/device-store.js';
import { createSupportLinkPanel } from '../pages/support-link-panel.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { markdownView } from '../ui/markdown-view.js';
import { formatWhen } from '../ui/format.js';
import { badge } from '../ui/status-badge.js';
import { DEVICE_STATE_LABEL, SEVERITY_LABEL, deviceState } from '../ui/wording.js';
import type { Severity } from '../../../protocol/index.js';
import { recordingActions, shellEventLine } from './recording-player.js';
import { createSuggestionsCard } from '../knowledge/suggestions-card.js';
import { fixEventText, fixTargets } from '../knowledge/ticket-knowledge.js';
import { t as kt } from '../knowledge/knowledge-wording.js';
import { reasonDialog, resolveDialog } from './ticket-dialogs.js';
import { surveyEventText, surveyMailDialog } from '../satisfaction/survey-mail-dialog.js';
import { satisfactionCatalog } from '../satisfaction/satisfaction-catalog.js';
import { duration, priorityChip, slaPill, slaTone, statusBadge, t, tk } from './ticket-wording.js';
import { conflictTicket, ticketsApi, type TicketActionBody, type TicketEventView, type TicketView } from './tickets-api.js';
import { appendPage } from '../ui/paging.js';

const REFRESH_MS = 30_000;
const DEVICE_TONE = { online: 'good', offline: 'neutral', ended: 'warn' } as const;
/** Timeline events that change the ticket's header (status, assignee, level, fields): the ticket is read again. */
const STATUS_EVENT_KINDS: ReadonlySet<string> = new Set(['take', 'assign', 'start', 'wait_for_user', 'user_replied', 'escalate', 'de_escalate', 'resolve', 'reopen', 'close', 'auto_close', 'edited', 'agent_joined']); // i18n-ignore: event kinds, not words

type ActionName = 'take' | 'start' | 'wait_for_user' | 'user_replied' | 'escalate' | 'de_escalate' | 'resolve' | 'reopen' | 'close';

/** The actions to offer now, in the order a technician reads them: only those the account's role may make (the controller still decides). */
function validActions(ticket: TicketView, me: string, role: Role): ActionName[] {
  const order: ActionName[] = ['take', 'start', 'wait_for_user', 'user_replied', 'escalate', 'de_escalate', 'resolve', 'reopen', 'close'];
  return order.filter((a) => {
    if (!TICKET_ACTION_FROM[a].includes(ticket.status) || !roleMayAct(role, a, ticket)) return false;
    if (a === 'take') return ticket.assignee?.username !== me || ticket.status === 'new' || ticket.status === 'escalated';
    if (a === 'escalate') return ticket.level === 'L1';
    if (a === 'de_escalate') return ticket.level === 'L2';
    return true;
  });
}

const ACTION_LABEL: Record<ActionName, () => string> = {
  take: () => t('actionTake'),
  start: () => t('actionStart'),
  wait_for_user: () => t('actionWait'),
  user_replied: () => t('actionUserReplied'),
  escalate: () => t('actionEscalate'),
  de_escalate: () => t('actionDeEscalate'),
  resolve: () => t('actionResolve'),
  reopen: () => t('actionReopen'),
  close: () => t('actionClose'),
};

/** The fields a technician notices when someone else changed the ticket. */
const WATCHED = ['status', 'assignee', 'level', 'priority', 'title', 'description', 'requester', 'category', 'impact', 'urgency', 'deviceIds', 'waitingReason', 'escalationReason', 'resolution'] as const;

function fieldName(field: (typeof WATCHED)[number]): string {
  switch (field) {
    case 'status': return t('fieldStatus');
    case 'assignee': return tk('fieldAssignee');
    case 'level': return t('fieldLevel');
    case 'priority': return tk('fieldPriority');
    case 'title': return tk('fieldTitle');
    case 'description': return tk('fieldDescription');
    case 'requester': return tk('fieldRequesterName');
    case 'category': return tk('fieldCategory');
    case 'impact': return tk('fieldImpact');
    case 'urgency': return tk('fieldUrgency');
    case 'deviceIds': return t('devicesTitle');
    case 'waitingReason': return t('fieldWaitingReason');
    case 'escalationReason': return t('fieldEscalationReason');
    case 'resolution': return tk('fieldResolution');
  }
}

/** What differs between the ticket we showed and the one the server has now, in words. */
function changes(before: TicketView, after: TicketView): string[] {
  return WATCHED.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f])).map((f) => {
    if (f === 'status') return t('changedFromTo', { field: fieldName(f), before: tk('status', { status: before.status }), after: tk('status', { status: after.status }) });
    if (f === 'assignee') return t('changedFromTo', { field: fieldName(f), before: before.assignee?.name ?? t('nobody'), after: after.assignee?.name ?? t('nobody') });
    if (f === 'level' || f === 'priority') return t('changedFromTo', { field: fieldName(f), before: String(before[f]), after: String(after[f]) });
    return fieldName(f);
  });
}

/** Multi-line text typed by people, shown as text (never parsed as HTML), line breaks kept. */
function plainText(text: string, testId?: string): HTMLElement {
  return el('div', { class: 'plain-text', 'data-testid': testId }, text);
}

const satisfactionWords = wordsOf(satisfactionCatalog);

/** A device's name for the timeline: as the device pages name it when known, else what the event recorded, else its id. */
type HostnameOf = (deviceId: string, recorded: string) => string;

function eventLine(e: TicketEventView, hostnameOf: HostnameOf = (id, recorded) => recorded || id): { text: string; detail: string | null; markdown?: boolean; icon: 'note' | 'move' | 'link'; tag?: string; device?: string } {
  const actor = e.actor ?? t('controller');
  const data = e.data;
  const str = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : '');
  switch (e.kind) {
    case 'created':
      return data.automatic === true
        ? { text: t('evCreatedAutomatic', { hostname: str('hostname') || '?' }), detail: null, icon: 'move' }
        : { text: t('evCreated', { actor }), detail: null, icon: 'move' };
    case 'person_described': return { text: t('evPersonDescribed', { hostname: hostnameOf(str('deviceId'), str('hostname')) }), detail: str('text'), icon: 'note' };
    case 'findings': {
      const worst = typeof data.worst === 'string' && data.worst in SEVERITY_LABEL ? SEVERITY_LABEL[data.worst as Severity] : '';
      const text = t('evFindings', { count: Number(data.count ?? 0), worst, hostname: hostnameOf(str('deviceId'), '') });
      return { text, detail: null, icon: 'link', ...(data.join === true ? { tag: t('evFindingsJoin') } : {}), ...(str('deviceId') ? { device: str('deviceId') } : {}) };
    }
    case 'edited': return { text: t('evEdited', { actor }), detail: null, icon: 'move' };
    case 'note': return { text: e.visibility === 'person' ? t('evNotePerson', { actor }) : t('evNoteInternal', { actor }), detail: str('markdown'), markdown: true, icon: 'note' };
    case 'link_created': return { text: t('evLinkCreated', { actor }), detail: null, icon: 'link' };
    case 'agent_joined': return { text: t('evAgentJoined', { hostname: str('hostname') || '?' }), detail: null, icon: 'link' };
    case 'take': return { text: tk('eventTake', { actor }), detail: null, icon: 'move' };
    case 'assign': return { text: t('evAssigned', { actor }), detail: null, icon: 'move' };
    case 'start': return { text: tk('eventStart', { actor }), detail: null, icon: 'move' };
    case 'wait_for_user': return { text: tk('eventWaitForUser', { actor, reason: str('reason') }), detail: null, icon: 'move' };
    case 'user_replied': return { text: tk('eventUserReplied'), detail: null, icon: 'move' };
    case 'escalate': return { text: tk('eventEscalate', { actor, reason: str('reason') }), detail: null, icon: 'move' };
    case 'de_escalate': return { text: tk('eventDeEscalate', { actor, reason: str('reason') }), detail: null, icon: 'move' };
    case 'resolve': {
      const resolution = (data.resolution ?? {}) as { text?: unknown; solutionType?: unknown };
      return {
        text: tk('eventResolve', { actor, solutionType: tk('solutionType', { solutionType: String(resolution.solutionType ?? 'other') }) }),
        detail: typeof resolution.text === 'string' ? resolution.text : null,
        markdown: true,
        icon: 'move',
      };
    }
    case 'reopen': return { text: e.actor ? tk('eventReopen', { actor }) : tk('eventReopenByUser'), detail: str('reason') || null, icon: 'move' };
    case 'close': return { text: tk('eventClose', { actor }), detail: null, icon: 'move' };
    case 'chat': return { text: data.side === 'person' ? t('evChatPerson') : t('evChatTechnician', { actor: str('from') || actor }), detail: str('text'), icon: 'note' };
    case 'shell_opened': return shellEventLine(e, actor);
    case 'shell_closed': return shellEventLine(e, actor);
    case 'auto_close': return { text: tk('eventAutoClose', { days: Number(data.afterDays ?? 0) }), detail: null, icon: 'move' };
    case 'survey_answered': return { text: surveyEventText(data), detail: str('comment') || null, icon: 'note' };
    case 'kb_fix_run':
    case 'kb_fix_result': return { text: fixEventText(e, actor, hostnameOf), detail: null, icon: 'move', ...(str('deviceId') ? { device: str('deviceId') } : {}) };
    default: return { text: t('evOther', { actor, kind: e.kind }), detail: null, icon: 'move' };
  }
}

export function createTicketPage(app: AppContext, number: number): Page {
  let ticket: TicketView | null = null;
  let events: TicketEventView[] = [];
  let timelineMore = false;
  let disposed = false;
  let busy = false;

  const header = el('header', { class: 'page-header ticket-header' });
  const conflict = el('div', { class: 'notice notice-warn ticket-conflict', role: 'alert', hidden: true, 'data-testid': 'ticket-conflict' });
  const actionError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'action-error' });
  const actions = el('div', { class: 'ticket-actions', 'data-testid': 'ticket-actions' });
  const clocks = el('div', { class: 'sla-clocks', 'data-testid': 'sla-clocks' });
  const description = el('section', { class: 'card' });
  const requesterCard = el('section', { class: 'card ticket-side-card', 'data-testid': 'requester-card' });
  const detailsCard = el('section', { class: 'card ticket-side-card' });
  const devicesCard = el('section', { class: 'card ticket-side-card', 'data-testid': 'ticket-devices' });
  const timeline = el('ol', { class: 'timeline', 'data-testid': 'timeline' });
  const timelineMoreButton = el('button', { class: 'btn btn-secondary btn-small', type: 'button', hidden: true, 'data-testid': 'timeline-more' }, t('timelineMore'));

  // The notes form stays put across refreshes, so a note being typed is never lost.
  const noteBody = el('textarea', { class: 'input', id: 'note-body', 'data-testid': 'note-body', rows: 4, maxlength: 20000, placeholder: t('notePlaceholder') });
  const visibility = el('select', { class: 'input', id: 'note-visibility', 'data-testid': 'note-visibility', 'aria-label': t('noteVisibility') },
    el('option', { value: 'internal' }, t('noteInternal')), el('option', { value: 'person' }, t('notePerson')));
  const noteError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'note-error' });
  const noteSubmit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'add-note' }, t('addNote'));
  const noteForm = el('form', { class: 'note-form', novalidate: true },
    el('label', { class: 'field-label', for: 'note-body' }, t('noteTitle')), noteBody,
    el('div', { class: 'note-form-row' },
      el('label', { class: 'field-label visually-hidden', for: 'note-visibility' }, t('noteVisibility')), visibility,
      el('span', { class: 'muted small grow' }, t('noteHint')), noteSubmit),
    noteError);

  // Suggested articles: from what the ticket's devices show, before anyone types.
  let firstLoaded: (ticket: TicketView) => void = () => {};
  const loaded = new Promise<TicketView>((resolve) => (firstLoaded = resolve));
  const suggestions = createSuggestionsCard(app, { ticketNumber: number, targets: async () => fixTargets(app, (ticket ?? (await loaded)).deviceIds) });
  const main = el('div', { class: 'ticket-main' },
    description,
    suggestions.root,
    el('section', { class: 'card' },
      el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, t('timelineTitle'))),
      timeline, el('div', { class: 'timeline-footer' }, timelineMoreButton), noteForm));
  const linkPanel = createSupportLinkPanel(() => void loadTimeline(), (deviceId) => app.navigate(`#/devices/${encodeURIComponent(deviceId)}`), number);
  const side = el('div', { class: 'ticket-side' }, requesterCard, detailsCard, devicesCard);
  const body = el('div', { class: 'ticket-body', hidden: true }, el('div', { class: 'ticket-columns' }, main, side), linkPanel.root);
  const loadingNote = el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingTicket'));

  const root = el('div', { class: 'page ticket-page', 'data-testid': 'ticket-page' },
    header, conflict, actionError, clocks, actions, loadingNote, body);

  const clockCard = (label: string, reading: TicketView['sla']['own'], testId: string) => {
    const tone = slaTone(reading);
    const detail = reading.stopped ? tk('slaStopped')
      // Paused, the time left still matters: it is what the clock resumes with.
      : reading.paused ? t('slaPausedWithTime', { overdue: reading.state === 'breached' ? 'yes' : 'no', time: duration(reading.remainingMs) })
      : reading.deadline !== null ? tk('slaDeadline', { deadline: formats.dateTime(reading.deadline) }) : '';
    const width = Math.min(100, Math.round(reading.ratio * 100));
    return el('div', { class: `sla-card sla-card-${tone}`, 'data-testid': testId, 'data-sla': tone },
      el('div', { class: 'sla-card-head' }, el('span', { class: 'field-label' }, label), slaPill(reading, `${testId}-pill`)),
      el('div', { class: 'sla-bar', 'aria-hidden': 'true' }, el('span', { class: 'sla-bar-fill', style: `width: ${width}%` })),
      el('div', { class: 'muted small' }, detail, ' ', el('span', { class: 'sla-target' }, t('slaTarget', { time: duration(reading.targetMs) }))));
  };

  const row = (label: string, value: Node | string) => el('div', { class: 'detail-row' }, el('dt', null, label), el('dd', null, value));

  const render = () => {
    if (!ticket) return;
    const tk0 = ticket;
    loadingNote.hidden = true;
    body.hidden = false;
    replaceChildren(header,
      el('div', { class: 'ticket-heading' },
        el('a', { class: 'back-link', href: '#/tickets' }, icon('back'), t('backToQueue')),
        el('h1', null, el('span', { class: 'ticket-number', 'data-testid': 'ticket-number' }, tk('number', { number: tk0.number })), ' ', el('span', { 'data-testid': 'ticket-heading' }, tk0.title)),
        el('div', { class: 'ticket-meta' },
          statusBadge(tk0.status), priorityChip(tk0.priority),
          badge(tk('level', { level: tk0.level }), tk0.level === 'L2' ? 'warn' : 'neutral', 'ticket-level'),
          el('span', { class: 'muted', 'data-testid': 'ticket-assignee' }, tk0.assignee ? t('assignedTo', { name: tk0.assignee.name }) : t('notAssigned')))));
    replaceChildren(clocks,
      clockCard(tk('slaOwn'), tk0.sla.own, 'sla-own'),
      clockCard(tk('slaResolve'), tk0.sla.resolve, 'sla-resolve'));
    const valid = validActions(tk0, app.me.user.username, app.me.role);
    // A level-1 technician reads and annotates a level-2 ticket; level 2 acts on it.
    const following = tk0.level === 'L2' && !roleMayAct(app.me.role, 'take', tk0) && tk0.status !== 'closed';
    // A support session from this ticket is working it: not for level 1 on level 2, nor on a closed ticket.
    linkPanel.root.hidden = !roleMayWork(app.me.role, tk0);
    replaceChildren(actions, ...valid.map((a) => el('button', {
      class: `btn ${a === 'resolve' || (a === 'take' && tk0.assignee === null) ? 'btn-primary' : 'btn-secondary'}`,
      type: 'button', 'data-testid': `action-${a}`, disabled: busy, onclick: () => void runAction(a),
    }, ACTION_LABEL[a]())),
    // A resolved ticket: the resolution e-mail with its satisfaction link, to copy.
    tk0.status === 'resolved' ? el('button', { class: 'btn btn-secondary', type: 'button', 'data-testid': 'survey-mail', disabled: busy, onclick: () => void surveyMailDialog(tk0, app.me.user.name) }, satisfactionWords('mailButton')) : null,
    tk0.status === 'resolved' || tk0.status === 'closed'
      ? el('a', { class: 'btn btn-secondary', href: `#/knowledge/new/ticket/${tk0.number}`, title: kt('documentFixHint'), 'data-testid': 'document-fix' }, icon('book'), kt('documentFix'))
      : null,
    following ? el('p', { class: 'form-info', role: 'note', 'data-testid': 'ticket-following' }, t('followingLevel2', { resolved: tk0.status === 'resolved' ? 'yes' : 'no' }))
      : valid.length === 0 ? el('span', { class: 'muted' }, t('noActions')) : null);
    replaceChildren(description,
      el('h2', { class: 'card-title' }, tk('fieldDescription')),
      tk0.description.trim() ? markdownView(tk0.description, 'ticket-description') : el('p', { class: 'muted' }, t('noDescription')),
      tk0.waitingReason ? el('div', { class: 'reason-box' }, el('span', { class: 'field-label' }, t('fieldWaitingReason')), plainText(tk0.waitingReason)) : null,
      tk0.escalationReason ? el('div', { class: 'reason-box' }, el('span', { class: 'field-label' }, t('fieldEscalationReason')), plainText(tk0.escalationReason)) : null,
      tk0.resolution ? el('div', { class: 'reason-box reason-good' },
        el('span', { class: 'field-label' }, tk('fieldResolution'), ' · ', tk('solutionType', { solutionType: tk0.resolution.solutionType })),
        plainText(tk0.resolution.text, 'ticket-resolution')) : null);
    const r = tk0.requester;
    replaceChildren(requesterCard,
      el('h2', { class: 'card-title' }, t('requesterTitle')),
      el('p', { class: 'strong', 'data-testid': 'requester-name' }, r.name),
      r.phone ? el('p', null, el('a', { href: `tel:${r.phone.replace(/[^0-9+]/g, '')}` }, r.phone)) : null,
      r.email ? el('p', null, el('a', { href: `mailto:${r.email}` }, r.email)) : null,
      !r.phone && !r.email ? el('p', { class: 'muted small' }, t('noContact')) : null);
    replaceChildren(detailsCard,
      el('h2', { class: 'card-title' }, t('detailsTitle')),
      el('dl', { class: 'detail-list' },
        row(tk('fieldCategory'), tk('category', { category: tk0.category })),
        row(tk('fieldImpact'), tk('impact', { impact: tk0.impact })),
        row(tk('fieldUrgency'), tk('urgency', { urgency: tk0.urgency })),
        row(tk('fieldPriority'), tk('priority', { priority: tk0.priority })),
        row(t('created'), formatWhen(tk0.createdAt)),
        row(t('updated'), formatWhen(tk0.updatedAt)),
        tk0.resolvedAt ? row(t('resolvedAt'), formatWhen(tk0.resolvedAt)) : null,
        tk0.closedAt ? row(t('closedAt'), formatWhen(tk0.closedAt)) : null));
    renderDevices();
  };

  /** The ticket's devices by name with their state; a device this page has not seen yet is fetched once, its id shown meanwhile. */
  const asked = new Set<string>();
  const nameOfDevice = (id: string) => {
    const known = app.store.get(id);
    return known ? deviceLabel(known) : id;
  };
  const renderDevices = () => {
    if (!ticket) return;
    for (const id of ticket.deviceIds) {
      if (app.store.get(id) || asked.has(id)) continue;
      asked.add(id);
      // Not known (a purged session): the id stays, as before.
      void app.store.load(id).catch(() => null);
    }
    replaceChildren(devicesCard,
      el('h2', { class: 'card-title' }, t('devicesTitle')),
      ticket.deviceIds.length === 0 ? el('p', { class: 'muted small' }, t('noDevices'))
        : el('ul', { class: 'plain-list ticket-devices' }, ...ticket.deviceIds.map((id) => {
          const device = app.store.get(id);
          const state = device ? deviceState(device) : null;
          return el('li', { class: 'ticket-device', 'data-testid': 'ticket-device', 'data-device-id': id },
            el('a', { class: device ? 'strong' : 'mono', href: `#/devices/${encodeURIComponent(id)}` }, device ? deviceLabel(device) : id),
            state ? badge(DEVICE_STATE_LABEL[state], DEVICE_TONE[state], 'ticket-device-state') : null);
        })));
  };

  /** The device names the timeline shows, to draw it again only when one of them changes. */
  const namesShown = new Map<string, string>();
  const renderTimeline = () => {
    namesShown.clear();
    const hostnameOf: HostnameOf = (id, recorded) => {
      const known = app.store.get(id);
      const name = known ? deviceLabel(known) : recorded || id;
      namesShown.set(id, name);
      return name;
    };
    replaceChildren(timeline, ...events.map((e) => {
      const line = eventLine(e, hostnameOf);
      return el('li', { class: `timeline-item timeline-${line.icon}${e.visibility === 'person' ? ' timeline-public' : ''}`, 'data-testid': 'timeline-item', 'data-kind': e.kind },
        el('span', { class: 'timeline-dot', 'aria-hidden': 'true' }),
        el('div', { class: 'timeline-content' },
          el('div', { class: 'timeline-head' },
            el('span', { class: 'timeline-text' }, line.text),
            e.kind === 'note' ? badge(e.visibility === 'person' ? t('notePersonBadge') : t('noteInternalBadge'), e.visibility === 'person' ? 'info' : 'neutral') : null,
            line.tag ? badge(line.tag, 'neutral') : null,
            line.device ? el('a', { class: 'small', href: `#/devices/${encodeURIComponent(line.device)}`, 'data-testid': 'timeline-device-link' }, t('evFindingsOpen')) : null,
            el('time', { class: 'muted small nowrap', datetime: new Date(e.at).toISOString() }, formatWhen(e.at))),
          line.detail ? (line.markdown ? markdownView(line.detail) : plainText(line.detail)) : null,
          recordingActions(e, (id) => nameOfDevice(id))));
    }));
    if (events.length === 0) timeline.append(el('li', { class: 'muted' }, t('timelineEmpty')));
    timelineMoreButton.hidden = !timelineMore;
    // A link made here and used since no longer counts down.
    for (const e of events) {
      if (e.kind === 'agent_joined' && typeof e.data.supportLinkId === 'string') {
        linkPanel.joined(e.data.supportLinkId, typeof e.data.deviceId === 'string' ? e.data.deviceId : null);
      }
    }
  };

  /** The next page of events after the last one shown (the first page the first time). */
  let fetching: Promise<void> | null = null;
  const loadTimeline = (): Promise<void> => {
    // One fetch at a time: two at once would both start after the same event.
    fetching = (fetching ?? Promise.resolve()).then(async () => {
      try {
        const last = events[events.length - 1];
        const page = await ticketsApi.timeline(number, last ? String(last.id) : null);
        if (disposed) return;
        events = appendPage(events, page.events, (e) => e.id);
        timelineMore = page.nextCursor !== null;
        renderTimeline();
      } catch (err) {
        if (!disposed) replaceChildren(timeline, el('li', { class: 'form-error' }, err instanceof ApiError ? err.message : t('timelineFailed')));
      }
    });
    return fetching;
  };
  timelineMoreButton.addEventListener('click', () => void loadTimeline());

  const load = async (quiet = false) => {
    try {
      const next = (await ticketsApi.ticket(number)).ticket;
      if (disposed) return;
      const changedVersion = ticket?.version !== next.version;
      ticket = next;
      firstLoaded(next);
      render();
      if (changedVersion) void loadTimeline();
    } catch (err) {
      if (disposed || quiet) return;
      loadingNote.hidden = false;
      replaceChildren(loadingNote, el('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.message : t('ticketFailed')),
        el('a', { class: 'btn btn-secondary', href: '#/tickets' }, t('backToQueue')));
    }
  };

  const showConflict = (now: TicketView) => {
    const before = ticket!;
    const what = changes(before, now);
    conflict.hidden = false;
    replaceChildren(conflict, icon('alert'),
      el('div', null,
        el('strong', null, t('conflictTitle')),
        el('p', null, t('conflictBody')),
        what.length ? el('ul', { class: 'conflict-list', 'data-testid': 'conflict-changes' }, ...what.map((w) => el('li', null, w))) : null));
    ticket = now;
    render();
    void loadTimeline();
  };

  const ask = async (action: ActionName): Promise<TicketActionBody | null> => {
    switch (action) {
      case 'wait_for_user': {
        const reason = await reasonDialog({ title: t('waitTitle'), intro: t('waitIntro'), label: tk('fieldReason'), confirmLabel: t('actionWait') });
        return reason === null ? null : { type: 'wait_for_user', reason };
      }
      case 'escalate': {
        const reason = await reasonDialog({ title: t('escalateTitle'), intro: t('escalateIntro'), label: tk('fieldReason'), confirmLabel: t('actionEscalate') });
        return reason === null ? null : { type: 'escalate', reason };
      }
      case 'de_escalate': {
        const reason = await reasonDialog({ title: t('deEscalateTitle'), intro: t('deEscalateIntro'), label: tk('fieldReason'), confirmLabel: t('actionDeEscalate') });
        return reason === null ? null : { type: 'de_escalate', reason };
      }
      case 'reopen': {
        const reason = await reasonDialog({ title: t('reopenTitle'), intro: t('reopenIntro'), label: t('reasonOptional'), confirmLabel: t('actionReopen'), optional: true });
        return reason === null ? null : { type: 'reopen', reason };
      }
      case 'resolve': {
        const answer = await resolveDialog();
        return answer === null ? null : { type: 'resolve', ...answer };
      }
      default:
        return { type: action };
    }
  };

  const runAction = async (action: ActionName) => {
    if (!ticket || busy) return;
    const body = await ask(action);
    if (!body || disposed || !ticket) return;
    busy = true;
    actionError.hidden = true;
    conflict.hidden = true;
    render();
    try {
      ticket = (await ticketsApi.act(number, body, ticket.version)).ticket;
      // Just resolved: the e-mail with its satisfaction link comes next.
      if (body.type === 'resolve' && ticket.status === 'resolved' && !disposed) {
        const resolved = ticket;
        queueMicrotask(() => void surveyMailDialog(resolved, app.me.user.name));
      }
    } catch (err) {
      const now = conflictTicket(err);
      if (now) showConflict(now);
      else {
        actionError.hidden = false;
        actionError.textContent = err instanceof ApiError ? err.message : t('actionFailed');
      }
    } finally {
      busy = false;
    }
    if (disposed) return;
    render();
    void loadTimeline();
  };

  noteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    noteError.hidden = true;
    if (noteBody.value.trim() === '') {
      noteError.hidden = false;
      noteError.textContent = t('noteRequired');
      return noteBody.focus();
    }
    noteSubmit.disabled = true;
    try {
      await ticketsApi.note(number, noteBody.value, visibility.value === 'person' ? 'person' : 'internal');
      if (disposed) return;
      noteBody.value = '';
      await loadTimeline();
    } catch (err) {
      if (disposed) return;
      noteError.hidden = false;
      noteError.textContent = err instanceof ApiError ? err.message : t('noteFailed');
    } finally {
      noteSubmit.disabled = false;
    }
  });

  const onFocus = () => void load(true);
  window.addEventListener('focus', onFocus);
  const timer = setInterval(() => void load(true), REFRESH_MS);
  void load();

  // The live timeline: the controller announces each new event (a notice); the page reads it over REST.
  // A status change also changes the header, so the ticket is read again then.
  let firstOpen = true;
  const stopState = app.socket.onState((state) => {
    if (state.kind !== 'open') return;
    app.socket.send({ t: 'ticket.watch', number });
    if (!firstOpen) void load(true).then(() => loadTimeline());
    firstOpen = false;
  });
  // The devices' names and states: once fetched, and as they change (online, offline, ended).
  const stopDevices = app.store.subscribe((change) => {
    if (disposed || !ticket) return;
    const id = change === null ? null : change.kind === 'update' ? change.device.id : change.deviceId;
    if (id !== null && !ticket.deviceIds.includes(id)) return;
    renderDevices();
    const known = id === null ? undefined : app.store.get(id);
    const name = known ? deviceLabel(known) : undefined;
    if (id === null || (name !== undefined && namesShown.has(id) && namesShown.get(id) !== name)) renderTimeline();
  });
  const stopEvents = app.socket.on('ticket.event', (message) => {
    if (disposed || message.number !== number) return;
    if (events.some((e) => e.id === message.event.id)) return;
    void loadTimeline();
    if (STATUS_EVENT_KINDS.has(message.event.kind)) void load(true);
    if (message.event.kind === 'findings' || message.event.kind === 'edited') void suggestions.refresh();
  });

  return {
    root,
    get title() { return ticket ? t('ticketPageTitle', { number: tk('number', { number }), title: ticket.title }) : tk('number', { number }); },
    dispose() {
      disposed = true;
      clearInterval(timer);
      stopState();
      stopEvents();
      stopDevices();
      app.socket.send({ t: 'ticket.unwatch', number });
      window.removeEventListener('focus', onFocus);
      linkPanel.dispose();
      suggestions.dispose();
    },
  };
}
