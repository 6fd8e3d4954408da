/**
 * Everything the bench starts (processes, temp folders, ptys) registers how to
 * undo it here, so a failed or interrupted run leaves nothing behind.
 */

const tasks = [];
let running = null;

/** Registers an undo step; returns a function that runs it early (once) and forgets it. */
export function onCleanup(label, undo) {
  const task = { label, undo, done: false };
  tasks.push(task);
  return async () => {
    const index = tasks.indexOf(task);
    if (index !== -1) tasks.splice(index, 1);
    await runTask(task);
  };
}

/** Runs every undo step, newest first. Safe to call more than once. */
export function cleanupAll() {
  running ??= (async () => {
    while (tasks.length > 0) await runTask(tasks.pop());
  })();
  return running;
}

async function runTask(task) {
  if (task.done) return;
  task.done = true;
  try {
    await task.undo();
  } catch (error) {
    console.error(`bench: cleaning up ${task.label} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Ctrl-C or a kill still cleans up before the bench exits. */
export function cleanUpOnSignals() {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, cleaning up…`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

/**
 * Stops a child process we spawned, by its pid: `signal` first, SIGKILL after
 * `graceMs`. Resolves once it has exited.
 */
export function stopChild(child, signal = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill(signal);
  });
}
