/**
 * `relais-agent run`: a managed device's connection, kept up for good. It proves
 * its identity with its key on every connection, reports its summary, policy and
 * diagnostics, and lets the local policy (not the controller) decide each shell.
 * Losing the connection only ends the shells; it then reconnects, forever. It
 * stops when told to (signal, Ctrl+C) or when the controller refuses it for good
 * (revoked, unknown, another copy took over).
 */
import { join } from 'node:path';
import { FILE_LIMITS, errorWords, formatNumber, isFileChannel, type DeviceSummary, type ErrorCode, type Frame, type Snapshot } from '../../protocol/index.js';
import { ConsentQueue } from '../consent/consent.js';
import type { DeviceFile, StatePaths } from './device-state.js';
import { DiagnosticsReplies } from '../diagnostics/diagnostics-replies.js';
import { IdleCollection } from '../memory/idle-collection.js';
import type { Link, LinkListener, SessionMessage, Welcome } from '../link/link.js';
import { dispatchMessage, sharedHandlers, type MessageHandlers } from '../modes/message-handlers.js';
import type { PolicyRead } from '../consent/local-policy.js';
import type { PersonCommand, PersonTerminal } from '../person/person-terminal.js';
import { PolicyConsent } from '../consent/policy-consent.js';
import type { HostFacts } from '../attended/session.js';
import { ShellRequests } from '../shell/shell-requests.js';
import { FileRequests } from '../files/file-requests.js';
import { JobRunner } from '../jobs/job-runner.js';
import { agentLanguage, agentWords } from '../cli/agent-language.js';
import { managedCatalog } from './managed-catalog.js';

const words = agentWords(managedCatalog);

/** Exit status when the controller refused the device for good; the systemd unit does not restart on it (EX_CONFIG). */
export const REFUSED_EXIT_CODE = 78;

export interface ManagedServiceParts {
  readonly device: DeviceFile;
  readonly paths: StatePaths;
  readonly host: HostFacts;
  readonly terminal: PersonTerminal;
  readonly consentTimeoutMs: number;
  readonly forcePipes: boolean;
  /** The largest file sent or fetched here (RELAIS_FILE_MAX_BYTES). */
  readonly fileMaxBytes?: number;
  readonly readPolicy: () => PolicyRead;
  readonly gatherSummary: () => Promise<DeviceSummary>;
  readonly collectDiagnostics: () => Promise<Snapshot>;
  readonly createLink: (listener: LinkListener) => Link;
}

const END_WAIT_MS = 3000;

export class ManagedService implements LinkListener {
  private readonly link: Link;
  private readonly shells: ShellRequests;
  private readonly files: FileRequests;
  private readonly person: ConsentQueue | null;
  private readonly diagnostics: DiagnosticsReplies;
  /** A service runs for months: what a burst (diagnostics, a shell) leaves behind is collected once it is quiet. */
  private readonly idleCollection = new IdleCollection();
  private readonly jobs: JobRunner;
  private readonly handlers: MessageHandlers;
  private stopping = false;
  private finish: (exitCode: number) => void = () => undefined;
  /** Resolves with the exit code once the service has stopped and every shell is gone. */
  readonly finished = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(private readonly parts: ManagedServiceParts) {
    const { terminal } = parts;
    // Only a person at a real terminal can answer "ask"; a service has nobody to ask.
    this.person = terminal.interactive ? new ConsentQueue(terminal, parts.consentTimeoutMs) : null;
    const consent = new PolicyConsent({ readPolicy: parts.readPolicy, person: this.person, log: (line) => this.say(line) });
    this.link = parts.createLink(this);
    this.shells = new ShellRequests({
      wire: this.link, consent, terminal, watched: terminal.interactive, ...parts.host, forcePipes: parts.forcePipes, lastShellEnded: () => this.idleCollection.afterBurst(),
    });
    this.files = new FileRequests({ wire: this.link, consent, terminal, host: parts.host, maxBytes: parts.fileMaxBytes ?? FILE_LIMITS.defaultMaxBytes });
    this.jobs = new JobRunner({
      dir: join(parts.paths.dir, 'jobs'),
      host: { env: parts.host.env, platform: parts.host.platform, cwd: parts.host.home },
      localUser: parts.host.localUser,
      send: (m) => this.link.send(m),
      readPolicy: parts.readPolicy,
      person: this.person,
      log: (line) => this.say(line),
    });
    this.diagnostics = new DiagnosticsReplies(parts.collectDiagnostics, (m) => this.link.send(m), (requestId) => {
      this.say(requestId === null ? words('sentDiagnostics') : words('sentFreshDiagnostics'));
      this.idleCollection.afterBurst();
    });
    this.handlers = this.messageHandlers();
  }

  start(): void {
    const { device, terminal } = this.parts;
    terminal.start();
    this.person?.release();
    this.say(words('connecting', { deviceId: device.deviceId, name: device.name, group: device.group, url: device.controllerUrl }));
    this.link.start();
  }

  welcomed(welcome: Welcome, resumed: boolean): void {
    const policy = this.parts.readPolicy();
    const rules = policy.ok ? words('policyRules', { script: policy.policy.script, shell: policy.policy.shell, files: policy.policy.files ?? 'ask' }) : words('policyUnusable', { problem: policy.message });
    this.say(words(resumed ? 'reconnected' : 'connected', { organization: welcome.controller.organization, url: welcome.controller.url, path: this.parts.paths.policy, rules }));
    void this.parts.gatherSummary().then(
      (summary) => {
        if (!this.stopping) this.link.send({ t: 'device.summary', summary });
      },
      (error: unknown) => this.parts.terminal.warn(words('summaryFailed', { error: error instanceof Error ? error.message : String(error) })),
    );
    if (!resumed) this.diagnostics.request(null);
    // Results and output the controller has not acknowledged yet (it stores them once).
    this.jobs.resend();
  }

  message(message: SessionMessage): void {
    dispatchMessage(this.handlers, message);
  }

  /** What a managed device accepts: shells and jobs as its local policy allows, diagnostics; it has no session to end. */
  private messageHandlers(): MessageHandlers {
    return {
      ...sharedHandlers({ shells: this.shells, files: this.files, diagnostics: this.diagnostics, warn: (text) => this.parts.terminal.warn(text) }),
      'job.run': (message) => this.jobs.run(message),
      'job.cancel': (message) => this.jobs.cancel(message.jobId),
      'job.ack': (message) => this.jobs.acknowledge(message.jobId),
      // A managed device has no support session; only its administrator stops the service.
      'session.end': (message) => this.say(words('sessionEndAsked', { reason: message.reason })),
      // Chat needs a person in a support session: the controller never sends it here; ignore it if it does.
      'chat.message': () => undefined,
      // Surveys are for a person's support session: an enrolled machine has no one to ask.
      'survey.ask': () => undefined,
    };
  }

  frame(frame: Frame): void {
    if (isFileChannel(frame.channel)) this.files.frame(frame);
    else this.shells.frame(frame);
  }

  lost(retryInMs: number, wasWelcomed: boolean, reason: string): void {
    this.files.dropAll();
    const hadShells = this.shells.dropAll(words('whyConnectionLost'));
    const seconds = formatNumber(retryInMs / 1000, agentLanguage(), 1);
    if (!wasWelcomed) return this.say(words('cannotConnect', { reason, seconds }));
    this.say(words(hadShells ? 'connectionLostShells' : 'connectionLost', { reason, seconds }));
  }

  fatal(code: ErrorCode): void {
    this.parts.terminal.warn(words('refusedStops', { error: errorWords(code, agentLanguage()) }));
    void this.stop(REFUSED_EXIT_CODE);
  }

  /** Ctrl+C (or "quit") stops the agent; Ctrl+] (or "end") closes open shells. */
  command(command: PersonCommand): void {
    if (command === 'end-session') return void this.stop(0);
    if (this.shells.endOpenShells() + this.files.stopAll() === 0) this.say(words('noShellOpen'));
  }

  /** Stops for good: every shell ended, the connection closed. */
  async stop(exitCode = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.idleCollection.cancel();
    await Promise.all([this.shells.closeAll(END_WAIT_MS), this.files.closeAll(END_WAIT_MS), this.jobs.stopAll(END_WAIT_MS)]);
    await this.link.stop();
    this.say(words('stopped'));
    this.finish(exitCode);
  }

  /** Last resort before a crash exit: hang up every shell now. */
  abandon(): void {
    this.shells.abandon();
    void this.jobs.stopAll(0);
  }

  private say(text: string): void {
    this.parts.terminal.say(text);
  }
}
