/**
 * The reports dashboard (administrators): a date range (the last 30 days by default, or
 * 7/30/90/365 at a click) and a technician filter; cards for the rates and means; charts
 * of the days and the satisfaction answers (uPlot, charts.ts); top categories and findings
 * as labelled bars; a table per technician; each with a link to its numbers as CSV.
 * Everything is computed by the controller (GET /api/reports); the page only draws.
 */
import { restAnswers } from '../../../protocol/index.js';
import { REPORT_MAX_DAYS, addDays, type ReportAnswer, type ReportChart } from '../../../protocol/report-model.js';
import type { SurveyAnswerView } from '../../../protocol/satisfaction-model.js';
import { ticketCatalog } from '../../../protocol/ticket-catalog.js';
import { formats, wordsOf } from '../app/language.js';
import type { AppContext, Page } from '../app/page.js';
import { ApiError, request } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { codeLabel } from '../knowledge/knowledge-wording.js';
import { barChart, dailyChart, type Chart } from './charts.js';
import { reportsApi, type ReportFilter } from './reports-api.js';
import { reportsCatalog } from './reports-catalog.js';

const t = wordsOf(reportsCatalog);
const tk = wordsOf(ticketCatalog);

const RANGES = [[7, 'last7'], [30, 'last30'], [90, 'last90'], [365, 'last365']] as const;

/** Business milliseconds as "3 h 20 min". */
function duration(ms: number | null): string {
  if (ms === null) return t('noValue');
  const minutes = Math.round(ms / 60_000);
  return t('duration', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}

const rate = (value: number | null) => (value === null ? t('noValue') : formats.percent(value * 100));
const stars = (value: number | null) => (value === null ? t('noValue') : t('outOf5', { value: formats.number(value, 1) }));

export function createReportsPage(_app: AppContext): Page {
  let filter: ReportFilter = { from: '', to: '', technician: null };
  let charts: Chart[] = [];
  let generation = 0;
  let disposed = false;

  const from = el('input', { class: 'input', type: 'date', id: 'report-from', 'data-testid': 'report-from' });
  const to = el('input', { class: 'input', type: 'date', id: 'report-to', 'data-testid': 'report-to' });
  const who = el('select', { class: 'input', id: 'report-technician', 'data-testid': 'report-technician' }, el('option', { value: '' }, t('everyone')));
  const quick = el('div', { class: 'segmented', role: 'group' }, ...RANGES.map(([days, key]) => el('button', {
    class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': `report-last-${days}`,
    onclick: () => {
      const end = to.value || filter.to;
      filter = { ...filter, to: end, from: addDays(end, -(days - 1)) };
      void load();
    },
  }, t(key))));
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'report-error' });
  const body = el('div', { class: 'reports-body', 'data-testid': 'reports-body' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading')));

  const root = el('div', { class: 'page reports-page', 'data-testid': 'reports-page' },
    el('header', { class: 'page-header' },
      el('div', null, el('h1', null, t('heading')), el('p', { class: 'muted' }, t('lead')))),
    el('section', { class: 'card report-filters' },
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'report-from' }, t('from')), from),
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'report-to' }, t('to')), to),
      el('div', { class: 'field' }, el('label', { class: 'field-label', for: 'report-technician' }, t('technician')), who),
      quick),
    error, body);

  const csv = (chart: ReportChart, title: string) => el('a', {
    class: 'btn btn-ghost btn-small', href: reportsApi.csvHref(chart, filter), download: '', 'data-testid': `csv-${chart}`, 'aria-label': t('csvOf', { chart: title }),
  }, icon('download'), t('csv'));

  const card = (title: string, chart: ReportChart, testId: string, ...content: Array<Node | null>) => el('section', { class: 'card report-card', 'data-testid': testId },
    el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, title), csv(chart, title)), ...content);

  const stat = (label: string, value: string, detail: string, testId: string) => el('div', { class: 'card report-stat', 'data-testid': testId },
    el('span', { class: 'field-label' }, label), el('strong', { class: 'report-stat-value', 'data-testid': `${testId}-value` }, value), el('span', { class: 'muted small' }, detail));

  /** A ranked list drawn as bars: readable however long its labels. */
  const bars = (rows: Array<{ label: string; count: number; code?: string }>) => {
    if (rows.length === 0) return el('p', { class: 'muted' }, t('noData'));
    const max = Math.max(...rows.map((r) => r.count), 1);
    return el('ol', { class: 'report-bars' }, ...rows.map((r) => el('li', null,
      el('span', { class: `report-bar-label${r.code === r.label ? ' mono' : ''}`, title: r.code ?? r.label, ...(r.code ? { 'data-code': r.code } : {}) }, r.label),
      el('span', { class: 'report-bar-track', 'aria-hidden': 'true' }, el('span', { class: 'report-bar-fill', style: `width: ${Math.max(2, Math.round((r.count / max) * 100))}%` })),
      el('span', { class: 'report-bar-count' }, formats.number(r.count, 0)))));
  };

  const answersList = (answers: SurveyAnswerView[]) => answers.length === 0 ? el('p', { class: 'muted small' }, t('noAnswers'))
    : el('ul', { class: 'report-answers', 'data-testid': 'report-answers' }, ...answers.map((a) => el('li', null,
      el('span', { class: `rating-chip ${a.notSolved ? 'rating-bad' : a.rating !== null && a.rating >= 4 ? 'rating-good' : 'rating-mid'}` }, a.notSolved ? t('notSolved') : t('answerRating', { rating: a.rating ?? 0 })),
      el('div', { class: 'report-answer-text' },
        el('a', { href: `#/tickets/${a.ticketNumber}` }, tk('number', { number: a.ticketNumber })), ' ',
        el('span', { class: 'muted small' }, formats.dateTime(a.answeredAt), ' · ', t('answerVia', { via: a.via }), a.technician ? ` · ${a.technician.name}` : ''),
        a.comment ? el('p', { class: 'report-comment' }, a.comment) : null))));

  const render = (r: ReportAnswer, answers: SurveyAnswerView[]) => {
    for (const c of charts) c.dispose();
    const days = r.days.map((d) => d.day);
    const daily = dailyChart(days, [
      { label: t('seriesOpened'), values: r.days.map((d) => d.opened), colour: '--primary', bars: true },
      { label: t('seriesResolved'), values: r.days.map((d) => d.resolved), colour: '--good' },
    ]);
    const breaches = dailyChart(days, [
      { label: t('seriesOwnBreaches'), values: r.days.map((d) => d.ownBreaches), colour: '--warn' },
      { label: t('seriesResolveBreaches'), values: r.days.map((d) => d.resolveBreaches), colour: '--bad' },
    ]);
    const ratingLabels = ['1', '2', '3', '4', '5', t('notSolved')];
    const satisfaction = barChart(ratingLabels, [...r.ratings, r.cards.notSolved], t('seriesAnswers'));
    charts = [daily, breaches, satisfaction];
    const c = r.cards;
    replaceChildren(body,
      el('div', { class: 'report-stats' },
        stat(t('cardOpened'), formats.number(c.opened, 0), `${r.from} → ${r.to}`, 'stat-opened'),
        stat(t('cardResolved'), formats.number(c.resolved, 0), `${r.from} → ${r.to}`, 'stat-resolved'),
        stat(t('cardFirstContact'), rate(c.firstContactRate), t('cardFirstContactHint'), 'stat-first-contact'),
        stat(t('cardMeanOwn'), duration(c.meanOwnMs), t('cardBusinessHours'), 'stat-mean-own'),
        stat(t('cardMeanResolve'), duration(c.meanResolveMs), t('cardBusinessHours'), 'stat-mean-resolve'),
        stat(t('cardBreaches'), formats.number(c.ownBreaches + c.resolveBreaches, 0), t('cardBreachesDetail', { own: c.ownBreaches, resolve: c.resolveBreaches }), 'stat-breaches'),
        stat(t('cardSatisfaction'), stars(c.satisfactionAverage), t('cardSatisfactionDetail', { answers: c.answers, notSolved: c.notSolved }), 'stat-satisfaction')),
      el('div', { class: 'report-grid' },
        card(t('chartDaily'), 'daily', 'chart-daily', daily.root),
        card(t('chartBreaches'), 'daily', 'chart-breaches', breaches.root),
        card(t('chartSatisfaction'), 'satisfaction', 'chart-satisfaction', satisfaction.root,
          el('h3', { class: 'report-subtitle' }, t('latestAnswers')), answersList(answers)),
        card(t('chartCategories'), 'categories', 'chart-categories', bars(r.categories.map((x) => ({ label: tk('category', { category: x.category }), count: x.count })))),
        card(t('chartFindings'), 'findings', 'chart-findings', bars(r.findings.map((x) => ({ label: codeLabel(x.code), count: x.count, code: x.code }))))),
      card(t('chartTechnicians'), 'technicians', 'chart-technicians', r.technicians.length === 0 ? el('p', { class: 'muted' }, t('noData')) : el('div', { class: 'table-scroll' },
        el('table', { class: 'table report-table' },
          el('thead', null, el('tr', null, ...['colTechnician', 'colOpened', 'colResolved', 'colFirstContact', 'colMeanOwn', 'colMeanResolve', 'colBreaches', 'colSatisfaction'].map((k) => el('th', { scope: 'col' }, t(k as 'colOpened'))))),
          el('tbody', null, ...r.technicians.map((x) => el('tr', { 'data-testid': 'report-technician-row' },
            el('th', { scope: 'row' }, x.name), el('td', null, formats.number(x.opened, 0)), el('td', null, formats.number(x.resolved, 0)),
            el('td', null, rate(x.firstContactRate)), el('td', null, duration(x.meanOwnMs)), el('td', null, duration(x.meanResolveMs)),
            el('td', null, formats.number(x.breaches, 0)), el('td', null, `${stars(x.satisfactionAverage)} (${formats.number(x.answers, 0)})`))))))));
  };

  const load = async () => {
    const mine = ++generation;
    error.hidden = true;
    if (filter.from && filter.to && filter.from > filter.to) {
      error.hidden = false;
      error.textContent = t('badRange');
      return;
    }
    try {
      const [report, answers] = await Promise.all([reportsApi.report(filter), reportsApi.answers(filter).catch(() => ({ answers: [], nextCursor: null }))]);
      if (disposed || mine !== generation) return;
      filter = { from: report.from, to: report.to, technician: report.technician };
      from.value = report.from;
      to.value = report.to;
      from.max = to.value;
      to.min = from.value;
      to.max = addDays(report.from, REPORT_MAX_DAYS - 1);
      render(report, answers.answers);
    } catch (err) {
      if (disposed || mine !== generation) return;
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('failed');
    }
  };

  from.addEventListener('change', () => { filter = { ...filter, from: from.value }; void load(); });
  to.addEventListener('change', () => { filter = { ...filter, to: to.value }; void load(); });
  who.addEventListener('change', () => { filter = { ...filter, technician: who.value ? Number(who.value) : null }; void load(); });

  void request('GET', '/api/users', restAnswers.users).then(({ users }) => {
    if (disposed) return;
    for (const u of [...users].sort((a, b) => a.name.localeCompare(b.name))) who.append(el('option', { value: String(u.id) }, u.name));
  }).catch(() => undefined);
  void load();

  return {
    root,
    title: t('pageTitle'),
    dispose() {
      disposed = true;
      for (const c of charts) c.dispose();
    },
  };
}
