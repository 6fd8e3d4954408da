/**
 * Who an agent connection proves to be: an attended agent by its support code
 * (first join) or the session's resume token; a managed device by
 * challenge–response on its key. Throws the catalog error when it proves nothing.
 */
import { RelaisError, type AgentToController, type ControllerToAgent } from '../../../protocol/index.js';
import { authenticateDevice } from '../fleet/device-auth.js';
import type { ManagedDeviceRecord, ManagedDevices } from '../fleet/managed-devices.js';
import type { SupportCodes } from '../support/support-codes.js';
import type { SessionRecord, SupportSessions } from '../support/support-sessions.js';
import type { AdmissionGate } from './admission-gate.js';
import type { PeerSocket } from './peer-socket.js';

export type AgentHello = Extract<AgentToController, { t: 'hello' }>;

export type Admission =
  | { readonly kind: 'attended'; readonly record: SessionRecord; readonly resumeToken: string }
  | { readonly kind: 'managed'; readonly device: ManagedDeviceRecord };

export interface AdmissionDeps {
  readonly codes: SupportCodes;
  readonly sessions: SupportSessions;
  readonly managedDevices: ManagedDevices;
  readonly challengeMs: number;
  /** Bounds the store work of admissions together; the wait for a device's answer holds no turn. */
  readonly gate: AdmissionGate;
}

/** Authenticates a hello (for a device, with a challenge on `peer`). */
export async function admitAgent(peer: PeerSocket<AgentToController, ControllerToAgent>, hello: AgentHello, deps: AdmissionDeps): Promise<Admission> {
  // An agent that gave up while waiting for its turn costs the store nothing (refused as busy: not counted, not audited).
  const gate = { run: <T>(work: () => Promise<T>) => deps.gate.run(() => (peer.closed ? Promise.reject(new RelaisError('SERVER_ERR_BUSY')) : work())) };
  switch (hello.auth.kind) {
    case 'device': {
      const devices = { byId: (id: string) => gate.run(() => deps.managedDevices.byId(id)) };
      return { kind: 'managed', device: await authenticateDevice(peer, hello.auth.deviceId, { devices, challengeMs: deps.challengeMs }) };
    }
    case 'resume': {
      const token = hello.auth.token;
      return { kind: 'attended', record: await gate.run(() => deps.sessions.resume(token)), resumeToken: token };
    }
    case 'code': {
      const { code, problem } = hello.auth;
      return gate.run(async () => {
        const redeemed = await deps.codes.redeem(code, hello.agent.hostname);
        // The person's own line, typed at the agent's prompt, names the session in the lists (it wins over the support page's).
        if (problem) await deps.sessions.describe(redeemed.sessionId, problem);
        const record = await deps.sessions.byId(redeemed.sessionId);
        if (!record) throw new RelaisError('AUTH_ERR_BAD_RESUME');
        return { kind: 'attended' as const, record, resumeToken: redeemed.resumeToken };
      });
    }
  }
}
