/**
 * The agent of a bare relay (bare-relay.mjs): the least a program can do in the
 * agent's place. A shell on node-pty, spawned as the agent spawns it; every read is
 * written to one TCP socket (no websocket, no frames, no credit, no consent) and
 * mirrored to this process's stdout, the person's terminal or a pipe — with output
 * processing off on a terminal, as the agent does (agent/person/raw-output.ts).
 * Bytes from the socket are typed into the shell. When the socket is congested the
 * pty is paused; a mirror on a terminal or a pipe is written synchronously (Node's
 * stdout on Linux), so the person's terminal holds the shell back by itself.
 * Usage: node bare-shell-agent.mjs <middle's port> <cols> <rows>
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { chooseShell } from './local-pty.mjs';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const [port, cols, rows] = process.argv.slice(2).map(Number);

if (process.stdout.isTTY) spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
const socket = connect(port, '127.0.0.1');
socket.setNoDelay(true);
const shell = pty.spawn(chooseShell({ SHELL: '/bin/bash' }), [], { name: 'xterm-256color', cols, rows, cwd: process.env.HOME, env: { ...process.env, TERM: 'xterm-256color' }, encoding: null });
shell.onData((data) => {
  process.stdout.write(data);
  if (socket.write(data)) return;
  shell.pause();
  socket.once('drain', () => shell.resume());
});
socket.on('data', (keys) => shell.write(keys));
const end = () => {
  shell.kill('SIGHUP');
  process.exit(0);
};
socket.on('close', end);
socket.on('error', end);
shell.onExit(() => socket.destroy());
