/**
 * Fleet administration (documented in the README): enrollment tokens and device
 * revocation, for administrators with a session; and the public `POST /enroll` a
 * machine calls with a token, throttled per address like code guesses.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { RelaisError, enrollRequest, fleetAnswers, groupName, type ErrorCode } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { Throttle } from '../auth/throttle.js';
import type { DeviceRegistry } from '../devices/devices.js';
import { importDeviceKey } from '../fleet/device-auth.js';
import type { EnrollmentTokens } from '../fleet/enrollment-tokens.js';
import type { ManagedDevices } from '../fleet/managed-devices.js';
import type { AgentHub } from '../hubs/agent-hub.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import { answer } from './answer.js';
import { badRequest, sendError } from './errors.js';
import { requireAdmin } from './guards.js';
import { clientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

export interface FleetDeps {
  readonly enrollmentTokens: EnrollmentTokens;
  readonly managedDevices: ManagedDevices;
  readonly devices: DeviceRegistry;
  readonly agents: AgentHub;
  /** Settles a revoked device's open job runs. */
  readonly dispatcher: Dispatcher;
  readonly audit: AuditLog;
  /** Refused enrollment attempts per address. */
  readonly enrollThrottle: Throttle;
  readonly organization: string;
  readonly origins: OwnOrigins;
}

const HOUR_MS = 60 * 60 * 1000;

const tokenBody = z.object({
  group: groupName,
  // Fractions are allowed (0.25 = 15 minutes); a year at most.
  expiresInHours: z.number().positive().max(24 * 366),
  maxUses: z.number().int().min(1).max(100_000),
});

/** Token errors that count as a guess against the address's throttle. */
const TOKEN_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AUTH_ERR_BAD_ENROLLMENT_TOKEN', 'AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED', 'AUTH_ERR_ENROLLMENT_TOKEN_USED_UP', 'AUTH_ERR_ENROLLMENT_TOKEN_REVOKED',
]);

/** The public enrollment route: a machine registers its public key with a token. */
export function enrollRoute(deps: FleetDeps): Router {
  const routes = Router();
  routes.post('/enroll', async (req, res) => {
    const ip = clientIp(req);
    const throttleKey = `enroll:${ip}`;
    const wait = deps.enrollThrottle.retryAfterMs(throttleKey);
    if (wait > 0) return sendError(res, new RelaisError('AUTH_ERR_THROTTLED'), wait);
    const body = enrollRequest.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    if (!importDeviceKey(body.data.publicKey)) throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'publicKey is not an Ed25519 public key.');
    const origin = deps.origins.baseUrl(req.headers.host);
    let enrolled: Awaited<ReturnType<ManagedDevices['enroll']>>;
    try {
      enrolled = await deps.managedDevices.enroll(body.data, origin);
    } catch (err) {
      if (err instanceof RelaisError) {
        if (TOKEN_REFUSALS.has(err.code)) deps.enrollThrottle.fail(throttleKey);
        deps.audit.note({ actor: `enroll@${ip}`, action: 'enrollment.refused', detail: { reason: err.code, hostname: body.data.hostname, name: body.data.name }, ip });
      }
      throw err;
    }
    const { device, tokenId } = enrolled;
    deps.devices.rememberManaged(device);
    deps.audit.note({
      actor: `device:${device.id}`,
      action: 'device.enrolled',
      target: device.id,
      detail: { name: device.name, group: device.group, tags: device.tags, hostname: device.hostname, platform: device.platform, policy: device.policy, tokenId },
      ip,
    });
    answer(res, fleetAnswers.enrolled, { deviceId: device.id, group: device.group, controller: { url: origin, organization: deps.organization } }, 201);
  });
  return routes;
}

/** Enrollment tokens and revocation; mounted after the session guard. */
export function fleetRoutes(deps: FleetDeps): Router {
  const routes = Router();
  const actor = (req: Request) => req.account!.username;

  routes.post('/enrollment-tokens', requireAdmin, async (req, res) => {
    const body = tokenBody.safeParse(req.body);
    if (!body.success) throw badRequest(body.error);
    const { group, expiresInHours, maxUses } = body.data;
    const issued = await deps.enrollmentTokens.issue(req.account!, group, Math.max(1, Math.round(expiresInHours * HOUR_MS)), maxUses);
    deps.audit.note({ actor: actor(req), action: 'enrollment-token.created', target: issued.id, detail: { group, expiresAt: issued.expiresAt, maxUses }, ip: clientIp(req) });
    answer(res, fleetAnswers.enrollmentTokenCreated, { id: issued.id, token: issued.token, group: issued.group, expiresAt: issued.expiresAt, maxUses: issued.maxUses }, 201);
  });

  routes.get('/enrollment-tokens', requireAdmin, async (_req, res) => {
    answer(res, fleetAnswers.enrollmentTokens, { tokens: await deps.enrollmentTokens.list() });
  });

  routes.delete('/enrollment-tokens/:id', requireAdmin, async (req, res) => {
    const id = String(req.params.id);
    const outcome = await deps.enrollmentTokens.revoke(id);
    if (!outcome.found) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such enrollment token.');
    if (outcome.changed) deps.audit.note({ actor: actor(req), action: 'enrollment-token.revoked', target: id, ip: clientIp(req) });
    res.status(204).end();
  });

  routes.post('/devices/:id/revoke', requireAdmin, async (req, res) => {
    const id = String(req.params.id);
    const outcome = await deps.managedDevices.revoke(id);
    if (outcome === 'not-found') throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such device.');
    if (outcome === 'not-managed') throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'Only enrolled devices can be revoked; end the support session instead.');
    // Its open runs are settled first (in-flight ones told to stop while the connection is still there),
    // so a job waits for no device that can never answer. Closing again is harmless.
    await deps.dispatcher.deviceRevoked(id);
    deps.agents.revoke(id);
    if (outcome === 'revoked') deps.audit.note({ actor: actor(req), action: 'device.revoked', target: id, ip: clientIp(req) });
    res.status(204).end();
  });

  return routes;
}
