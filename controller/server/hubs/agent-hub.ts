/**
 * `/ws/agent`: authenticates agents — attended ones by support code or resume token,
 * managed ones by challenge–response on their device key — and keeps one link per device.
 */
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES, PROTOCOL_VERSION, RelaisError, SUPPORTED_VERSIONS, agentToController, worstSeverity, type AgentToController, type ControllerToAgent, type ErrorCode, type ShellCloseReason,
} from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { Throttle } from '../auth/throttle.js';
import type { ChatService } from '../chat/chat-service.js';
import type { SatisfactionService } from '../satisfaction/satisfaction-service.js';
import type { Config } from '../config/config.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import type { FileTransfers } from '../files/file-transfers.js';
import type { ManagedDevices } from '../fleet/managed-devices.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { AgentLinks } from '../relay/agent-links.js';
import type { AgentLink } from '../relay/links.js';
import type { Relay } from '../relay/relay.js';
import type { SupportCodes } from '../support/support-codes.js';
import type { ResumeThrottle } from '../support/resume-throttle.js';
import type { SupportSessions } from '../support/support-sessions.js';
import type { Log } from '../observability/logger.js';
import type { Meter } from '../observability/metrics.js';
import type { AdmissionGate } from './admission-gate.js';
import { admitAgent, type Admission, type AgentHello } from './agent-admission.js';
import { ChannelEnds, isChannelMessage } from './channel-ends.js';
import { PeerSocket } from './peer-socket.js';

/** What a cluster node's agent hub tells the cluster (cluster/cluster.ts implements it). */
export interface ClusterHooks {
  linked(link: AgentLink): void;
  /** True when the message was on another node's channel (sent there, not handled here). */
  fromAgent(link: AgentLink, message: AgentToController): boolean;
  fromAgentFrame(link: AgentLink, frame: Buffer): boolean;
  /** The link here is gone; true when another node holds the device now (it is not offline). */
  dropped(link: AgentLink): boolean;
  /** The device is not held here: the node holding it is asked to do it. */
  elsewhere(deviceId: string, command: 'end' | 'revoke', reason: string): void;
}

export interface AgentHubDeps {
  readonly config: Config;
  readonly codes: SupportCodes;
  readonly sessions: SupportSessions;
  readonly devices: DeviceRegistry;
  readonly audit: AuditLog;
  readonly diagnostics: DiagnosticsStore;
  readonly managedDevices: ManagedDevices;
  /** Failed authentications (codes, resume tokens, device signatures) per address. */
  readonly throttle: Throttle;
  /** Resumes of attended sessions per session and per address (successful or not). */
  readonly resumes: ResumeThrottle;
  readonly controllerUrl: () => string;
  /** The registry this hub fills; the relay and the dispatcher read the same one. */
  readonly links: AgentLinks;
  readonly relay: Relay;
  /** File transfers: their messages and their frames (file channels) go there, not to the relay. */
  readonly files: FileTransfers;
  /** Hears of managed devices coming online and of their job messages. */
  readonly jobs: Dispatcher;
  /** Hears of an agent joining with a support code (tickets put the join on the linked ticket's timeline). */
  readonly onJoined?: (sessionId: string, deviceId: string, hostname: string, problem: string | null) => void;
  /** Stores and shows the person's chat answers. */
  readonly chat?: ChatService;
  /** Hears of every stored snapshot (tickets put the findings on the timeline of the device's open tickets). */
  readonly onDiagnosed?: (deviceId: string, snapshotId: number, worst: string | null, count: number, join: boolean) => void;
  /** Counts the errors sent to agents, by code. */
  readonly meter: Pick<Meter, 'refused'>;
  /** Stores the person's satisfaction answers typed at the agent. */
  readonly satisfaction?: SatisfactionService;
  /** On a cluster node: the cluster hears of the agents held here, and takes what they send on other nodes' channels. */
  readonly cluster?: ClusterHooks;
  /** Bounds the store work of agents being admitted together (a reconnect storm must not exhaust the database pool). */
  readonly gate: AdmissionGate;
}

/**
 * Refusals that are no guess at a secret: the device did not answer its challenge in time
 * (a loaded machine, or it gave up and closed), or the controller was too busy. Counting them
 * would lock out every agent behind one address (a NAT, a proxy) after a reconnect storm.
 * Nor is a support code that exists but was used or has expired (a person starting the agent
 * again from an old link; the support page does not count them either), or a device an
 * administrator revoked: neither brings anyone closer to a live secret.
 */
const NOT_A_GUESS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['AUTH_ERR_CHALLENGE_EXPIRED', 'SERVER_ERR_BUSY', 'AUTH_ERR_CODE_USED', 'AUTH_ERR_CODE_EXPIRED', 'AUTH_ERR_DEVICE_REVOKED']);
/** A diagnostics ask not answered within this is taken as lost: the next one asks the agent again. */
const REFRESH_ANSWER_MS = 60_000;
/** Asks that may join one collection under way (each gets its answer); more are refused (DIAG_ERR_BUSY). */
export const MAX_JOINED_REFRESHES = 16;

export class AgentHub {
  private readonly links: AgentLinks;
  /** Links that already sent a snapshot: only a link's first one can be the join snapshot. */
  private readonly diagnosed = new WeakSet<AgentLink>();
  /** Per device, the diagnostics ask sent to its agent and the asks that joined it. */
  private readonly refreshes = new Map<string, { sent: string; joined: string[]; at: number }>();

  /** Where shell and file traffic goes. */
  private readonly ends: ChannelEnds;

  constructor(private readonly deps: AgentHubDeps) {
    this.links = deps.links;
    this.ends = new ChannelEnds(deps.relay, deps.files);
  }

  /** Takes a new agent connection; `log` carries its request id and address. */
  async accept(ws: WebSocket, ip: string, log: Log): Promise<void> {
    const peer = new PeerSocket<AgentToController, ControllerToAgent>(ws, agentToController, ip, 'agent', { log, onRefused: (code) => this.deps.meter.refused(code) });
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
    // Counted per address and per kind of credential: support-code guesses from an office's one
    // address do not lock out its enrolled devices, and a device getting in forgives only device failures.
    const throttleKey = `agent:${hello.auth.kind}:${ip}`;
    if (this.deps.throttle.retryAfterMs(throttleKey) > 0) return peer.fail('AUTH_ERR_THROTTLED');
    if (hello.auth.kind === 'resume' && !this.deps.resumes.admit(hello.auth.token, ip)) {
      // Not a failed guess: it does not count against the address, and the agent retries after its backoff.
      this.deps.audit.note({ actor: `agent@${ip}`, action: 'agent.refused', detail: { reason: 'SESSION_ERR_RESUME_THROTTLED', auth: 'resume' }, ip });
      return peer.fail('SESSION_ERR_RESUME_THROTTLED');
    }

    let admission: Admission;
    try {
      const { codes, sessions, managedDevices, config, gate } = this.deps;
      admission = await admitAgent(peer, hello, { codes, sessions, managedDevices, challengeMs: config.authChallengeMs, gate });
    } catch (err) {
      if (!(err instanceof RelaisError)) {
        // The store failed (a pool timeout under a reconnect storm): the agent proved nothing wrong; it retries after its backoff.
        peer.logger.warn({ err, auth: hello.auth.kind }, 'agent refused: the store did not answer');
        return peer.fail('SERVER_ERR_BUSY');
      }
      if (!NOT_A_GUESS.has(err.code)) this.deps.throttle.fail(throttleKey);
      const deviceId = hello.auth.kind === 'device' ? hello.auth.deviceId : null;
      if (err.code !== 'SERVER_ERR_BUSY') this.deps.audit.note({ actor: `agent@${ip}`, action: 'agent.refused', target: deviceId, detail: { reason: err.code, auth: hello.auth.kind }, ip });
      return peer.fail(err.code);
    }
    if (peer.closed) return;
    // Only when something is to be forgiven: on a cluster each reset is published to every node.
    if (this.deps.throttle.counts(throttleKey)) this.deps.throttle.reset(throttleKey);
    this.admit(peer, hello, admission, ip);
  }

  /** An administrator revoked a device: its open connection, if any, is closed now (`asked`: by another cluster node). */
  revoke(deviceId: string, asked = false): void {
    if (!asked) this.deps.devices.revoked(deviceId);
    const link = this.links.get(deviceId);
    if (!link) return void (asked || this.deps.cluster?.elsewhere(deviceId, 'revoke', 'revoked'));
    this.drop(link);
    link.peer.fail('AUTH_ERR_DEVICE_REVOKED');
  }

  /** The technician (or anyone with the UI) ends a support session: the agent is told and let go. */
  endSession(deviceId: string, reason: string, asked = false): void {
    const link = this.links.get(deviceId);
    if (!asked) this.deps.devices.ended(deviceId);
    if (!link) return void (asked || this.deps.cluster?.elsewhere(deviceId, 'end', reason));
    link.peer.send({ t: 'session.end', reason });
    this.drop(link, 'session-ended');
    link.peer.close(CLOSE_CODES.sessionEnded, 'SESSION_ERR_ENDED');
  }

  /** Another cluster node now holds the device: the link here is stale (the agent moved) and is let go. */
  movedAway(deviceId: string): void {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.drop(link);
    link.peer.fail('SESSION_ERR_REPLACED');
  }

  /**
   * Asks a connected agent for a fresh diagnostics snapshot; false when the device is offline.
   * One collection at a time per device: asks while one is under way join it and get its
   * answer (under their own request id), so a flood of asks is neither a flood of collections
   * on the person's machine nor of snapshots stored. Past MAX_JOINED_REFRESHES, DIAG_ERR_BUSY.
   */
  requestDiagnostics(deviceId: string, requestId: string): boolean {
    const link = this.links.get(deviceId);
    if (!link) return false;
    const asked = this.refreshes.get(deviceId);
    if (asked && Date.now() - asked.at < REFRESH_ANSWER_MS) {
      if (asked.joined.length >= MAX_JOINED_REFRESHES) throw new RelaisError('DIAG_ERR_BUSY');
      asked.joined.push(requestId);
      return true;
    }
    this.refreshes.set(deviceId, { sent: requestId, joined: [], at: Date.now() });
    link.peer.send({ t: 'diagnostics.request', requestId });
    return true;
  }

  /** Closes every agent connection (shutdown). */
  closeAll(): void {
    for (const link of this.links.all()) link.peer.close(CLOSE_CODES.serverShutdown, 'SERVER_ERR_SHUTDOWN');
  }

  private admit(peer: PeerSocket<AgentToController, ControllerToAgent>, hello: AgentHello, admission: Admission, ip: string): void {
    const deviceId = admission.kind === 'attended' ? admission.record.deviceId : admission.device.id;
    const sessionId = admission.kind === 'attended' ? admission.record.sessionId : null;
    const link: AgentLink = { peer, deviceId, sessionId, channels: new Set(), ...(hello.consentTimeoutMs !== undefined ? { consentTimeoutMs: hello.consentTimeoutMs } : {}) };
    peer.identify({ device: deviceId });
    const previous = this.links.get(deviceId);
    if (previous) {
      this.drop(previous);
      previous.peer.fail('SESSION_ERR_REPLACED');
    }
    this.links.add(link);
    this.deps.cluster?.linked(link);
    const cluster = this.deps.cluster;
    peer.attach(
      {
        onMessage: (message) => (cluster?.fromAgent(link, message) ? undefined : this.handle(link, message)),
        onBinary: (frame) => {
          if (!cluster?.fromAgentFrame(link, frame)) this.ends.frame(link, frame);
        },
        onClose: (code) => {
          peer.logger.info({ closeCode: code }, 'agent disconnected');
          if (this.drop(link)) {
            this.deps.audit.note({ actor: `device:${link.deviceId}`, action: 'agent.disconnected', target: link.sessionId ?? link.deviceId, ip });
          }
        },
      },
      this.deps.config.heartbeatMs,
    );
    if (admission.kind === 'attended') this.deps.devices.remember(admission.record);
    else this.deps.devices.rememberManaged({ ...admission.device, hostname: hello.agent.hostname, policy: hello.policy ?? admission.device.policy });
    this.deps.devices.connected(deviceId, hello.agent.hostname);
    peer.send({
      t: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId,
      deviceId,
      // A managed device re-authenticates with its key: it needs no resume token and has no technician.
      resumeToken: admission.kind === 'attended' ? admission.resumeToken : null,
      controller: { name: 'Relais', organization: this.deps.config.organization, url: this.deps.controllerUrl() },
      technician: admission.kind === 'attended' ? admission.record.technician : null,
      heartbeatMs: this.deps.config.heartbeatMs,
    });
    const facts = { hostname: hello.agent.hostname, platform: hello.agent.platform, version: hello.agent.version };
    peer.logger.info({ kind: admission.kind, auth: hello.auth.kind, ...facts }, 'agent connected');
    if (admission.kind === 'managed') {
      const policy = hello.policy ?? null;
      this.deps.managedDevices
        .reported(deviceId, { hostname: hello.agent.hostname, platform: hello.agent.platform, policy })
        .catch((err: unknown) => peer.logger.warn({ err }, 'fleet: what the device reported was not stored'));
      this.deps.audit.note({ actor: `device:${deviceId}`, action: 'device.connected', target: deviceId, detail: { ...facts, policy }, ip });
      void this.deps.jobs.deviceOnline(deviceId);
      return;
    }
    this.deps.audit.note({ actor: `device:${deviceId}`, action: hello.auth.kind === 'code' ? 'agent.joined' : 'agent.resumed', target: sessionId, detail: facts, ip });
    if (hello.auth.kind === 'code' && sessionId !== null) this.deps.onJoined?.(sessionId, deviceId, hello.agent.hostname, hello.auth.problem ?? null);
  }

  private handle(link: AgentLink, message: AgentToController): void {
    if (isChannelMessage(message)) return this.ends.message(link, message);
    switch (message.t) {
      case 'hello':
        return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'hello was already received');
      case 'auth.response':
        return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'no challenge is waiting for an answer');
      case 'device.summary':
        return this.deps.devices.summary(link.deviceId, message.summary);
      case 'session.end':
        if (link.sessionId === null) return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'a managed device has no support session to end');
        this.deps.sessions.end(link.sessionId, 'ended by the user').catch((err: unknown) => link.peer.logger.error({ err }, 'session: its end was not stored'));
        this.deps.audit.note({ actor: `device:${link.deviceId}`, action: 'session.ended', target: link.sessionId, detail: { by: 'user' } });
        this.deps.devices.ended(link.deviceId);
        this.drop(link);
        return link.peer.close(CLOSE_CODES.sessionEnded, 'SESSION_ERR_ENDED');
      case 'diagnostics.snapshot':
        void this.storeSnapshot(link, message.snapshot, message.requestId);
        return;
      case 'job.started':
      case 'job.output':
      case 'job.result':
        if (link.sessionId !== null) return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'only a managed device runs jobs');
        return this.deps.jobs.fromAgent(link.deviceId, message);
      case 'chat.reply':
        if (link.sessionId === null || !this.deps.chat) return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'a managed device has no support session to chat in');
        this.deps.chat.fromPerson(link.sessionId, link.deviceId, message.text, 'agent').catch((err: unknown) => {
          // Too fast: the agent hears it (and shows the person); nothing was stored.
          if (err instanceof RelaisError) return link.peer.sendError(err.code);
          link.peer.logger.error({ err }, 'chat: an answer could not be stored');
        });
        return;
      case 'survey.answer':
        if (link.sessionId === null || !this.deps.satisfaction) return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'a managed device has no support session to answer a survey for');
        return this.deps.satisfaction.fromAgent(link.sessionId, link.deviceId, message);
      case 'error':
        link.peer.logger.warn({ refusal: message.code }, 'agent reported an error');
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  private async storeSnapshot(link: AgentLink, snapshot: Extract<AgentToController, { t: 'diagnostics.snapshot' }>['snapshot'], requestId: string | null): Promise<void> {
    try {
      const first = !this.diagnosed.has(link);
      this.diagnosed.add(link);
      const join = first ? (link.sessionId !== null ? 'first-of-session' : 'first-of-connection') : null;
      const stored = await this.deps.diagnostics.record(link.deviceId, snapshot, join);
      const worst = stored.findings[0]?.severity ?? null;
      this.deps.devices.diagnosed(stored, worst, requestId);
      // The asks that joined this collection get the same answer.
      const asked = requestId === null ? undefined : this.refreshes.get(link.deviceId);
      if (asked?.sent === requestId) {
        this.refreshes.delete(link.deviceId);
        for (const joined of asked.joined) this.deps.devices.diagnosed(stored, worst, joined);
      }
      this.deps.onDiagnosed?.(link.deviceId, stored.id, worstSeverity(stored.findings), stored.findings.length, join !== null);
    } catch (err) {
      link.peer.logger.error({ err }, 'diagnostics: a snapshot could not be stored');
    }
  }

  /** Lets go of an agent's link once (false when it was already replaced or dropped); its shells end with `why`. */
  private drop(link: AgentLink, why: ShellCloseReason = 'agent-offline'): boolean {
    if (!this.links.remove(link)) return false;
    this.refreshes.delete(link.deviceId);
    const elsewhere = this.deps.cluster?.dropped(link) ?? false;
    this.ends.gone(link, why);
    // An agent that moved to another node before this one saw its old connection close is not offline.
    if (!elsewhere) this.deps.devices.disconnected(link.deviceId);
    return true;
  }
}
