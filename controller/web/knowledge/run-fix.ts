/**
 * "Run this fix": an article's script on one enrolled device, for a ticket when there is one.
 * The controller creates an ordinary job (the device's local policy decides, as for any
 * script); this control follows its one run live (run.update on the console socket, read
 * again over REST after a reconnect) and links to the job's page.
 */
import { FINAL_RUN_STATUSES, type Run } from '../../../protocol/index.js';
import type { AppContext } from '../app/page.js';
import { ApiError, api } from '../connection/api.js';
import { fleetApi } from '../fleet/fleet-api.js';
import { onJobMessage, watchJob } from '../fleet/job-feed.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { knowledgeApi } from './knowledge-api.js';
import { t } from './knowledge-wording.js';

export interface FixTarget {
  readonly id: string;
  readonly label: string;
  readonly managed: boolean;
}

export interface RunFixOptions {
  readonly article: { id: string; scriptName: string };
  /** Where it may run: the ticket's devices, this device, or (null) the enrolled devices online now. */
  readonly devices: Promise<readonly FixTarget[]> | readonly FixTarget[] | null;
  readonly ticketNumber?: number;
}

/** Enrolled devices online now, first page (the article's page offers these). */
async function onlineManaged(): Promise<FixTarget[]> {
  const page = await api.devices({ kind: 'managed', online: 'true', limit: '50' });
  return page.devices.map((d) => ({ id: d.id, label: d.name ?? d.hostname, managed: true }));
}

export function runFixControl(app: AppContext, options: RunFixOptions): { root: HTMLElement; dispose(): void } {
  let stopWatch: (() => void) | null = null;
  let stopMessages: (() => void) | null = null;
  let disposed = false;
  const select = el('select', { class: 'input', 'aria-label': t('runOn'), 'data-testid': 'kb-run-device' });
  const button = el('button', { class: 'btn btn-primary btn-small', type: 'button', 'data-testid': 'kb-run-fix' }, icon('play', 14), t('runFix'));
  const status = el('p', { class: 'kb-run-status small', 'data-testid': 'kb-run-status', 'aria-live': 'polite' });
  const controls = el('div', { class: 'kb-run-row' });
  const root = el('div', { class: 'kb-run' }, controls, status);

  const show = (run: Pick<Run, 'status' | 'exitCode' | 'reason'>, jobId: string) => {
    status.dataset.status = run.status;
    const final = FINAL_RUN_STATUSES.has(run.status);
    status.className = `kb-run-status small ${run.status === 'succeeded' ? 'kb-run-good' : final ? 'kb-run-bad' : ''}`;
    replaceChildren(status,
      final ? null : el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }),
      t('runResult', { status: final ? run.status.replace('-', '_') : 'waiting', exitCode: run.exitCode ?? '', reason: run.reason ?? '' }), ' ',
      el('a', { href: `#/jobs/${encodeURIComponent(jobId)}`, 'data-testid': 'kb-run-job' }, t('openJob')));
  };

  const follow = (jobId: string, deviceId: string) => {
    stopMessages?.();
    stopWatch?.();
    let final = false;
    const refresh = () => void fleetApi.run(jobId, deviceId).then(({ run }) => {
      if (disposed) return;
      final = FINAL_RUN_STATUSES.has(run.status);
      show(run, jobId);
    }).catch(() => {});
    stopMessages = onJobMessage(app.socket, (message) => {
      if (message.t === 'run.update' && message.jobId === jobId && message.run.deviceId === deviceId) {
        final = FINAL_RUN_STATUSES.has(message.run.status);
        show(message.run, jobId);
      }
      // The run may end before the watch reaches the controller: the job's own update (sent to every
      // console, and at once on watching) says when to read the run again.
      if (message.t === 'job.update' && message.job.id === jobId && !final) refresh();
    });
    stopWatch = watchJob(app.socket, jobId, refresh);
    refresh();
  };

  const run = async (deviceId: string, label: string) => {
    button.disabled = true;
    status.dataset.status = 'starting';
    status.className = 'kb-run-status small';
    replaceChildren(status, el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }), t('running', { script: options.article.scriptName, device: label }));
    try {
      const { job } = await knowledgeApi.run(options.article.id, deviceId, options.ticketNumber);
      if (!disposed) follow(job.id, deviceId);
    } catch (err) {
      if (disposed) return;
      status.dataset.status = 'refused';
      status.className = 'kb-run-status small kb-run-bad';
      replaceChildren(status, err instanceof ApiError ? err.message : t('runFailed'));
    } finally {
      button.disabled = false;
    }
  };

  const offer = (targets: readonly FixTarget[]) => {
    const managed = targets.filter((d) => d.managed);
    if (managed.length === 0) {
      replaceChildren(controls, el('p', { class: 'muted small', 'data-testid': 'kb-run-none' }, targets.length > 0 ? t('attendedOnly') : t('noManagedDevice')));
      return;
    }
    replaceChildren(select, ...managed.map((d) => el('option', { value: d.id }, d.label)));
    button.onclick = () => {
      const chosen = managed.find((d) => d.id === select.value) ?? managed[0]!;
      void run(chosen.id, chosen.label);
    };
    replaceChildren(controls,
      managed.length > 1 || options.devices === null ? select : el('span', { class: 'kb-run-device mono small' }, managed[0]!.label),
      button,
      el('span', { class: 'muted small kb-run-hint' }, t('runHint', { ticket: options.ticketNumber === undefined ? 'none' : `#${options.ticketNumber}` })));
  };

  replaceChildren(controls, el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }));
  void Promise.resolve(options.devices ?? onlineManaged()).then((targets) => !disposed && offer(targets)).catch(() => !disposed && offer([]));

  return {
    root,
    dispose() {
      disposed = true;
      stopMessages?.();
      stopWatch?.();
    },
  };
}
