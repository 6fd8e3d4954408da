/**
 * Jobs across the nodes of a cluster: a job created or cancelled on one node is announced
 * to the others, which dispatch it to (or cancel it on) the devices they hold; each run's
 * changes and output are published by the node holding its device, so every node keeps the
 * job's concurrency and end right and every console sees it live. Each run is claimed in
 * the store (pending → dispatched, a conditional UPDATE) before it is sent, so exactly one
 * node sends it.
 */
import { jobSummaryOf } from '../../../protocol/index.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { Log } from '../observability/logger.js';
import type { Cluster } from './cluster.js';

export function syncJobs(cluster: Cluster, dispatcher: Dispatcher, log: Log): void {
  dispatcher.subscribe({
    created: (jobId) => cluster.publish({ t: 'job.created', jobId }),
    cancelled: (jobId) => cluster.publish({ t: 'job.cancelled', jobId }),
    job: (job) => cluster.publish({ t: 'job', job: 'body' in job ? jobSummaryOf(job) : job }),
    run: (jobId, run) => {
      const { stdout: _stdout, stderr: _stderr, ...bare } = run;
      cluster.publish({ t: 'run', jobId, run: bare });
    },
    output: (jobId, deviceId, stream, data) => cluster.publish({ t: 'run.output', jobId, deviceId, stream, data }),
  });
  cluster.on((event) => {
    const heard = (() => {
      switch (event.t) {
        case 'job.created':
          return dispatcher.heard({ kind: 'created', jobId: event.jobId });
        case 'job.cancelled':
          return dispatcher.heard({ kind: 'cancelled', jobId: event.jobId });
        case 'job':
          return dispatcher.heard({ kind: 'job', job: event.job });
        case 'run':
          return dispatcher.heard({ kind: 'run', jobId: event.jobId, run: event.run });
        case 'run.output':
          return dispatcher.heard({ kind: 'output', jobId: event.jobId, deviceId: event.deviceId, stream: event.stream, data: event.data });
        default:
          return null;
      }
    })();
    heard?.catch((err: unknown) => log.error({ err, event: event.t }, 'cluster: a job event could not be applied'));
  });
}
