/** One job, live: summary counts, a row per device, and the chosen device's output. Cancel when it must stop. */
import { FINAL_RUN_STATUSES, type DeviceView } from '../../../protocol/index.js';
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { countsBar } from './fleet-chips.js';
import type { Job, Run } from './fleet-types.js';
import { COUNT_SEGMENTS, JOB_STATUS, RUN_STATUS, describeTarget, devicesWord, totalOf } from './fleet-wording.js';
import { formatDateTime, formatDuration } from '../ui/format.js';
import { onJobMessage, watchJob } from './job-feed.js';
import type { AppContext, Page } from '../app/page.js';
import { RunText, outputBlock } from './run-output.js';
import { badge } from '../ui/status-badge.js';

/** Finished runs whose output is fetched up front for the "first line" column. */
const PREFETCH = 25;
const POLL_MS = 10_000;

/** Builds the page of job `jobId`. */
export function createJobPage(app: AppContext, jobId: string): Page {
  let job: Job | null = null;
  const runs = new Map<string, Run>();
  const texts = new Map<string, RunText>();
  /** Runs whose stored output was loaded (exact bytes and truncation flags). */
  const loaded = new Set<string>();
  let selected: string | null = null;
  let disposed = false;
  let frame = 0;

  const heading = el('h1', null, 'Job');
  const status = el('span');
  const subtitle = el('p', { class: 'page-subtitle' });
  const cancel = el('button', { class: 'btn btn-danger-outline', type: 'button', 'data-testid': 'cancel-job', hidden: true }, icon('power'), 'Cancel job');
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const summary = el('section', { class: 'card job-summary', 'data-testid': 'job-summary' });
  const table = el('div', { class: 'runs-body', 'data-testid': 'runs' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading the job…'));
  const output = el('section', { class: 'card output-card', 'data-testid': 'run-output', hidden: true });

  const text = (deviceId: string) => texts.get(deviceId) ?? (texts.set(deviceId, new RunText()), texts.get(deviceId)!);
  const device = (id: string): DeviceView | undefined => app.store.get(id);
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), render()));
  };

  const render = () => {
    if (!job) return;
    heading.textContent = job.scriptName;
    replaceChildren(status, badge(JOB_STATUS[job.status].label, JOB_STATUS[job.status].tone, 'job-status'));
    subtitle.textContent = `On ${describeTarget(job)} · started ${formatDateTime(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ''}`;
    cancel.hidden = job.status !== 'running';
    const total = totalOf(job.counts);
    replaceChildren(summary,
      el('div', { class: 'summary-tiles' },
        tile('Devices', total, 'total'),
        ...COUNT_SEGMENTS.filter((s) => job!.counts[s.key] > 0 || ['succeeded', 'failed', 'running'].includes(s.key))
          .map((s) => tile(s.label, job!.counts[s.key], s.tone))),
      countsBar(job.counts),
      el('p', { class: 'muted small job-meta' }, [
        job.concurrency ? `${job.concurrency} at once` : null,
        job.timeoutSeconds ? `timeout ${job.timeoutSeconds} s per device` : null,
        job.expiresAt ? `offline devices get it until ${formatDateTime(job.expiresAt)}` : null,
        job.params && Object.keys(job.params).length > 0 ? `parameters: ${Object.entries(job.params).map(([k, v]) => `${k}=${v}`).join(', ')}` : null,
      ].filter(Boolean).join(' · ')));
    const ordered = job.deviceIds.map((id) => runs.get(id) ?? waiting(job!.id, id));
    replaceChildren(table, el('div', { class: 'table-scroll' }, el('table', { class: 'table runs-table', 'data-testid': 'runs-table' },
      el('thead', null, el('tr', null, el('th', null, 'Device'), el('th', null, 'Status'), el('th', null, 'Exit'), el('th', null, 'Duration'), el('th', null, 'Output'))),
      el('tbody', null, ...ordered.map((run) => {
        const d = device(run.deviceId);
        const line = texts.get(run.deviceId)?.firstLine() || run.reason || '';
        return el('tr', {
          class: `clickable${selected === run.deviceId ? ' picked' : ''}`, 'data-testid': 'run-row', 'data-device-id': run.deviceId, dataset: { status: run.status },
          onclick: () => select(run.deviceId),
        },
          el('td', null, el('div', { class: 'fleet-device' }, el('span', { class: 'hostname' }, d ? d.name ?? d.hostname : run.deviceId), d && d.name !== d.hostname ? el('span', { class: 'muted small' }, d.hostname) : null)),
          el('td', null, badge(RUN_STATUS[run.status].label, RUN_STATUS[run.status].tone, 'run-status')),
          el('td', { class: 'mono num' }, run.exitCode ?? '—'),
          el('td', { class: 'nowrap' }, typeof run.durationMs === 'number' ? formatDuration(run.durationMs) : run.status === 'running' ? 'running…' : '—'),
          el('td', { class: 'first-line mono small', 'data-testid': 'run-first-line' }, line || '—'));
      })))));
    renderOutput();
  };

  const renderOutput = () => {
    output.hidden = selected === null;
    if (!selected || !job) return;
    const run = runs.get(selected) ?? null;
    const d = device(selected);
    const t = text(selected);
    replaceChildren(output,
      el('div', { class: 'card-header' },
        el('h2', { class: 'card-title' }, icon('terminal', 18), d ? d.name ?? d.hostname : selected),
        run ? badge(RUN_STATUS[run.status].label, RUN_STATUS[run.status].tone) : null,
        el('button', { class: 'btn btn-small btn-secondary push-right', type: 'button', onclick: () => select(null) }, 'Close')),
      run?.reason ? el('p', { class: 'notice notice-warn' }, run.reason) : null,
      outputBlock('stdout', t.text.stdout, loaded.has(selected) ? run : null),
      outputBlock('stderr', t.text.stderr, loaded.has(selected) ? run : null));
  };

  const loadRun = async (deviceId: string) => {
    try {
      const { run } = await fleetApi.run(jobId, deviceId);
      if (disposed) return;
      text(deviceId).replace(run);
      loaded.add(deviceId);
      runs.set(deviceId, { ...runs.get(deviceId), ...run });
      schedule();
    } catch {
      // The list still shows the status; the output can be opened again.
    }
  };
  const select = (deviceId: string | null) => {
    selected = deviceId;
    if (deviceId && FINAL_RUN_STATUSES.has(runs.get(deviceId)?.status ?? 'pending') && !loaded.has(deviceId)) void loadRun(deviceId);
    render();
    if (deviceId) output.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  const load = async () => {
    try {
      const answer = await fleetApi.job(jobId);
      if (disposed) return;
      job = answer.job;
      for (const run of answer.runs) runs.set(run.deviceId, { ...runs.get(run.deviceId), ...run });
      const finished = answer.runs.filter((r) => FINAL_RUN_STATUSES.has(r.status) && !loaded.has(r.deviceId) && r.status !== 'cancelled' && r.status !== 'expired');
      for (const run of finished.slice(0, PREFETCH)) void loadRun(run.deviceId);
      render();
    } catch (err) {
      if (disposed) return;
      if (!job) replaceChildren(table, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : 'The job could not be loaded.'));
    }
  };

  const stopFeed = onJobMessage(app.socket, (m) => {
    if (m.t === 'job.update' && m.job.id === jobId) job = m.job;
    else if (m.t === 'run.update' && m.jobId === jobId) {
      runs.set(m.run.deviceId, { ...runs.get(m.run.deviceId), ...m.run });
      // The stored output is exact (and says whether it was truncated): fetch it once the run is over.
      if (FINAL_RUN_STATUSES.has(m.run.status) && !loaded.has(m.run.deviceId)) void loadRun(m.run.deviceId);
    } else if (m.t === 'run.output' && m.jobId === jobId && !loaded.has(m.deviceId)) text(m.deviceId).append(m.stream, m.data);
    else return;
    schedule();
  });
  const stopWatch = watchJob(app.socket, jobId, () => void load());
  const stopDevices = app.store.subscribe(schedule);
  const poller = setInterval(() => {
    if (job?.status === 'running') void load();
  }, POLL_MS);

  cancel.addEventListener('click', async () => {
    if (!job) return;
    const left = job.counts.pending + job.counts.running;
    const sure = await confirmDialog({
      title: 'Cancel this job?',
      body: `${devicesWord(left)} have not finished: those waiting are skipped, those running are stopped. Results already in are kept.`,
      confirmLabel: 'Cancel job', danger: true,
    });
    if (!sure) return;
    cancel.disabled = true;
    error.hidden = true;
    try {
      job = (await fleetApi.cancelJob(jobId)).job;
      render();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : 'The job could not be cancelled. Try again.';
    } finally {
      cancel.disabled = false;
    }
  });
  void load();

  const root = el('div', { class: 'page job-page' },
    el('a', { class: 'back-link', href: '#/jobs' }, icon('back'), 'All jobs'),
    el('header', { class: 'page-header' },
      el('div', null, el('div', { class: 'title-row' }, heading, status), subtitle),
      el('div', { class: 'actions' }, cancel)),
    error, summary,
    el('section', { class: 'card table-card' }, table),
    output);
  return {
    root,
    get title() {
      return job ? `${job.scriptName} job` : 'Job';
    },
    dispose() {
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      stopFeed();
      stopWatch();
      stopDevices();
      clearInterval(poller);
    },
  };
}

/** A run the controller has not reported yet. */
function waiting(jobId: string, deviceId: string): Run {
  return {
    jobId, deviceId, status: 'pending', exitCode: null, signal: null, startedAt: null, finishedAt: null, durationMs: null,
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, reason: null,
  };
}

function tile(label: string, value: number, tone: string): HTMLElement {
  return el('div', { class: `tile tile-${tone}`, 'data-testid': `count-${label.replace(/\s+/g, '-')}` },
    el('span', { class: 'tile-value' }, value), el('span', { class: 'tile-label' }, label));
}
