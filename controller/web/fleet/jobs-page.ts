/** Every job, newest first: what ran where, who started it, and how far it got. */
import { ApiError } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { countsBar } from './fleet-chips.js';
import type { JobSummary } from './fleet-types.js';
import { describeTarget, jobStatusBadge } from './fleet-wording.js';
import { formatWhen } from '../ui/format.js';
import { onJobMessage } from './job-feed.js';
import type { AppContext, Page } from '../app/page.js';
import { wordsOf } from '../app/language.js';
import { jobsCatalog } from './jobs-catalog.js';

const t = wordsOf(jobsCatalog);

const POLL_MS = 5_000;

/** Builds the jobs page; running jobs follow `job.update` and a slow poll. */
export function createJobsPage(app: AppContext): Page {
  const body = el('div', { class: 'jobs-body', 'data-testid': 'jobs' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingJobs')));
  let jobs: JobSummary[] = [];
  let disposed = false;

  const render = () => {
    if (jobs.length === 0) {
      return replaceChildren(body, el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, t('noJobs')),
        el('p', null, t('noJobsHint'))));
    }
    replaceChildren(body, el('div', { class: 'table-scroll' }, el('table', { class: 'table jobs-table', 'data-testid': 'jobs-table' },
      el('thead', null, el('tr', null, el('th', null, t('script')), el('th', null, t('target')), el('th', null, t('started')), el('th', null, t('status')), el('th', { class: 'progress-col' }, t('devices')))),
      el('tbody', null, ...jobs.map((job) => el('tr', { class: 'clickable', 'data-testid': 'job-row', 'data-job-id': job.id, onclick: () => app.navigate(`#/jobs/${encodeURIComponent(job.id)}`) },
        el('td', null, el('a', { class: 'mono strong', href: `#/jobs/${encodeURIComponent(job.id)}` }, job.scriptName)),
        el('td', null, describeTarget(job)),
        el('td', { class: 'nowrap' }, formatWhen(job.createdAt), el('span', { class: 'muted small block' }, job.createdBy ? t('by', { name: job.createdBy }) : '')),
        el('td', null, jobStatusBadge(job)),
        el('td', { class: 'progress-col' }, countsBar(job.counts))))))));
  };
  const load = async () => {
    try {
      jobs = (await fleetApi.jobs()).jobs;
      if (!disposed) render();
    } catch (err) {
      if (!disposed) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('jobsFailed')));
    }
  };
  const stop = onJobMessage(app.socket, (m) => {
    if (m.t !== 'job.update') return;
    const i = jobs.findIndex((j) => j.id === m.job.id);
    if (i >= 0) jobs[i] = m.job;
    else jobs.unshift(m.job);
    render();
  });
  // Not every controller pushes job.update to pages that do not watch a job: poll while something runs.
  const poller = setInterval(() => {
    if (jobs.some((j) => j.status === 'running')) void load();
  }, POLL_MS);
  void load();

  const root = el('div', { class: 'page jobs-page' },
    el('header', { class: 'page-header' }, el('div', null,
      el('h1', null, t('title')),
      el('p', { class: 'page-subtitle' }, t('subtitle')))),
    el('section', { class: 'card table-card' }, body));
  return { root, get title() { return t('title'); }, dispose() { disposed = true; stop(); clearInterval(poller); } };
}
