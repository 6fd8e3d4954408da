/**
 * A new ticket, typed by the technician on the phone with the person: what is wrong,
 * who asks, how bad it is (impact × urgency give the priority, shown as it is
 * computed), and optionally the support link already sent to that person. Opened from a
 * device's page ("New ticket"), the ticket starts with that device on it: its findings go on
 * the timeline and the articles for them are suggested at once.
 */
import {
  SEVERITY_LEVELS, TICKET_CATEGORIES, priorityOf, requesterEmail, requesterPhone, ticketDescription, ticketTitle,
  type TicketCategory, type TicketImpact, type TicketUrgency,
} from '../../../protocol/ticket-model.js';
import { errorWords } from '../../../protocol/index.js';
import type { AppContext, Page } from '../app/page.js';
import { language } from '../app/language.js';
import { ApiError, api, type SupportLinkView } from '../connection/api.js';
import { deviceLabel } from '../devices/device-store.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fieldProblemOf } from '../ui/field-problem.js';
import { formatWhen } from '../ui/format.js';
import { priorityChip, t, tk } from './ticket-wording.js';
import { ticketsApi } from './tickets-api.js';

type Field = 'title' | 'description' | 'name' | 'phone' | 'email' | 'category' | 'supportLink';

/** The server names a refused field in its English detail, e.g. "(requester.email)": which input it is. */
const SERVER_FIELD: Record<string, Field> = {
  title: 'title', description: 'description', 'requester.name': 'name', 'requester.phone': 'phone', 'requester.email': 'email',
  category: 'category', supportLinkId: 'supportLink',
};

export function createNewTicketPage(app: AppContext, deviceId: string | null = null): Page {
  let disposed = false;
  const input = (id: string, attrs: Record<string, string | number | boolean> = {}) =>
    el('input', { class: 'input', id, name: id, 'data-testid': id, ...attrs });
  const title = input('ticket-title', { maxlength: 200, autocomplete: 'off', required: true });
  const description = el('textarea', { class: 'input', id: 'ticket-description', 'data-testid': 'ticket-description', rows: 6, maxlength: 20000 });
  const name = input('requester-name', { maxlength: 128, autocomplete: 'off', required: true });
  const phone = input('requester-phone', { maxlength: 32, type: 'tel', autocomplete: 'off' });
  const email = input('requester-email', { maxlength: 254, type: 'email', autocomplete: 'off' });
  const options = (values: readonly string[], words: (v: string) => string) => values.map((v) => el('option', { value: v }, words(v)));
  const category = el('select', { class: 'input', id: 'ticket-category', 'data-testid': 'ticket-category' },
    el('option', { value: '' }, t('chooseCategory')), ...options(TICKET_CATEGORIES, (c) => tk('category', { category: c })));
  const impact = el('select', { class: 'input', id: 'ticket-impact', 'data-testid': 'ticket-impact' }, ...options(SEVERITY_LEVELS, (v) => tk('impact', { impact: v })));
  const urgency = el('select', { class: 'input', id: 'ticket-urgency', 'data-testid': 'ticket-urgency' }, ...options(SEVERITY_LEVELS, (v) => tk('urgency', { urgency: v })));
  impact.value = 'medium';
  urgency.value = 'medium';
  const supportLink = el('select', { class: 'input', id: 'ticket-support-link', 'data-testid': 'ticket-support-link' }, el('option', { value: '' }, t('noSupportLink')));
  const priority = el('div', { class: 'priority-preview', 'data-testid': 'priority-preview', 'aria-live': 'polite' });
  const showPriority = () => {
    const p = priorityOf(impact.value as TicketImpact, urgency.value as TicketUrgency);
    replaceChildren(priority, priorityChip(p), el('span', null, tk('priority', { priority: p })));
  };
  impact.addEventListener('change', showPriority);
  urgency.addEventListener('change', showPriority);
  showPriority();

  const errors = new Map<Field, HTMLElement>();
  const inputs: Record<Field, HTMLElement> = { title, description, name, phone, email, category, supportLink };
  const field = (key: Field, id: string, label: string, control: HTMLElement, hint?: string, required = false) => {
    const error = el('span', { class: 'field-error', role: 'alert', 'data-testid': `error-${key}`, hidden: true });
    errors.set(key, error);
    return el('div', { class: 'field' },
      el('label', { class: 'field-label', for: id }, label, required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      control, hint ? el('span', { class: 'muted small' }, hint) : null, error);
  };
  const formError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'form-error' });

  // The device the ticket is for, when opened from its page: named as the fleet names it.
  let device: 'loading' | 'unknown' | string = 'loading';
  const deviceName = el('span', { class: 'strong', 'data-testid': 'new-ticket-device' });
  const deviceNote = el('span', { class: 'muted small' });
  const deviceField = deviceId === null ? null : el('section', { class: 'card' },
    el('h2', { class: 'card-title' }, t('newTicketDevice')),
    el('p', { class: 'new-ticket-device' }, icon('monitor', 16), deviceName), deviceNote);
  const showDevice = () => {
    deviceName.textContent = device === 'loading' ? '…' : device === 'unknown' ? t('deviceUnknown') : device;
    deviceNote.textContent = device === 'unknown' ? '' : t('deviceHint');
  };
  if (deviceId !== null) {
    showDevice();
    void app.store.load(deviceId).then((view) => {
      device = view ? deviceLabel(view) : 'unknown';
    }, () => {
      device = app.store.view(deviceId)?.hostname ?? deviceId;
    }).finally(() => !disposed && showDevice());
  }
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-ticket' }, icon('plus'), t('createTicket'));

  const setError = (key: Field, message: string | null) => {
    const node = errors.get(key)!;
    node.hidden = message === null;
    node.textContent = message ?? '';
    inputs[key].classList.toggle('input-invalid', message !== null);
    if (message === null) inputs[key].removeAttribute('aria-invalid');
    else inputs[key].setAttribute('aria-invalid', 'true');
  };

  /** Checks every field with the contract's own schemas; returns the first field in error. */
  const check = (): Field | null => {
    const problems: [Field, string | null][] = [
      ['title', title.value.trim() === '' ? t('errTitleRequired') : ticketTitle.safeParse(title.value).success ? null : t('errTitleInvalid')],
      ['description', ticketDescription.safeParse(description.value).success ? null : t('errDescriptionInvalid')],
      ['name', name.value.trim() === '' ? t('errNameRequired') : null],
      ['phone', phone.value.trim() === '' || requesterPhone.safeParse(phone.value.trim()).success ? null : t('errPhoneInvalid')],
      ['email', email.value.trim() === '' || requesterEmail.safeParse(email.value.trim()).success ? null : t('errEmailInvalid')],
      ['category', category.value === '' ? t('errCategoryRequired') : null],
    ];
    let first: Field | null = null;
    for (const [key, message] of problems) {
      setError(key, message);
      if (message && !first) first = key;
    }
    return first;
  };

  const form = el('form', { class: 'ticket-form', novalidate: true, 'data-testid': 'new-ticket-form' },
    el('section', { class: 'card' },
      el('h2', { class: 'card-title' }, t('sectionProblem')),
      el('div', { class: 'form-stack' },
        field('title', 'ticket-title', tk('fieldTitle'), title, t('titleHint'), true),
        field('description', 'ticket-description', tk('fieldDescription'), description, t('descriptionHint')))),
    deviceField,
    el('section', { class: 'card' },
      el('h2', { class: 'card-title' }, t('sectionRequester')),
      el('div', { class: 'field-grid' },
        field('name', 'requester-name', t('requesterName'), name, undefined, true),
        field('phone', 'requester-phone', tk('fieldRequesterPhone'), phone),
        field('email', 'requester-email', tk('fieldRequesterEmail'), email))),
    el('section', { class: 'card' },
      el('h2', { class: 'card-title' }, t('sectionTriage')),
      el('div', { class: 'field-grid' },
        field('category', 'ticket-category', tk('fieldCategory'), category, undefined, true),
        el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'ticket-impact' }, tk('fieldImpact')), impact, el('span', { class: 'muted small' }, t('impactHint'))),
        el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'ticket-urgency' }, tk('fieldUrgency')), urgency, el('span', { class: 'muted small' }, t('urgencyHint'))),
        el('div', { class: 'field' }, el('span', { class: 'field-label' }, tk('fieldPriority')), priority, el('span', { class: 'muted small' }, t('priorityHint')))),
      el('div', { class: 'form-stack ticket-link-field' },
        field('supportLink', 'ticket-support-link', t('supportLinkField'), supportLink, t('supportLinkHint')))),
    formError,
    el('div', { class: 'form-actions' },
      el('a', { class: 'btn btn-secondary', href: '#/tickets' }, t('cancel')),
      submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    const first = check();
    if (first) return inputs[first].focus();
    submit.disabled = true;
    try {
      const { ticket } = await ticketsApi.create({
        title: title.value.trim(),
        description: description.value,
        requester: { name: name.value.trim(), phone: phone.value.trim() || null, email: email.value.trim() || null },
        category: category.value as TicketCategory,
        impact: impact.value as TicketImpact,
        urgency: urgency.value as TicketUrgency,
        deviceIds: deviceId !== null && device !== 'unknown' ? [deviceId] : [],
        ...(supportLink.value ? { supportLinkId: supportLink.value } : {}),
      });
      if (!disposed) app.navigate(`#/tickets/${ticket.number}`);
    } catch (err) {
      if (disposed) return;
      const message = err instanceof ApiError ? err.message : errorWords('HTTP_ERR_INTERNAL', language());
      const detail = fieldProblemOf(err)?.path;
      const target = detail ? SERVER_FIELD[detail] : undefined;
      if (target) {
        setError(target, message);
        inputs[target].focus();
      } else {
        formError.hidden = false;
        formError.textContent = message;
      }
    } finally {
      submit.disabled = false;
    }
  });

  // The support links still waiting for their person, to tie the new ticket to one.
  void api.supportLinks().then(({ links }) => {
    if (disposed) return;
    const usable = links.filter((l: SupportLinkView) => l.status !== 'expired').sort((a, b) => b.createdAt - a.createdAt).slice(0, 50);
    supportLink.append(...usable.map((l) => el('option', { value: l.id },
      t('supportLinkOption', { when: formatWhen(l.createdAt), technician: l.technician.name, status: l.status }))));
  }).catch(() => {
    // Without the list, the ticket is simply not tied to a link.
  });

  const root = el('div', { class: 'page new-ticket-page' },
    el('header', { class: 'page-header' }, el('div', null,
      el('a', { class: 'back-link', href: '#/tickets' }, icon('back'), t('backToQueue')),
      el('h1', null, t('newTicketTitle')),
      el('p', { class: 'page-subtitle' }, t('newTicketSubtitle')))),
    form);
  setTimeout(() => title.focus(), 0);
  return { root, get title() { return t('newTicketTitle'); }, dispose() { disposed = true; } };
}
