/** The cluster bench's targets (issue 14), its printed table and verdicts; the JSON is written by report.mjs's writeJson. */

export const CLUSTER_TARGETS = Object.freeze({
  /** Shell throughput, console on one node → agent on another, ÷ the same on a single controller. */
  throughputRatio: 0.9,
  /** Echo p99 added by the cluster path over a single controller. */
  echoAddedP99Ms: 1,
  /** A job on 1,000 agents spread over the nodes: every result stored within this. */
  jobStoredMs: 2000,
  /** kill -9 of a node holding a third of 3,000 agents: all online again within this. */
  backOnlineMs: 10_000,
});

const COLUMNS = [['metric', 60], ['value', 26], ['target', 10], ['result', 6]];
const row = (cells) => cells.map((cell, i) => String(cell).padEnd(COLUMNS[i][1])).join(' ').trimEnd();
const seconds = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(2)} s` : '-');
const millis = (v) => (typeof v === 'number' ? `${v.toFixed(3)} ms` : '-');
const shown = (pass) => (pass === null || pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL');
const n = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : '-');

/**
 * One line per figure; a phase that failed says why (the others still ran). Returns the
 * table and whether every target was met (the bench's exit code).
 */
export function formatClusterTable(results, options) {
  const lines = [row(COLUMNS.map(([t]) => t)), row(COLUMNS.map(([, w]) => '-'.repeat(w)))];
  let met = true;
  const verdict = (pass) => {
    if (pass === false) met = false;
    return shown(pass);
  };
  const failed = (name, phase) => lines.push(row([name, `FAILED: ${phase.error}`.slice(0, 80), '-', verdict(false)]));
  const { relay, job, kill, enrollment } = results;
  if (enrollment?.error) failed('enroll the simulated agents through HAProxy', enrollment);
  if (relay?.error) failed('shell relay across nodes', relay);
  else if (relay) {
    for (const [stream, s] of Object.entries(relay.throughput)) {
      lines.push(row([`${stream}: console on node1 → agent on node2, MB/s (median)`, `${s.cluster.toFixed(1)} vs single ${s.single.toFixed(1)}`, '-', 'info']));
      lines.push(row([`  … cluster ÷ single controller`, `${(s.ratio * 100).toFixed(1)} %`, `>= ${CLUSTER_TARGETS.throughputRatio * 100} %`, verdict(s.pass)]));
    }
    lines.push(row(['  … every run byte-exact (sha256 between markers)', `${relay.exact}/${relay.runs}`, 'all', verdict(relay.exact === relay.runs)]));
    if (relay.latency) {
      const l = relay.latency;
      lines.push(row([`echo p50 / p99, cluster (n=${l.cluster.count})`, `${millis(l.cluster.p50)} / ${millis(l.cluster.p99)}`, '-', 'info']));
      lines.push(row([`echo p50 / p99, single controller (n=${l.single.count})`, `${millis(l.single.p50)} / ${millis(l.single.p99)}`, '-', 'info']));
      lines.push(row(['  … p99 added by the cluster', millis(l.addedP99Ms), `< ${CLUSTER_TARGETS.echoAddedP99Ms} ms`, verdict(l.pass)]));
    }
  }
  if (job?.error) failed(`job on ${n(options.agents)} agents spread over the nodes`, job);
  else if (job) {
    lines.push(row([`connect ${n(job.agents)} agents through HAProxy`, `${seconds(job.connectMs)} (${job.spread.join(' / ')})`, '-', 'info']));
    lines.push(row([`job on ${n(job.agents)} agents over ${options.nodes} nodes: all stored`, seconds(job.storedMs), `<= ${CLUSTER_TARGETS.jobStoredMs / 1000} s`, verdict(job.pass)]));
    lines.push(row(['  … results stored / runs per device (must be 1)', `${n(job.stored)} / ${job.runsPerDevice.toFixed(3)}`, `${n(job.agents)} / 1`, verdict(job.stored === job.agents && job.runsPerDevice === 1)]));
  }
  if (kill?.error) failed(`kill -9 of a node holding a third of ${n(options.killAgents)} agents`, kill);
  else if (kill) {
    for (const [i, k] of kill.runs.entries()) {
      if (k.error) {
        failed(`kill run ${i + 1}`, k);
        continue;
      }
      lines.push(row([`kill -9 ${k.node} holding ${n(k.held)} of ${n(k.agents)} agents (run ${i + 1}): all back`, seconds(k.backOnlineMs), `< ${CLUSTER_TARGETS.backOnlineMs / 1000} s`, verdict(k.backOnlineMs < CLUSTER_TARGETS.backOnlineMs)]));
      const counted = k.seenByCluster === k.agents && k.countedMs < CLUSTER_TARGETS.backOnlineMs;
      lines.push(row(['  … the cluster counts them all online (via the balancer)', `${n(k.seenByCluster)} at ${seconds(k.countedMs)}`, `all, < ${CLUSTER_TARGETS.backOnlineMs / 1000} s`, verdict(counted)]));
      if (k.diedBefore?.length) lines.push(row([`  … died by themselves before this run, restarted`, k.diedBefore.join(', '), 'none', verdict(false)]));
      lines.push(row(['  … job in flight: results lost / runs twice', `${n(k.lost)} / ${n(k.ranTwice)}`, '0 / 0', verdict(k.lost === 0 && k.ranTwice === 0)]));
    }
  }
  lines.push('', `(${options.nodes} nodes + HAProxy + PostgreSQL + Redis + ${options.generators} load generators on one ${results.machine.cpus}-CPU machine; ` +
    `single controller: one process on SQLite. Figures from a shared, busy machine are noisy.)`);
  return { table: lines.join('\n'), met };
}
