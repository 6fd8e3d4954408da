/**
 * A bare relay: the shape of Relais's shell path with nothing of Relais in it, run
 * beside the real relay as its ceiling. The same processes — a person's terminal (or
 * pipe) reading the agent's mirror, an agent owning the shell's pty
 * (bare-shell-agent.mjs), a middle process where the controller stands, and this
 * process as the console — joined by plain TCP sockets piped through the middle.
 * No websocket, frames, credit, consent, scrollback or recording: whatever share of
 * node-pty alone this reaches on a machine, no relay of that shape beats it there,
 * and the gap to the real relay is what Relais's own code costs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnAgent } from './agent.mjs';
import { onCleanup } from './cleanup.mjs';
import { childPids } from './cpu-usage.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the controller stands: the first connection is the agent's, the next one the console's; piped both ways. */
const MIDDLE = `
const net = require('node:net');
let agent = null;
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  if (!agent) { agent = socket; return process.send({ agent: true }); }
  socket.pipe(agent);
  agent.pipe(socket);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));`;

/** Starts a bare relay whose agent runs in `mode` ('terminal' or 'pipe'); resolves with a bench terminal. */
export async function startBareRelay({ root, mode, cols, rows }) {
  const middle = spawn(process.execPath, ['-e', MIDDLE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stopMiddle = onCleanup(`bare relay middle (pid ${middle.pid})`, () => void middle.kill('SIGKILL'));
  const [{ port }] = await once(middle, 'message');
  const agentJoined = once(middle, 'message');
  const agent = await spawnAgent({ root, mode, program: join(here, 'bare-shell-agent.mjs'), args: [String(port), String(cols), String(rows)] });
  await agent.unlessExited(agentJoined, 'the bare agent to connect');
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let listener = null;
  socket.on('data', (chunk) => listener?.(chunk));
  return {
    label: `bare relay (${mode})`,
    agentPid: agent.pid,
    middlePid: middle.pid,
    terminalPid: agent.sidePid,
    /** The shell: the bare agent's only child. */
    get shellPid() {
      return Math.max(...childPids(agent.pid));
    },
    write: (bytes) => socket.write(bytes),
    setListener: (fn) => (listener = fn),
    async close() {
      socket.destroy();
      await agent.stop();
      await stopMiddle();
    },
  };
}
