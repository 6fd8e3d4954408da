/**
 * Live job progress from the console socket (`job.update`, `run.update`,
 * `run.output`, validated by the socket against the protocol). Watching a job
 * (`job.watch`) is repeated after every reconnect, since the controller forgets
 * watchers with the connection.
 */
import type { ControllerToConsole } from '../../../protocol/index.js';
import type { ConsoleSocket } from '../connection/console-socket.js';

export type JobMessage = Extract<ControllerToConsole, { t: 'job.update' | 'run.update' | 'run.output' }>;

/** Subscribes to the live job messages; returns the unsubscribe function. */
export function onJobMessage(socket: ConsoleSocket, listener: (message: JobMessage) => void): () => void {
  const stops = [socket.on('job.update', listener), socket.on('run.update', listener), socket.on('run.output', listener)];
  return () => stops.forEach((stop) => stop());
}

/** Asks for one job's run updates and output, now and after each reconnect; returns the function that stops watching. */
export function watchJob(socket: ConsoleSocket, jobId: string, onReconnected: () => void): () => void {
  let first = true;
  const stopState = socket.onState((state) => {
    if (state.kind !== 'open') return;
    socket.send({ t: 'job.watch', jobId });
    // Whatever happened while the link was down is only in the REST answer.
    if (!first) onReconnected();
    first = false;
  });
  return () => {
    stopState();
    socket.send({ t: 'job.unwatch', jobId });
  };
}
