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

/** A cluster node's door for the other nodes' links (absent on a single controller: /ws/node is then unknown). */
export interface NodeDoor {
  /** Checks the handshake headers (HMAC with the cluster secret); the node id, or why not. */
  /** Checks the handshake headers (HMAC with the cluster secret) of a link from `ip`; the node id, or why not. */
  verify(headers: IncomingMessage['headers'], ip: string): { ok: true; nodeId: string } | { ok: false; reason: string };
  /** Takes the link; the opening node's handshake headers say what it can read. */
  accept(ws: WebSocket, nodeId: string, headers: IncomingMessage['headers']): void;
  /** Headers proving this node's own identity to the one opening the link (it checks them in turn). */
  answer(): Record<string, string>;
}

export interface UpgradeDeps {
  readonly nodes?: NodeDoor;
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
export function upgradeRoutes(deps: Pick<UpgradeDeps, 'agents' | 'consoles' | 'sessions' | 'origins' | 'nodes'>): ReadonlyMap<string, UpgradeRoute> {
  const { origins, nodes } = deps;
  const nodeRoutes: Array<[string, UpgradeRoute]> = nodes ? [['/ws/node', nodeRoute(nodes)]] : [];
  return new Map<string, UpgradeRoute>([
    ...nodeRoutes,
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

/**
 * `/ws/node`: another node of the cluster, by the address it has for this one (not through
 * the balancer, so no Host check). No browser may reach it (any Origin is refused); the
 * handshake must prove the cluster secret. A refusal is logged with its reason, never a header's value.
 */
function nodeRoute(nodes: NodeDoor): UpgradeRoute {
  const verified = new WeakMap<GuardedRequest, string>();
  return {
    checks: [
      (req) => {
        if (req.headers.origin !== undefined) throw new RelaisError('AUTH_ERR_BAD_ORIGIN');
        const result = nodes.verify(req.headers, req.socket.remoteAddress ?? 'unknown');
        if (!result.ok) throw new RelaisError('AUTH_ERR_FORBIDDEN', `node link refused: ${result.reason}`);
        verified.set(req, result.nodeId);
      },
    ],
    accept: async (ws, req) => {
      const nodeId = verified.get(req);
      if (nodeId === undefined) throw new RelaisError('AUTH_ERR_FORBIDDEN');
      nodes.accept(ws, nodeId, req.headers);
    },
  };
}

export function routeUpgrades(server: Server, deps: UpgradeDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
  // A node opening a link checks who answers, as this node checked who asked.
  const nodes = deps.nodes;
  if (nodes) {
    wss.on('headers', (headers, req) => {
      if ((req.url ?? '').split('?')[0] !== '/ws/node') return;
      for (const [name, value] of Object.entries(nodes.answer())) headers.push(`${name}: ${value}`);
    });
  }
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
        if (err instanceof RelaisError) {
          if (err.detail) log.warn({ refusal: err.code, reason: err.detail }, 'websocket: upgrade refused');
          return refuse(socket, err.code, log);
        }
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
