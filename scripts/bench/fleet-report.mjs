/** The fleet bench's printed table and its verdicts; the JSON is written by report.mjs's writeJson. */

export const FLEET_TARGETS = Object.freeze({
  /** A job on 1,000 devices: every result stored within this. */
  jobStoredMs: 5000,
  /** The controller's resident memory with 10,000 idle agents connected. */
  idleRssBytes: 1024 ** 3,
  /** A console connecting (hello, welcome) until the first page of devices is in, median. */
  consoleFirstPageMs: 200,
});

const COLUMNS = [['metric', 52], ['value', 22], ['target', 12], ['result', 6]];
const row = (cells) => cells.map((cell, i) => String(cell).padEnd(COLUMNS[i][1])).join(' ').trimEnd();
const seconds = (ms) => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const mib = (bytes) => (bytes === null || bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const verdict = (pass) => (pass === null || pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL');
const n = (v) => v.toLocaleString('en-US');

/** The table: one line per figure; phases that did not run say why. */
export function formatFleetTable(results, options) {
  const lines = [row(COLUMNS.map(([t]) => t)), row(COLUMNS.map(([, w]) => '-'.repeat(w)))];
  const { enrollment, job, restart, idle, paging } = results;
  if (enrollment) lines.push(row([`enroll ${n(enrollment.devices)} devices (REST, Ed25519 keys)`, `${seconds(enrollment.ms)} (${Math.round(enrollment.perSecond)}/s)`, '-', 'info']));
  if (job?.skipped) lines.push(row([`job on ${n(options.agents)} agents`, `skipped: ${job.skipped}`.slice(0, 60), '<= 5 s', 'n/a']));
  else if (job) {
    lines.push(row([`connect ${n(job.agents)} agents (challenge-response)`, seconds(job.connectMs), '-', 'info']));
    lines.push(row([`job on ${n(job.agents)} agents (concurrency ${job.concurrency}): all stored`, seconds(job.storedMs), `<= ${FLEET_TARGETS.jobStoredMs / 1000} s`, verdict(job.pass)]));
    lines.push(row(['  … every result acknowledged (job.ack)', seconds(job.ackedMs), '-', 'info']));
    lines.push(row(['  … runs per device (must be 1)', job.runsPerDevice.toFixed(3), '1', verdict(job.runsPerDevice === 1)]));
  }
  if (restart?.skipped) lines.push(row(['reconnect after controller restart', `skipped: ${restart.skipped}`.slice(0, 60), '-', 'n/a']));
  else if (restart) {
    lines.push(row([`reconnect ${n(restart.agents)} agents after a restart (from kill)`, seconds(restart.fromKillMs), '-', 'info']));
    lines.push(row(['  … from the new controller listening', seconds(restart.fromListeningMs), '-', 'info']));
    lines.push(row(['  … controller down (kill → listening)', seconds(restart.downMs), '-', 'info']));
  }
  if (idle?.skipped) lines.push(row(['idle agents', `skipped: ${idle.skipped}`.slice(0, 60), '-', 'n/a']));
  else if (idle) {
    lines.push(row([`connect ${n(idle.agents)} idle agents`, seconds(idle.connectMs), '-', 'info']));
    lines.push(row([`controller RSS, ${n(idle.agents)} idle agents`, mib(idle.rssAfterBytes), '< 1 GiB', verdict(idle.pass)]));
    lines.push(row(['  … RSS before they connected', mib(idle.rssBeforeBytes), '-', 'info']));
    lines.push(row(['  … memory per agent', `${(idle.perAgentBytes / 1024).toFixed(1)} KiB`, '-', 'info']));
    lines.push(row([`controller CPU at idle (heartbeat ${idle.heartbeatMs / 1000} s, ${idle.seconds} s)`, `${(idle.controllerCpuShare * 100).toFixed(2)} % of a core`, '-', 'info']));
  }
  if (paging) {
    const ms = (v) => `${v.toFixed(0)} ms`;
    lines.push(row([`console connect → first page, ${n(paging.devices)} devices (p50)`, ms(paging.firstPageP50Ms), `< ${FLEET_TARGETS.consoleFirstPageMs} ms`, verdict(paging.pass)]));
    lines.push(row([`  … p95 / max of ${paging.samples}`, `${ms(paging.firstPageP95Ms)} / ${ms(paging.firstPageMaxMs)}`, '-', 'info']));
    lines.push(row(['  … largest console message; console still open', `${n(paging.largestMessageBytes)} B; ${paging.consoleStillOpen ? 'yes' : 'NO'}`, 'open', verdict(paging.consoleStillOpen)]));
    const b = paging.browser;
    if (b?.skipped) lines.push(row(['Fleet page in Chromium', `skipped: ${b.skipped}`.slice(0, 60), '-', 'n/a']));
    else if (b) {
      lines.push(row(['Fleet page in Chromium: first 50 rows shown', ms(b.firstPageMs), '-', 'info']));
      lines.push(row(['  … search answered (incl. 250 ms typing pause)', ms(b.searchMs), '-', 'info']));
      lines.push(row(['  … Show more (next 50 rows)', ms(b.showMoreMs), '-', 'info']));
    }
  }
  lines.push('', `(${options.generators} load-generator processes on 127.0.0.1; machine: ${results.machine.cpus} CPUs, ${(results.machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB; fd limit ${results.fdLimit})`);
  return lines.join('\n');
}
