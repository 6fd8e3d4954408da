/**
 * A technician's console for the file bench: /ws/console speaking the real protocol
 * (bundled by protocol-bundle.mjs), every control message validated, with what the
 * browser's Files card does: file.send / file.fetch, then the transfer's updates.
 */
import WebSocket from 'ws';
import { onCleanup } from './cleanup.mjs';

/** Connects and says hello; resolves once welcomed. `proto` is the bundled protocol. */
export async function connectFileConsole(controllerUrl, cookie, proto) {
  const { LIMITS, PROTOCOL_VERSION, controllerToConsole, decodeControl, encodeControl } = proto;
  const ws = new WebSocket(`${controllerUrl.replace(/^http/, 'ws')}/ws/console`, { headers: { cookie, origin: controllerUrl }, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
  const messages = [];
  const waiters = new Set();
  let closedWith = null;
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const decoded = decodeControl(controllerToConsole, data);
    if (!decoded.ok) return console.error(`bench: the controller sent an invalid control message: ${decoded.code} ${decoded.detail}`);
    messages.push(decoded.message);
    for (const check of [...waiters]) check();
  });
  ws.on('close', (code) => {
    closedWith = code;
    for (const check of [...waiters]) check();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closeSocket = onCleanup('file console websocket', () => new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', resolve);
    ws.close(1000, 'bench done');
  }));
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, role: 'console' }));

  /** The first message, received or to come, for which `match` returns a value. */
  const waitFor = (what, match, timeoutMs) =>
    new Promise((resolve, reject) => {
      let index = 0;
      const check = () => {
        for (; index < messages.length; index += 1) {
          const found = match(messages[index]);
          if (found !== undefined) return finish(null, found);
        }
        if (closedWith !== null) finish(new Error(`the console websocket closed (${closedWith}) while waiting for ${what}`));
      };
      const finish = (error, value) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value);
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      waiters.add(check);
      check();
    });

  await waitFor('welcome', (m) => (m.t === 'welcome' ? m : undefined), 10_000);
  let requests = 0;
  return {
    waitForDevice: (timeoutMs) => waitFor('an online device with a summary', (m) => (m.t === 'device.update' && m.device.online && m.device.brief ? m.device.id : undefined), timeoutMs),
    /** Sends file.send or file.fetch; resolves with the transfer the controller answers with. */
    async ask(message) {
      const requestId = `bench-file-${++requests}`;
      ws.send(encodeControl({ ...message, requestId }));
      const answer = await waitFor(`file.pending for ${requestId}`, (m) => {
        if (m.t === 'file.pending' && m.requestId === requestId) return m.transfer;
        if (m.t === 'error' && m.requestId === requestId) return new Error(`refused: ${m.code} ${m.message}`);
        return undefined;
      }, 15_000);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    /** Resolves with the transfer once it reaches `state`; rejects if it fails first. */
    async waitForState(id, state, timeoutMs) {
      const view = await waitFor(`transfer ${id} ${state}`, (m) => (m.t === 'file.update' && m.transfer.id === id && (m.transfer.state === state || m.transfer.state === 'failed') ? m.transfer : undefined), timeoutMs);
      if (view.state === 'failed' && state !== 'failed') throw new Error(`the transfer failed: ${view.code} ${view.detail ?? ''}`);
      return view;
    },
    close: closeSocket,
  };
}
