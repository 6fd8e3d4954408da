/**
 * The baseline: a shell on a pseudo-terminal through node-pty, read directly in
 * this process, spawned the way the agent spawns its shells (agent/shell/shell-pty.ts
 * and agent/shell/shell.ts: same shell choice, TERM, size, raw Buffers). Whatever the
 * relay adds is measured against this.
 */
import { cleanHome } from './clean-home.mjs';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { onCleanup } from './cleanup.mjs';

const require = createRequire(import.meta.url);

/** $SHELL, else /bin/bash, else /bin/sh — agent/shell/shell.ts chooseShell. */
export function chooseShell(env = process.env) {
  for (const candidate of [env.SHELL, '/bin/bash']) {
    if (!candidate || !candidate.startsWith('/')) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not usable, try the next
    }
  }
  return '/bin/sh';
}

/** Spawns a shell on a local pty of the given size; returns a bench terminal. */
export function spawnLocalShell({ cols, rows }) {
  let pty;
  try {
    pty = require('node-pty');
  } catch (error) {
    throw new Error(`node-pty could not be loaded, so there is no baseline (${error instanceof Error ? error.message.split('\n')[0] : error}). Run npm install.`);
  }
  const shell = chooseShell({ SHELL: '/bin/bash' });
  const term = pty.spawn(shell, [], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: cleanHome(),
    env: { ...process.env, HOME: cleanHome(), SHELL: '/bin/bash', TERM: 'xterm-256color' },
    encoding: null,
  });
  let listener = null;
  let exited = false;
  term.onData((data) => listener?.(typeof data === 'string' ? Buffer.from(data) : data));
  const exit = new Promise((resolve) => term.onExit(() => resolve((exited = true))));
  const close = onCleanup(`local pty shell (pid ${term.pid})`, async () => {
    if (exited) return;
    term.kill('SIGHUP');
    const timer = setTimeout(() => {
      if (!exited) term.kill('SIGKILL');
    }, 2000);
    await exit;
    clearTimeout(timer);
  });
  return {
    label: 'node-pty alone',
    pid: term.pid,
    shell,
    write: (bytes) => term.write(typeof bytes === 'string' ? bytes : Buffer.from(bytes)),
    setListener: (fn) => (listener = fn),
    close,
  };
}
