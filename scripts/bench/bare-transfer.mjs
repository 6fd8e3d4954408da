/**
 * The ceiling over the file-transfer target: the relay's topology with nothing of
 * Relais in it. Three processes, as in a send or a fetch — the browser's end speaks
 * HTTP, a middle process stands where the controller does, and the device's end sits
 * behind a plain loopback socket — each end of the middle hop hashing the bytes with
 * SHA-256 as the relay does (the middle one and the device's), but with no websocket,
 * no frames, no credit, no consent, no database: `pipe()` all the way.
 *   bare-send:  this process ─HTTP upload→ middle (sha256) ─socket→ receiver (sha256) → a file
 *   bare-fetch: source (sha256) ─socket→ middle (sha256) ─HTTP download→ downloader → a file
 * Whatever ratio to `cp` these reach on a machine, the relay cannot beat it there; the
 * gap between a bare transfer and the relay's same direction is what the relay's own code costs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { onCleanup } from './cleanup.mjs';
import { startCpuMeter } from './cpu-usage.mjs';

/** The device's end of a send: writes what its socket receives to a file, hashing it; says when done. */
const RECEIVER = `
const net = require('node:net'); const fs = require('node:fs'); const crypto = require('node:crypto');
const server = net.createServer((socket) => {
  const hash = crypto.createHash('sha256');
  const out = fs.createWriteStream(process.argv[1]);
  socket.on('data', (chunk) => hash.update(chunk));
  socket.pipe(out);
  out.on('finish', () => process.send({ done: hash.digest('hex') }));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));`;

/** The device's end of a fetch: serves one file on a socket, hashing it as it is read. */
const SOURCE = `
const net = require('node:net'); const fs = require('node:fs'); const crypto = require('node:crypto');
const server = net.createServer((socket) => {
  const hash = crypto.createHash('sha256');
  const file = fs.createReadStream(process.argv[1]);
  file.on('data', (chunk) => hash.update(chunk));
  file.pipe(socket);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));`;

/** Where the controller stands: an HTTP server that pipes an upload to, or a download from, the device's socket, hashing. */
const MIDDLE = `
const net = require('node:net'); const http = require('node:http'); const crypto = require('node:crypto');
const device = Number(process.argv[1]); const size = process.argv[2];
const server = http.createServer((req, res) => {
  const hash = crypto.createHash('sha256');
  if (req.method === 'POST') {
    const socket = net.connect(device, '127.0.0.1');
    req.on('data', (chunk) => hash.update(chunk));
    req.pipe(socket);
    req.on('end', () => res.end(hash.digest('hex')));
  } else {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    const socket = net.connect(device, '127.0.0.1');
    socket.on('data', (chunk) => hash.update(chunk));
    socket.pipe(res);
  }
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));`;

/** The browser's end of a fetch: downloads a URL to a file when told. */
const DOWNLOADER = `
const http = require('node:http'); const fs = require('node:fs'); const { pipeline } = require('node:stream/promises');
process.on('message', ({ url, target }) => {
  http.get(url, (res) => pipeline(res, fs.createWriteStream(target)).then(() => process.send({ done: true }), (e) => process.send({ error: e.message })));
});
process.send({ port: 0 });
process.on('disconnect', () => process.exit(0));`;

/** Starts a helper process and waits for its first message (its port). */
async function helper(code, args) {
  const child = spawn(process.execPath, ['-e', code, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(`bare-transfer helper (pid ${child.pid})`, () => void child.kill('SIGKILL'));
  const [first] = await Promise.race([once(child, 'message'), once(child, 'exit').then(([code]) => Promise.reject(new Error(`a bare-transfer helper exited (${code})`)))]);
  return { child, port: first.port, stop };
}

/** A message from a helper: its result, or its error. */
async function nextMessage(child) {
  const [message] = await once(child, 'message');
  if (message.error) throw new Error(`bare transfer: ${message.error}`);
  return message;
}

/** bare-send: timed from the upload's start until the device's end has the whole file on disk. */
export async function bareSend(source, target, size) {
  const receiver = await helper(RECEIVER, [target]);
  const middle = await helper(MIDDLE, [String(receiver.port), String(size)]);
  const written = nextMessage(receiver.child);
  const meter = startCpuMeter({ middle: middle.child.pid, receiver: receiver.child.pid });
  const started = process.hrtime.bigint();
  const answered = new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${middle.port}/`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    createReadStream(source).pipe(req);
  });
  await Promise.all([answered, written]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter();
  await Promise.all([middle.stop(), receiver.stop()]);
  return { seconds, cpu, reportedSha256: (await written).done, arrived: target };
}

/** bare-fetch: timed from the download being asked for until its last byte is on disk. */
export async function bareFetch(source, target, size) {
  const device = await helper(SOURCE, [source]);
  const middle = await helper(MIDDLE, [String(device.port), String(size)]);
  const downloader = await helper(DOWNLOADER, []);
  const meter = startCpuMeter({ source: device.child.pid, middle: middle.child.pid, downloader: downloader.child.pid });
  const started = process.hrtime.bigint();
  const done = nextMessage(downloader.child);
  downloader.child.send({ url: `http://127.0.0.1:${middle.port}/`, target });
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter();
  await Promise.all([device.stop(), middle.stop(), downloader.stop()]);
  return { seconds, cpu, reportedSha256: null, arrived: target };
}
