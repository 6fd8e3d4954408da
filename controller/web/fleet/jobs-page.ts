/** Every job, newest first: what ran where, who started it, and how far it got. */
import { ApiError } from '../connection/api.js';
import { el, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { countsBar } from './fleet-chips.js';
import type { JobSummary } from './fleet-types.js';
import { describeTarget, JOB_STATUS } from './fleet-wording.js';
import { formatWhen } from '../ui/format.js';
import { onJobMessage } from './job-feed.js';
import type { AppContext, Page } from '../app/page.js';
import { badge } from '../ui/status-badge.js';

const POLL_MS = 5_000;

/** Builds the jobs page; running jobs follow `job.update` and a slow poll. */
export function createJobsPage(app: AppContext): Page {
  const body = el('div', { class: 'jobs-body', 'data-testid': 'jobs' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading jobs…'));
  let jobs: JobSummary[] = [];
  let disposed = false;

  const render = () => {
    if (jobs.length === 0) {
      return replaceChildren(body, el('div', { class: 'empty' }, el('p', { class: 'empty-title' }, 'No jobs yet'),
        el('p', null, 'Choose devices on the Fleet page, or a script in the library, and run it.')));
    }
    replaceChildren(body, el('div', { class: 'table-scroll' }, el('table', { class: 'table jobs-table', 'data-testid': 'jobs-table' },
      el('thead', null, el('tr', null, el('th', null, 'Script'), el('th', null, 'Target'), el('th', null, 'Started'), el('th', null, 'Status'), el('th', { class: 'progress-col' }, 'Devices'))),
      el('tbody', null, ...jobs.map((job) => el('tr', { class: 'clickable', 'data-testid': 'job-row', 'data-job-id': job.id, onclick: () => app.navigate(`#/jobs/${encodeURIComponent(job.id)}`) },
        el('td', null, el('a', { class: 'mono strong', href: `#/jobs/${encodeURIComponent(job.id)}` }, job.scriptName)),
        el('td', null, describeTarget(job)),
        el('td', { class: 'nowrap' }, formatWhen(job.createdAt), el('span', { class: 'muted small block' }, job.createdBy ? `by ${job.createdBy}` : '')),
        el('td', null, badge(JOB_STATUS[job.status].label, JOB_STATUS[job.status].tone, 'job-status')),
        el('td', { class: 'progress-col' }, countsBar(job.counts))))))));
  };
  const load = async () => {
    try {
      jobs = (await fleetApi.jobs()).jobs;
      if (!disposed) render();
    } catch (err) {
      if (!disposed) replaceChildren(body, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The jobs could not be loaded.'));
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
      el('h1', null, 'Jobs'),
      el('p', { class: 'page-subtitle' }, 'Each job runs one script on many devices, and keeps the exact text it ran.'))),
    el('section', { class: 'card table-card' }, body));
  return { root, title: 'Jobs', dispose() { disposed = true; stop(); clearInterval(poller); } };
}
