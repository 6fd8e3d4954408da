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
}

/** Authenticates a hello (for a device, with a challenge on `peer`). */
export async function admitAgent(peer: PeerSocket<AgentToController, ControllerToAgent>, hello: AgentHello, deps: AdmissionDeps): Promise<Admission> {
  switch (hello.auth.kind) {
    case 'device':
      return { kind: 'managed', device: await authenticateDevice(peer, hello.auth.deviceId, { devices: deps.managedDevices, challengeMs: deps.challengeMs }) };
    case 'resume':
      return { kind: 'attended', record: await deps.sessions.resume(hello.auth.token), resumeToken: hello.auth.token };
    case 'code': {
      const redeemed = await deps.codes.redeem(hello.auth.code, hello.agent.hostname);
      // The person's own line, typed at the agent's prompt, names the session in the lists (it wins over the support page's).
      if (hello.auth.problem) await deps.sessions.describe(redeemed.sessionId, hello.auth.problem);
      const record = await deps.sessions.byId(redeemed.sessionId);
      if (!record) throw new RelaisError('AUTH_ERR_BAD_RESUME');
      return { kind: 'attended', record, resumeToken: redeemed.resumeToken };
    }
  }
}
