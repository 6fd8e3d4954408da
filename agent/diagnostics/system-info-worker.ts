/**
 * Runs in a worker thread: the systeminformation calls. The library starts most of its
 * commands with execSync, which holds whichever thread calls it for hundreds of ms per
 * call; here that thread is this one, and the agent's own keeps moving keystrokes,
 * heartbeats and consent answers. Built into a string the agent starts with `eval`
 * (scripts/agents/system-info-worker.mjs), so it runs inside a single executable too.
 */
import { parentPort } from 'node:worker_threads';
import si from 'systeminformation';
import { LOAD_WINDOW_MS, SYSTEM_INFO_METHODS, type SystemInfoReply, type SystemInfoRequest } from './system-info-methods.js';

const port = parentPort;
// i18n-ignore: a developer's mistake (the file started as a program), never shown to anyone
if (!port) throw new Error('system-info-worker runs as a worker thread');

const allowed = new Set<string>(SYSTEM_INFO_METHODS);
// The load is a difference between two readings: the first is taken now.
const loadFrom = performance.now();
const loadStart = si.currentLoad().catch(() => null);

async function answer(method: string): Promise<unknown> {
  if (method === 'currentLoad') {
    await loadStart;
    const wait = loadFrom + LOAD_WINDOW_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return (si as unknown as Record<string, () => unknown>)[method]!();
}

port.on('message', (request: SystemInfoRequest) => {
  const id = request?.id;
  const method = String(request?.method);
  const reply = (message: SystemInfoReply) => port.postMessage(message);
  // i18n-ignore: the agent's own calls are typed; only a developer's mistake gets here
  if (!allowed.has(method)) return reply({ id, ok: false, error: `unknown call ${method}` });
  Promise.resolve()
    .then(() => answer(method))
    .then(
      (value) => reply({ id, ok: true, value }),
      (err: unknown) => reply({ id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
});
