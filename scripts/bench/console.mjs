/**
 * A technician's console without the browser: REST login, a support link, and
 * /ws/console speaking the protocol as controller/web does, with its code
 * (protocol/ and the browser's CreditAcks, see protocol-bundle.mjs): hello,
 * shell.open, every control message validated, DATA both ways, ACKs after each
 * payload is consumed. A remote shell it opens is a bench terminal (terminal-io.mjs).
 */
import WebSocket from 'ws';
import { onCleanup } from './cleanup.mjs';

/** Logs in as admin; returns the Cookie header value (`relais_session=…`). */
export async function login(controllerUrl, password) {
  const res = await fetch(`${controllerUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: controllerUrl },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (res.status !== 200) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie.startsWith('relais_session=')) throw new Error('login answered 200 but set no relais_session cookie');
  return cookie;
}

/** Creates a support link; returns its URL (what the agent joins). */
export async function createSupportLink(controllerUrl, cookie) {
  const res = await fetch(`${controllerUrl}/api/support-links`, { method: 'POST', headers: { cookie, origin: controllerUrl } });
  if (res.status !== 201) throw new Error(`creating a support link failed: HTTP ${res.status} ${await res.text()}`);
  const body = await res.json();
  if (typeof body.url !== 'string') throw new Error(`the support link answer has no url: ${JSON.stringify(Object.keys(body))}`);
  return body.url;
}

/** Opens /ws/console and says hello; resolves once welcomed (devices come as changes; the list is REST). `proto` is the bundled protocol. */
export async function connectConsole(controllerUrl, cookie, proto) {
  const { CreditAcks, FrameKind, LIMITS, PROTOCOL_VERSION, controllerToConsole, decodeControl, decodeFrame, encodeControl, encodeData } = proto;
  const ws = new WebSocket(`${controllerUrl.replace(/^http/, 'ws')}/ws/console`, {
    headers: { cookie, origin: controllerUrl },
    maxPayload: LIMITS.maxFrameBytes,
    perMessageDeflate: false,
  });
  const messages = [];
  const waiters = new Set();
  /** Open shells by channel: where their output goes and how it is acknowledged. */
  const shells = new Map();
  let closedWith = null;

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const decoded = decodeFrame(data);
      const frame = decoded.ok ? decoded.frame : null;
      const shell = frame && frame.kind === FrameKind.data ? shells.get(frame.channel) : undefined;
      if (!shell) return;
      shell.received += frame.payload.byteLength;
      shell.frames += 1;
      shell.listener?.(frame.payload);
      // "Rendered": the listener is done with the bytes, so they are acknowledged.
      shell.acks.consumed(frame.payload.byteLength);
      return;
    }
    const decoded = decodeControl(controllerToConsole, data);
    if (!decoded.ok) return console.error(`bench: the controller sent an invalid control message: ${decoded.code} ${decoded.detail}`);
    const message = decoded.message;
    messages.push(message);
    if (message.t === 'error') console.error(`bench: the controller reported ${message.code}: ${message.message}`);
    for (const check of [...waiters]) check();
  });
  ws.on('close', (code, reason) => {
    closedWith = `${code} ${reason.toString()}`;
    for (const check of [...waiters]) check();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`the console websocket was refused: HTTP ${res.statusCode}`)));
  });
  const closeSocket = onCleanup('console websocket', () => closeWs(ws));
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, role: 'console' }));

  /** Resolves with the first message (already received or to come) for which `match` returns a value. */
  const waitFor = (what, match, timeoutMs) =>
    new Promise((resolve, reject) => {
      let index = 0;
      const check = () => {
        for (; index < messages.length; index += 1) {
          const found = match(messages[index]);
          if (found !== undefined) return finish(null, found);
        }
        if (closedWith) finish(new Error(`the console websocket closed (${closedWith}) while waiting for ${what}`));
      };
      const finish = (error, value) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got: ${messages.map((m) => m.t).join(', ')}`)), timeoutMs);
      waiters.add(check);
      check();
    });

  await waitFor('welcome', (m) => (m.t === 'welcome' ? m : undefined), 10_000);

  return {
    /** Waits for a device that is online and has sent its summary, other than those in `known`; returns its id. */
    waitForDevice(timeoutMs, known = new Set()) {
      // A list row carries the summary's brief once the summary arrived.
      const ready = (d) => (d.online && d.brief && !known.has(d.id) ? d.id : undefined);
      return waitFor('an online device with a summary', (m) => (m.t === 'device.update' ? ready(m.device) : undefined), timeoutMs);
    },

    /**
     * Asks for a shell, then waits for the agent's consent (given by
     * `consent()`, which must answer the agent's question) and shell.opened.
     */
    async openShell({ deviceId, cols, rows, consent, timeoutMs }) {
      const requestId = `b${shells.size + 1}`;
      const answered = consent();
      // Awaited below; until then a failure here must not count as unhandled.
      answered.catch(() => undefined);
      ws.send(encodeControl({ t: 'shell.open', requestId, deviceId, cols, rows }));
      const failed = (m) => (m.t === 'error' && m.requestId === requestId ? new Error(`the controller refused the shell: ${m.code} ${m.message}`) : undefined);
      const pending = await waitFor('shell.pending', (m) => failed(m) ?? (m.t === 'shell.pending' && m.requestId === requestId ? m : undefined), timeoutMs);
      if (pending instanceof Error) throw pending;
      const { channel } = pending;
      const shell = { listener: null, received: 0, frames: 0, acksSent: 0, acks: null };
      shell.acks = new CreditAcks(channel, (frame) => {
        shell.acksSent += 1;
        ws.send(frame);
      });
      shells.set(channel, shell);
      await answered;
      const outcome = await waitFor('shell.opened', (m) => {
        if (m.t === 'shell.opened' && m.channel === channel) return m;
        if ((m.t === 'shell.closed' || m.t === 'error') && m.channel === channel) return new Error(`the shell did not open: ${JSON.stringify(m)}`);
        if (m.t === 'shell.consent' && m.channel === channel && m.decision !== 'granted') return new Error(`consent was ${m.decision}`);
        return undefined;
      }, timeoutMs);
      if (outcome instanceof Error) throw outcome;
      const close = onCleanup(`remote shell on channel ${channel}`, async () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(encodeControl({ t: 'shell.close', channel }));
        await waitFor('shell.closed', (m) => (m.t === 'shell.closed' && m.channel === channel ? m : undefined), 5000).catch(() => undefined);
        shell.acks.close();
        shells.delete(channel);
      });
      return {
        label: 'relay',
        channel,
        mode: outcome.mode,
        window: outcome.window,
        stats: () => ({ receivedBytes: shell.received, frames: shell.frames, acksSent: shell.acksSent }),
        write(bytes) {
          const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          for (let offset = 0; offset < buffer.length; offset += LIMITS.maxChunkBytes) ws.send(encodeData(channel, buffer.subarray(offset, offset + LIMITS.maxChunkBytes)));
        },
        setListener: (fn) => (shell.listener = fn),
        close,
      };
    },

    close: closeSocket,
  };
}

function closeWs(ws) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 2000);
    ws.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    ws.close(1000, 'bench done');
  });
}
