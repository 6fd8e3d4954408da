/**
 * The host side of the recordings' writing thread (cast-encoder-thread.ts): one worker per
 * controller, started on the first recording and keeping the process alive only while a
 * recording is open, with
 * each recording's replies routed to its writer. Should the worker die, every open
 * recording fails (reported once each); the next recording starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import { castEncoderThread, type EncoderReply, type EncoderRequest } from './cast-encoder-thread.js';
import { createJsonEscaper, ESCAPE_WASM } from './cast-escape.js';

/** The worker's program: the thread function's own text, handed what it needs (the escaper's module as workerData). */
const PROGRAM = `(${castEncoderThread.toString()})({
  fs: require('node:fs'),
  isUtf8: require('node:buffer').isUtf8,
  escaper: (${createJsonEscaper.toString()})(require('node:worker_threads').workerData),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
  post: (reply, transfer) => require('node:worker_threads').parentPort.postMessage(reply, transfer),
  onMessage: (handler) => require('node:worker_threads').parentPort.on('message', handler),
});`;

export interface EncoderClient {
  reply(message: EncoderReply): void;
  /** The worker stopped: the recording cannot go on. */
  lost(error: Error): void;
}

export class CastEncoder {
  private worker: Worker | null = null;
  private readonly clients = new Map<number, EncoderClient>();
  private nextId = 1;

  /** A new recording's id; its replies go to `client` until it is closed. */
  register(client: EncoderClient): number {
    const id = this.nextId++;
    this.clients.set(id, client);
    this.worker?.ref();
    return id;
  }

  /** Sends a request; `transfer` hands buffers over without copying them. */
  send(message: EncoderRequest, transfer: ArrayBuffer[] = []): void {
    this.thread().postMessage(message, transfer);
  }

  /** No more replies for this recording. */
  forget(id: number): void {
    this.clients.delete(id);
    if (this.clients.size === 0) this.worker?.unref();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(PROGRAM, { eval: true, name: 'relais-recordings', workerData: ESCAPE_WASM });
    worker.on('message', (message: EncoderReply) => this.clients.get(message.id)?.reply(message));
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const clients = [...this.clients.values()];
      this.clients.clear();
      for (const client of clients) client.lost(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the recordings' writing thread stopped (exit code ${code})`))); // i18n-ignore: for the log and the audit detail
    // Like an open file, the thread keeps the process alive only while a recording is open
    // (so a shutdown still writes their ends). Set after the listeners: adding one refs it again.
    if (this.clients.size === 0) worker.unref();
    this.worker = worker;
    return worker;
  }
}

/** The controller's one writing thread, shared by every recording. */
export const castEncoder = new CastEncoder();
