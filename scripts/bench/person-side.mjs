/**
 * The person's side of a bench agent, in its own process so its CPU is counted
 * apart: runs the real agent (`relais-agent.mjs join <link>`) either in a
 * terminal — a pseudo-terminal from node-pty, read and dropped as fast as a
 * terminal emulator would take it — or with its stdout a pipe, read and dropped.
 * It types `y` when the agent asks for consent. Driven by its parent over IPC:
 *   parent → { t: 'consent' } | { t: 'tail' } | { t: 'stop' }
 *   child  → { t: 'started', pid } | { t: 'asked' } | { t: 'tail', text, bytes } | { t: 'exit', how }
 * Usage (forked): person-side.mjs '{"mode":"terminal"|"pipe","agent":PATH,"link":URL,"nodeArgs":[],"cwd":DIR,"env":{}}'
 * (`"args":[…]` instead of `link`: the program's arguments, for the bare relay's agent)
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const options = JSON.parse(process.argv[2]);
const TAIL_BYTES = 16 * 1024;
/** The consent question's answer hint, in English or French (the agent follows the machine's locale). */
const CONSENT_PROMPTS = ['[y/N]', '[o/N]'];

const tail = [];
let tailBytes = 0;
let mirrored = 0;
let watching = null;
let write = () => undefined;
let agentPid = null;

function output(chunk) {
  mirrored += chunk.length;
  tail.push(chunk);
  tailBytes += chunk.length;
  while (tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= tail.shift().length;
  if (watching === null) return;
  watching = (watching + chunk.subarray(-256).toString('utf8')).slice(-256);
  if (!CONSENT_PROMPTS.some((prompt) => watching.includes(prompt))) return;
  watching = null;
  // In a terminal the agent reads keys (raw mode); from a pipe, lines.
  write(options.mode === 'terminal' ? 'y' : 'y\n'); // y is yes in both languages
  process.send({ t: 'asked' });
}

// --no-prompt: the person's one-line description is skipped (the bench measures the shell, not the greeting).
const args = [...options.nodeArgs, options.agent, ...(options.args ?? ['join', options.link, '--no-prompt'])];
if (options.mode === 'terminal') {
  const pty = require('node-pty');
  const term = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: options.cwd, env: options.env, encoding: null });
  agentPid = term.pid;
  term.onData((data) => output(typeof data === 'string' ? Buffer.from(data) : data));
  term.onExit(({ exitCode, signal }) => exited(signal ? `signal ${signal}` : `code ${exitCode}`));
  write = (text) => term.write(text);
} else {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  agentPid = child.pid;
  child.stdout.on('data', output);
  child.stderr.on('data', output);
  child.stdin.on('error', () => undefined);
  child.once('exit', (code, signal) => exited(signal ?? `code ${code}`));
  write = (text) => child.stdin.write(text);
}
process.send({ t: 'started', pid: agentPid });

function exited(how) {
  process.send({ t: 'tail', text: Buffer.concat(tail).toString('utf8'), bytes: mirrored }, () => process.send({ t: 'exit', how }, () => process.exit(0)));
}

process.on('message', (message) => {
  if (message.t === 'consent') watching = '';
  else if (message.t === 'tail') process.send({ t: 'tail', text: Buffer.concat(tail).toString('utf8'), bytes: mirrored });
  else if (message.t === 'stop') {
    try {
      process.kill(agentPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});
// The parent went away: take the agent with us.
process.on('disconnect', () => {
  try {
    process.kill(agentPid, 'SIGKILL');
  } catch {
    // already gone
  }
  process.exit(0);
});
