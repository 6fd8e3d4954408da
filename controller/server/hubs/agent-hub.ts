/** `/ws/agent`: authenticates agents by support code or resume token and keeps one link per device. */
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES, PROTOCOL_VERSION, RelaisError, SUPPORTED_VERSIONS, agentToController, type AgentToController, type ControllerToAgent,
} from '../../../protocol/index.js';
import type { AuditLog } from '../audit.js';
import type { Throttle } from '../auth/throttle.js';
import type { Config } from '../config.js';
import type { DeviceRegistry } from '../devices.js';
import type { DiagnosticsStore } from '../diagnostics.js';
import type { AgentLink } from '../relay/links.js';
import type { Relay } from '../relay/relay.js';
import type { SupportCodes } from '../support/support-codes.js';
import type { SessionRecord, SupportSessions } from '../support/support-sessions.js';
import { PeerSocket } from './peer-socket.js';

type AgentHello = Extract<AgentToController, { t: 'hello' }>;

export interface AgentHubDeps {
  readonly config: Config;
  readonly codes: SupportCodes;
  readonly sessions: SupportSessions;
  readonly devices: DeviceRegistry;
  readonly audit: AuditLog;
  readonly diagnostics: DiagnosticsStore;
  readonly throttle: Throttle;
  readonly controllerUrl: () => string;
}

export class AgentHub {
  private readonly links = new Map<string, AgentLink>();
  private relay!: Relay;

  constructor(private readonly deps: AgentHubDeps) {}

  /** The relay and the hub need each other; it is wired once at start-up. */
  useRelay(relay: Relay): void {
    this.relay = relay;
  }

  linkFor(deviceId: string): AgentLink | undefined {
    return this.links.get(deviceId);
  }

  get connected(): number {
    return this.links.size;
  }

  async accept(ws: WebSocket, ip: string): Promise<void> {
    const peer = new PeerSocket<AgentToController, ControllerToAgent>(ws, agentToController, ip, 'agent');
    let hello: AgentHello;
    try {
      hello = (await peer.awaitHello(10_000)) as AgentHello;
    } catch (err) {
      if (err instanceof RelaisError) return peer.fail(err.code, err.detail);
      throw err;
    }
    if (!SUPPORTED_VERSIONS.includes(hello.v)) {
      return peer.fail('PROTO_ERR_VERSION_MISMATCH', `The controller speaks version ${SUPPORTED_VERSIONS.join(', ')}; this agent speaks ${hello.v}. Download the agent again from the support link.`);
    }
    const throttleKey = `agent:${ip}`;
    if (this.deps.throttle.retryAfterMs(throttleKey) > 0) return peer.fail('AUTH_ERR_THROTTLED');

    let record: SessionRecord;
    try {
      record = await this.authenticate(hello);
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      this.deps.throttle.fail(throttleKey);
      this.deps.audit.note({ actor: `agent@${ip}`, action: 'agent.refused', detail: { reason: err.code, auth: hello.auth.kind }, ip });
      return peer.fail(err.code);
    }
    if (peer.closed) return;
    this.deps.throttle.reset(throttleKey);
    this.admit(peer, hello, record, ip);
  }

  /** The technician (or anyone with the UI) ends a support session: the agent is told and let go. */
  endSession(deviceId: string, reason: string): void {
    const link = this.links.get(deviceId);
    this.deps.devices.ended(deviceId);
    if (!link) return;
    link.peer.send({ t: 'session.end', reason });
    this.drop(link);
    link.peer.close(CLOSE_CODES.sessionEnded, 'SESSION_ERR_ENDED');
  }

  /** Asks a connected agent for a fresh diagnostics snapshot; false when the device is offline. */
  requestDiagnostics(deviceId: string, requestId: string): boolean {
    const link = this.links.get(deviceId);
    if (!link) return false;
    link.peer.send({ t: 'diagnostics.request', requestId });
    return true;
  }

  /** Closes every agent connection (shutdown). */
  closeAll(): void {
    for (const link of this.links.values()) link.peer.close(CLOSE_CODES.serverShutdown, 'SERVER_ERR_SHUTDOWN');
  }

  private async authenticate(hello: AgentHello): Promise<SessionRecord> {
    if (hello.auth.kind === 'resume') return this.deps.sessions.resume(hello.auth.token);
    const redeemed = await this.deps.codes.redeem(hello.auth.code, hello.agent.hostname);
    const record = await this.deps.sessions.byId(redeemed.sessionId);
    if (!record) throw new RelaisError('AUTH_ERR_BAD_RESUME');
    return { ...record, resumeToken: redeemed.resumeToken } as SessionRecord & { resumeToken: string };
  }

  private admit(peer: AgentLink['peer'], hello: AgentHello, record: SessionRecord & { resumeToken?: string }, ip: string): void {
    const link: AgentLink = { peer, deviceId: record.deviceId, sessionId: record.sessionId, channels: new Set() };
    const previous = this.links.get(record.deviceId);
    if (previous) {
      this.drop(previous);
      previous.peer.fail('SESSION_ERR_REPLACED');
    }
    this.links.set(record.deviceId, link);
    peer.attach(
      {
        onMessage: (message) => this.handle(link, message),
        onBinary: (frame) => this.relay.agentBinary(link, frame),
        onClose: () => {
          if (this.drop(link)) {
            this.deps.audit.note({ actor: `device:${link.deviceId}`, action: 'agent.disconnected', target: link.sessionId, ip });
          }
        },
      },
      this.deps.config.heartbeatMs,
    );
    this.deps.devices.remember(record);
    this.deps.devices.connected(record.deviceId, hello.agent.hostname);
    // A resumed agent keeps its token; a fresh join gets the one made when the code was used.
    const resumeToken = record.resumeToken ?? (hello.auth.kind === 'resume' ? hello.auth.token : '');
    peer.send({
      t: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId: record.sessionId,
      deviceId: record.deviceId,
      resumeToken,
      controller: { name: 'Relais', organization: this.deps.config.organization, url: this.deps.controllerUrl() },
      technician: record.technician,
      heartbeatMs: this.deps.config.heartbeatMs,
    });
    this.deps.audit.note({
      actor: `device:${record.deviceId}`,
      action: hello.auth.kind === 'code' ? 'agent.joined' : 'agent.resumed',
      target: record.sessionId,
      detail: { hostname: hello.agent.hostname, platform: hello.agent.platform, version: hello.agent.version },
      ip,
    });
  }

  private handle(link: AgentLink, message: AgentToController): void {
    switch (message.t) {
      case 'hello':
        return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'hello was already received');
      case 'device.summary':
        return this.deps.devices.summary(link.deviceId, message.summary);
      case 'shell.consent':
      case 'shell.opened':
      case 'shell.closed':
        return this.relay.fromAgent(link, message);
      case 'session.end':
        void this.deps.sessions.end(link.sessionId, 'ended by the user');
        this.deps.audit.note({ actor: `device:${link.deviceId}`, action: 'session.ended', target: link.sessionId, detail: { by: 'user' } });
        this.deps.devices.ended(link.deviceId);
        this.drop(link);
        return link.peer.close(CLOSE_CODES.sessionEnded, 'SESSION_ERR_ENDED');
      case 'diagnostics.snapshot':
        void this.storeSnapshot(link, message.snapshot, message.requestId);
        return;
      case 'error':
        console.warn(`agent ${link.deviceId} reported ${message.code}`);
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private async storeSnapshot(link: AgentLink, snapshot: Extract<AgentToController, { t: 'diagnostics.snapshot' }>['snapshot'], requestId: string | null): Promise<void> {
    try {
      const stored = await this.deps.diagnostics.record(link.deviceId, snapshot);
      this.deps.devices.diagnosed(stored, stored.findings[0]?.severity ?? null, requestId);
    } catch (err) {
      console.error(`diagnostics from ${link.deviceId} could not be stored: ${String(err)}`);
    }
  }

  /** Forgets a link once; returns false when it was already replaced or dropped. */
  private drop(link: AgentLink): boolean {
    if (this.links.get(link.deviceId) !== link) return false;
    this.links.delete(link.deviceId);
    this.relay.agentGone(link);
    this.deps.devices.disconnected(link.deviceId);
    return true;
  }
}
