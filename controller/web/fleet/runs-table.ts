/** The job page's table of runs: one row per device of the pages loaded, live. */
import type { RunListItem } from './fleet-types.js';
import { RUN_STATUS } from './fleet-wording.js';
import { el } from '../ui/dom.js';
import { formatDuration } from '../ui/format.js';
import { badge } from '../ui/status-badge.js';
import { wordsOf } from '../app/language.js';
import { jobsCatalog } from './jobs-catalog.js';

const t = wordsOf(jobsCatalog);

export interface RunsTableView {
  selected: string | null;
  nameOf(deviceId: string): { name: string; host: string | null };
  /** The first line of the run's output so far, or ''. */
  firstLine(deviceId: string): string;
  select(deviceId: string): void;
}

/** The table for `runs`, in target order. */
export function runsTable(runs: RunListItem[], view: RunsTableView): HTMLElement {
  return el('div', { class: 'table-scroll' }, el('table', { class: 'table runs-table', 'data-testid': 'runs-table' },
    el('thead', null, el('tr', null, el('th', null, t('device')), el('th', null, t('status')), el('th', null, t('exit')), el('th', null, t('duration')), el('th', null, t('output')))),
    el('tbody', null, ...runs.map((run) => {
      const d = view.nameOf(run.deviceId);
      const line = view.firstLine(run.deviceId) || run.reason || '';
      return el('tr', {
        class: `clickable${view.selected === run.deviceId ? ' picked' : ''}`, 'data-testid': 'run-row', 'data-device-id': run.deviceId, dataset: { status: run.status },
        onclick: () => view.select(run.deviceId),
      },
        el('td', null, el('div', { class: 'fleet-device' }, el('span', { class: 'hostname' }, d.name), d.host ? el('span', { class: 'muted small' }, d.host) : null)),
        el('td', null, badge(RUN_STATUS[run.status].label, RUN_STATUS[run.status].tone, 'run-status')),
        el('td', { class: 'mono num' }, run.exitCode ?? '—'),
        el('td', { class: 'nowrap' }, typeof run.durationMs === 'number' ? formatDuration(run.durationMs) : run.status === 'running' ? t('running') : '—'),
        el('td', { class: 'first-line mono small', 'data-testid': 'run-first-line' }, line || '—'));
    }))));
}

/** A run the controller has not reported yet. */
export function waiting(jobId: string, deviceId: string): RunListItem {
  return {
    jobId, deviceId, status: 'pending', exitCode: null, signal: null, startedAt: null, finishedAt: null, durationMs: null,
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, reason: null, deviceName: null, hostname: null,
  };
}
