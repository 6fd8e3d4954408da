/**
 * One job, live: summary counts, its runs a page at a time (filtered by status on
 * the controller), and the chosen device's output. Cancel when it must stop.
 */
import { FINAL_RUN_STATUSES } from '../../../protocol/index.js';
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import { countsBar } from './fleet-chips.js';
import type { Job, Run, RunListItem } from './fleet-types.js';
import { COUNT_SEGMENTS, RUN_STATUS, describeTarget, jobStatusBadge, totalOf } from './fleet-wording.js';
import { onJobMessage, watchJob } from './job-feed.js';
import type { AppContext, Page } from '../app/page.js';
import { RunText, outputBlock } from './run-output.js';
import { runsTable, waiting } from './runs-table.js';
import { badge } from '../ui/status-badge.js';
import { formats, wordsOf } from '../app/language.js';
import { jobsCatalog } from './jobs-catalog.js';

const t = wordsOf(jobsCatalog);

/** Finished runs whose output is fetched up front for the "first line" column. */
const PREFETCH = 25;
const POLL_MS = 10_000;
const PAGE = 100;
/** The status filter: what each choice asks the controller for. */
const RUN_FILTERS: Array<[string, Parameters<typeof t>[0]]> = [
  ['', 'filterAll'], ['failed,error,timed-out', 'filterFailed'], ['refused', 'filterRefused'], ['dispatched,running', 'filterRunning'],
  ['pending', 'filterWaiting'], ['succeeded', 'filterSucceeded'], ['cancelled,expired', 'filterEnded'],
];

/** Builds the page of job `jobId`. */
export function createJobPage(app: AppContext, jobId: string): Page {
  let job: Job | null = null;
  /** The runs shown, in target order: the pages loaded so far. */
  let order: string[] = [];
  let nextCursor: string | null = null;
  let statusFilter = '';
  let generation = 0;
  const runs = new Map<string, RunListItem>();
  const texts = new Map<string, RunText>();
  /** Runs whose stored output was loaded (exact bytes and truncation flags). */
  const loaded = new Set<string>();
  let selected: string | null = null;
  let disposed = false;
  let frame = 0;

  const heading = el('h1', null, t('job'));
  const status = el('span');
  const subtitle = el('p', { class: 'page-subtitle' });
  const cancel = el('button', { class: 'btn btn-danger-outline', type: 'button', 'data-testid': 'cancel-job', hidden: true }, icon('power'), t('cancelJob'));
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const summary = el('section', { class: 'card job-summary', 'data-testid': 'job-summary' });
  const table = el('div', { class: 'runs-body', 'data-testid': 'runs' }, el('div', { class: 'empty' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loadingJob')));
  const filterSelect = el('select', { class: 'input', 'aria-label': t('showRuns'), 'data-testid': 'run-filter' }, ...RUN_FILTERS.map(([value, label]) => el('option', { value }, t(label))));
  const more = el('div', { class: 'pager-footer' });
  const output = el('section', { class: 'card output-card', 'data-testid': 'run-output', hidden: true });

  const text = (deviceId: string) => texts.get(deviceId) ?? (texts.set(deviceId, new RunText()), texts.get(deviceId)!);
  /** A run's news, keeping the device's name from its page (live updates do not carry it) and never its output. */
  const merge = (run: Run) => {
    const { stdout: _stdout, stderr: _stderr, ...rest } = run;
    runs.set(run.deviceId, { deviceName: null, hostname: null, ...runs.get(run.deviceId), ...rest });
  };
  const nameOf = (id: string) => {
    const run = runs.get(id);
    return { name: run?.deviceName ?? run?.hostname ?? id, host: run?.deviceName && run.hostname !== run.deviceName ? run.hostname : null };
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), render()));
  };

  const render = () => {
    if (!job) return;
    heading.textContent = job.scriptName;
    replaceChildren(status, jobStatusBadge(job));
    subtitle.textContent = job.createdBy
      ? t('startedOnBy', { target: describeTarget(job), when: formats.dateTime(job.createdAt), by: job.createdBy })
      : t('startedOn', { target: describeTarget(job), when: formats.dateTime(job.createdAt) });
    cancel.hidden = job.status !== 'running';
    const total = totalOf(job.counts);
    replaceChildren(summary,
      el('div', { class: 'summary-tiles' },
        tile(t('devices'), total, 'total', 'devices'),
        ...COUNT_SEGMENTS.filter((s) => job!.counts[s.key] > 0 || ['succeeded', 'failed', 'running'].includes(s.key))
          .map((s) => tile(s.labelFor(job!.counts[s.key]), job!.counts[s.key], s.tone, s.id))),
      countsBar(job.counts),
      el('p', { class: 'muted small job-meta' }, [
        job.concurrency ? t('atOnce', { count: job.concurrency }) : null,
        job.timeoutSeconds ? t('timeoutPer', { seconds: formats.number(job.timeoutSeconds, 0) }) : null,
        job.expiresAt ? t('offlineUntil', { when: formats.dateTime(job.expiresAt) }) : null,
        job.params && Object.keys(job.params).length > 0 ? t('parameters', { list: Object.entries(job.params).map(([k, v]) => `${k}=${v}`).join(', ') }) : null,
      ].filter(Boolean).join(' · ')));
    const ordered = order.map((id) => runs.get(id) ?? waiting(job!.id, id));
    replaceChildren(table, ordered.length === 0 ? el('p', { class: 'empty' }, statusFilter ? t('noneInState') : t('loadingRuns'))
      : runsTable(ordered, { selected, nameOf, firstLine: (id) => texts.get(id)?.firstLine() ?? '', select }));
    const shown = order.length;
    const of = statusFilter ? null : job.deviceCount;
    replaceChildren(more, nextCursor === null ? null : el('span', { class: 'muted small' }, of ? t('showingOf', { shown, total: of }) : t('showing', { shown })),
      nextCursor === null ? null : el('button', { class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'show-more-runs', onclick: () => void loadRuns(true) }, t('showMore')));
    renderOutput();
  };

  const renderOutput = () => {
    output.hidden = selected === null;
    if (!selected || !job) return;
    const run = runs.get(selected) ?? null;
    const d = nameOf(selected);
    const got = text(selected);
    replaceChildren(output,
      el('div', { class: 'card-header' },
        el('h2', { class: 'card-title' }, icon('terminal', 18), d.name),
        run ? badge(RUN_STATUS[run.status].label, RUN_STATUS[run.status].tone) : null,
        el('button', { class: 'btn btn-small btn-secondary push-right', type: 'button', onclick: () => select(null) }, t('close'))),
      run?.reason ? el('p', { class: 'notice notice-warn' }, run.reason) : null,
      outputBlock('stdout', got.text.stdout, loaded.has(selected) ? run : null),
      outputBlock('stderr', got.text.stderr, loaded.has(selected) ? run : null));
  };

  const loadRun = async (deviceId: string) => {
    try {
      const { run } = await fleetApi.run(jobId, deviceId);
      if (disposed) return;
      text(deviceId).replace(run);
      loaded.add(deviceId);
      merge(run);
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

  /** Loads the next page of runs (`append`), or the pages shown again from the first (up to 500 runs). */
  const loadRuns = async (append: boolean) => {
    const mine = generation;
    const answer = await fleetApi.runs(jobId, { cursor: append ? nextCursor : null, limit: append ? PAGE : Math.min(500, Math.max(PAGE, order.length)), status: statusFilter });
    if (disposed || mine !== generation) return;
    for (const run of answer.runs) runs.set(run.deviceId, { ...runs.get(run.deviceId), ...run });
    const ids = answer.runs.map((r) => r.deviceId);
    order = append ? [...order, ...ids.filter((id) => !order.includes(id))] : ids;
    nextCursor = answer.nextCursor;
    const finished = answer.runs.filter((r) => FINAL_RUN_STATUSES.has(r.status) && !loaded.has(r.deviceId) && r.status !== 'cancelled' && r.status !== 'expired');
    for (const run of finished.slice(0, PREFETCH)) void loadRun(run.deviceId);
    schedule();
  };
  const load = async () => {
    try {
      const answer = await fleetApi.job(jobId);
      if (disposed) return;
      job = answer.job;
      await loadRuns(false);
      render();
    } catch (err) {
      if (disposed) return;
      if (!job) replaceChildren(table, el('p', { class: 'form-error' }, err instanceof ApiError ? err.message : t('jobFailed')));
    }
  };
  filterSelect.addEventListener('change', () => {
    statusFilter = filterSelect.value;
    generation++;
    order = [];
    nextCursor = null;
    render();
    void loadRuns(false).catch(() => undefined);
  });

  const stopFeed = onJobMessage(app.socket, (m) => {
    if (m.t === 'job.update' && m.job.id === jobId) job = job ? { ...job, ...m.job } : job;
    else if (m.t === 'run.update' && m.jobId === jobId) {
      merge(m.run);
      // The stored output is exact (and says whether it was truncated): fetch it once the run is over.
      if (FINAL_RUN_STATUSES.has(m.run.status) && !loaded.has(m.run.deviceId)) void loadRun(m.run.deviceId);
    } else if (m.t === 'run.output' && m.jobId === jobId && !loaded.has(m.deviceId)) text(m.deviceId).append(m.stream, m.data);
    else return;
    schedule();
  });
  const stopWatch = watchJob(app.socket, jobId, () => void load());
  const poller = setInterval(() => {
    if (job?.status === 'running') void load();
  }, POLL_MS);

  cancel.addEventListener('click', async () => {
    if (!job) return;
    const left = job.counts.pending + job.counts.running;
    const sure = await confirmDialog({
      title: t('cancelTitle'),
      body: t('cancelBody', { count: left }),
      confirmLabel: t('cancelJob'), danger: true,
    });
    if (!sure) return;
    cancel.disabled = true;
    error.hidden = true;
    try {
      job = (await fleetApi.cancelJob(jobId)).job;
      render();
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('cancelFailed');
    } finally {
      cancel.disabled = false;
    }
  });
  void load();

  const root = el('div', { class: 'page job-page' },
    el('a', { class: 'back-link', href: '#/jobs' }, icon('back'), t('allJobs')),
    el('header', { class: 'page-header' },
      el('div', null, el('div', { class: 'title-row' }, heading, status), subtitle),
      el('div', { class: 'actions' }, cancel)),
    error, summary,
    el('section', { class: 'card table-card' }, el('div', { class: 'card-header' }, el('h2', { class: 'card-title' }, t('devices')), filterSelect), table, more),
    output);
  return {
    root,
    get title() {
      return job ? t('jobTitle', { script: job.scriptName }) : t('job');
    },
    dispose() {
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      stopFeed();
      stopWatch();
      clearInterval(poller);
    },
  };
}

/** One count; `id` names it for tests whatever the language ("count-succeeded"). */
function tile(label: string, value: number, tone: string, id: string): HTMLElement {
  return el('div', { class: `tile tile-${tone}`, 'data-testid': `count-${id}` },
    el('span', { class: 'tile-value' }, formats.number(value, 0)), el('span', { class: 'tile-label' }, label));
}
