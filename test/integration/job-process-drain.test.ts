/**
 * A script that exits while something it started outside its process group still holds
 * its output: the agent keeps reading until the pipes close, and cuts them only after
 * DRAIN + LIMITS.jobKillGraceMs. When the agent's own thread was held past that moment
 * (a machine too busy to schedule it), the cut ran before the output already waiting in
 * the pipe was read, and the run was stored "succeeded" with none of it. Real processes;
 * the stall is this thread blocked with Atomics.wait.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { JobProcess } from '../../agent/jobs/job-process.js';
import { LIMITS, type JobResultMessage } from '../../protocol/index.js';
import { until } from '../helpers/until.js';

const dir = mkdtempSync(join(tmpdir(), 'relais-job-drain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(process.platform === 'win32')('keeps the output written while the agent was stalled past the drain', async () => {
  const output: Buffer[] = [];
  let pid: number | null = null;
  const finished = new Promise<JobResultMessage>((resolve) => {
    new JobProcess(
      {
        t: 'job.run', jobId: 'drain-after-stall',
        // setsid: the writer leaves the script's process group, so ending the group does not end it.
        script: { name: 'late-writer', interpreter: 'sh', body: "setsid sh -c 'sleep 0.5; printf late' &\nexit 0\n", timeoutSeconds: 60 },
        params: {}, expiresAt: Date.now() + 60_000,
      },
      { env: process.env, platform: process.platform, scriptDir: join(dir, 'scripts'), cwd: dir },
      { started: (_at, started) => void (pid = started), output: (_stream, _seq, data) => void output.push(Buffer.from(data)), finished: resolve },
    ).start();
  });
  // The script has exited and been reaped (its drain timers are set) once its process is gone.
  await until(() => pid !== null && !existsSync(`/proc/${pid}`), undefined, 'the script to exit');
  // Hold this thread past both drain timers; the writer prints meanwhile, then closes the pipe.
  // From setImmediate: the loop's next turn then runs its due timers before it polls the pipes.
  await new Promise<void>((resolve) => setImmediate(() => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000 + LIMITS.jobKillGraceMs + 1000);
    resolve();
  }));
  const result = await finished;
  expect(Buffer.concat(output).toString()).toBe('late');
  expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, stdoutBytes: 4 });
}, 60_000);
