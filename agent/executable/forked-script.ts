/**
 * node-pty on Windows forks one helper script (conpty_console_list_agent, which lists a
 * console's processes when a shell is closed) with `process.execPath` — in the single
 * executable, the agent itself. Such a start runs that script instead of the agent:
 * only over node's IPC channel, and only a script inside the agent's own pty folder.
 */
import { createRequire } from 'node:module';
import { resolve, sep } from 'node:path';

/** True when this process was forked to run node-pty's helper, which then runs (and exits by itself). */
export function runForkedPtyHelper(args: readonly string[], cacheRoot: string): boolean {
  const script = args[0];
  if (typeof process.send !== 'function' || script === undefined) return false;
  const path = resolve(script);
  if (!path.startsWith(resolve(cacheRoot) + sep) || !/[\\/]lib[\\/]conpty_console_list_agent(\.js)?$/.test(path)) return false;
  // The script reads the shell's pid from argv[2], as under node: drop the executable's own second entry.
  process.argv.splice(1, 1);
  createRequire(path)(path.endsWith('.js') ? path : `${path}.js`);
  return true;
}
