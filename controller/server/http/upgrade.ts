/**
 * Websocket upgrades are routed like HTTP requests and pass the same checks
 * (checks.ts) before any websocket exists: first our own Host, as for every HTTP
 * request; then `/ws/console` needs our own Origin and a login session, and
 * `/ws/agent` refuses any foreign Origin (agents send none; a browser on another
 * site must not reach it). Nothing else upgrades.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ERRORS, LIMITS, RelaisError, type ErrorCode } from '../../../protocol/index.js';
import type { LoginSessions } from '../auth/login-sessions.js';
import type { AgentHub } from '../hubs/agent-hub.js';
import type { ConsoleHub } from '../hubs/console-hub.js';
import { loginSession, ownHost, ownOrigin, runChecks, type Check, type GuardedRequest } from './checks.js';
import { resolveClientIp } from './origin.js';
import type { Log } from '../observability/logger.js';
import { requestIdOf } from '../observability/request-id.js';
import type { OwnOrigins } from './own-origins.js';

export interface UpgradeDeps {
  readonly agents: AgentHub;
  readonly consoles: ConsoleHub;
  readonly sessions: LoginSessions;
  readonly origins: OwnOrigins;
  readonly trustProxy: boolean;
  readonly log: Log;
}

interface UpgradeRoute {
  readonly checks: readonly Check[];
  /** Takes the new websocket once every check passed; `log` carries the connection's request id and address. */
  accept(ws: WebSocket, req: GuardedRequest, ip: string, log: Log): Promise<void>;
}

/** The websocket doors, each with the checks it shares with the HTTP routes (the Host check first, as for HTTP). */
export function upgradeRoutes(deps: Pick<UpgradeDeps, 'agents' | 'consoles' | 'sessions' | 'origins'>): ReadonlyMap<string, UpgradeRoute> {
  const { origins } = deps;
  return new Map<string, UpgradeRoute>([
    ['/ws/agent', { checks: [ownHost(origins), ownOrigin(origins, 'if-present')], accept: (ws, _req, ip, log) => deps.agents.accept(ws, ip, log) }],
    [
      '/ws/console',
      {
        // A browser always sends Origin; the console is for people logged in, never for API tokens.
        checks: [ownHost(origins), ownOrigin(origins, 'required'), loginSession(deps.sessions, null)],
        accept: (ws, req, ip, log) => {
          const account = req.account;
          const key = deps.sessions.keyOf(req);
          if (!account || !key) throw new RelaisError('AUTH_ERR_NO_SESSION');
          // Logging out, a password change or removing the account ends this console at once.
          const unwatch = deps.sessions.watch(account.id, key, () => ws.close(ERRORS.AUTH_ERR_NO_SESSION.close, 'AUTH_ERR_NO_SESSION'));
          ws.once('close', unwatch);
          return deps.consoles.accept(ws, ip, account, log.child({ account: account.username }));
        },
      },
    ],
  ]);
}

export function routeUpgrades(server: Server, deps: UpgradeDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
  const routes = upgradeRoutes(deps);
  const unknownPath: readonly Check[] = [ownHost(deps.origins)];

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0] ?? '';
    const ip = resolveClientIp(req, deps.trustProxy);
    const route = routes.get(path);
    // The path only when it is one of ours: an unknown one is whatever the client sent.
    const log = deps.log.child({ requestId: requestIdOf(req, deps.trustProxy), path: route ? path : 'unmatched', ip });
    runChecks(req, route?.checks ?? unknownPath).then(
      () => {
        if (!route) return refuse(socket, 'HTTP_ERR_NOT_FOUND', log);
        wss.handleUpgrade(req, socket, head, (ws) => {
          route.accept(ws, req, ip, log).catch((err: unknown) => {
            log.error({ err }, 'websocket: the connection failed');
            ws.terminate();
          });
        });
      },
      (err: unknown) => {
        if (err instanceof RelaisError) return refuse(socket, err.code, log);
        log.error({ err }, 'websocket: the upgrade failed');
        refuse(socket, 'HTTP_ERR_INTERNAL', log);
      },
    );
  });
  return wss;
}

/** Answers a refused upgrade with a plain HTTP error carrying the catalog code. */
function refuse(socket: Duplex, code: ErrorCode, log: Log): void {
  const spec = ERRORS[code];
  log.info({ refusal: code, status: spec.status }, 'websocket: upgrade refused');
  const body = JSON.stringify({ error: { code, message: spec.message } });
  socket.end(
    `HTTP/1.1 ${spec.status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
