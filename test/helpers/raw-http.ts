/**
 * HTTP requests with headers fetch() will not send as given (Host) and from a chosen
 * loopback source address (127.0.0.2 …), to act as another site or another client.
 * Traffic still only goes to the controller's own address.
 */
import { request } from 'node:http';
import WebSocket from 'ws';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Source address of the connection, e.g. 127.0.0.2 (Linux routes all of 127/8 to loopback). */
  localAddress?: string;
}

export function rawRequest(url: string, opts: RawOptions = {}): Promise<RawAnswer> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method ?? 'GET',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: any = null;
        try {
          json = JSON.parse(text);
        } catch {
          // an HTML page or an empty body
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Tries a websocket upgrade; resolves 101 when it opened (then closes it), else the refusal's HTTP status. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => resolve(0));
  });
}
