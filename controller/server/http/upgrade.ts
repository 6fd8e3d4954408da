/**
 * Websocket upgrades pass the same guards as HTTP routes: `/ws/console` needs our
 * own Origin and a login session; `/ws/agent` refuses any foreign Origin (agents
 * send none; a browser on another site must not reach it). Nothing else upgrades.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ERRORS, LIMITS, type ErrorCode } from '../../../protocol/index.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import type { AgentHub } from '../hubs/agent-hub.js';
import type { ConsoleHub } from '../hubs/console-hub.js';
import { resolveClientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

export interface UpgradeDeps {
  readonly agents: AgentHub;
  readonly consoles: ConsoleHub;
  readonly sessions: LoginSessions;
  readonly origins: OwnOrigins;
  readonly trustProxy: boolean;
}

export function routeUpgrades(server: Server, deps: UpgradeDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    const ip = resolveClientIp(req, deps.trustProxy);
    // The same gate as HTTP, first: a name that is not ours is refused before any route (DNS rebinding).
    if (deps.origins.ownHost(req.headers.host) === null) return refuse(socket, 'HTTP_ERR_UNKNOWN_HOST');
    const ownOrigin = deps.origins.isOwnOrigin(req.headers.origin);
    if (path === '/ws/agent') {
      if (req.headers.origin !== undefined && !ownOrigin) return refuse(socket, 'AUTH_ERR_BAD_ORIGIN');
      return wss.handleUpgrade(req, socket, head, (ws) => {
        deps.agents.accept(ws, ip).catch((err: unknown) => {
          console.error(`agent connection from ${ip} failed: ${String(err)}`);
          ws.terminate();
        });
      });
    }
    if (path === '/ws/console') {
      if (!ownOrigin) return refuse(socket, 'AUTH_ERR_BAD_ORIGIN');
      deps.sessions
        .fromRequest(req)
        .then((account) => {
          if (!account) return refuse(socket, 'AUTH_ERR_NO_SESSION');
          const key = deps.sessions.keyOf(req)!;
          wss.handleUpgrade(req, socket, head, (ws) => {
            // Logging out, a password change or removing the account ends this console at once.
            const unwatch = deps.sessions.watch(account.id, key, () => ws.close(ERRORS.AUTH_ERR_NO_SESSION.close, 'AUTH_ERR_NO_SESSION'));
            ws.once('close', unwatch);
            deps.consoles.accept(ws, ip, account).catch((err: unknown) => {
              console.error(`console connection from ${ip} failed: ${String(err)}`);
              ws.terminate();
            });
          });
        })
        .catch(() => refuse(socket, 'HTTP_ERR_INTERNAL'));
      return;
    }
    refuse(socket, 'HTTP_ERR_NOT_FOUND');
  });
  return wss;
}

/** Answers a refused upgrade with a plain HTTP error carrying the catalog code. */
function refuse(socket: Duplex, code: ErrorCode): void {
  const spec = ERRORS[code];
  const body = JSON.stringify({ error: { code, message: spec.message } });
  socket.end(
    `HTTP/1.1 ${spec.status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
