/**
 * One support session: wires the link, the person's terminal, the consent
 * question and the shells. The controller may ask; only the person's answer
 * opens a shell, and every way out (person, controller, lost link, refusal)
 * ends every shell.
 */
import { describeError, type DeviceSummary, type ErrorCode, type Frame, type Snapshot } from '../../protocol/index.js';
import type { JoinConfig } from '../cli/cli.js';
import { ConsentQueue } from '../consent/consent.js';
import { DiagnosticsReplies } from '../diagnostics/diagnostics-replies.js';
import type { Link, LinkListener, SessionMessage, Welcome } from '../link/link.js';
import { dispatchMessage, sharedHandlers, type MessageHandlers } from '../modes/message-handlers.js';
import type { PersonCommand, PersonTerminal } from '../person/person-terminal.js';
import { introText } from '../person/person-words.js';
import { ShellRequests } from '../shell/shell-requests.js';

/** Facts about this machine the session needs, gathered once by the composition root. */
export interface HostFacts {
  readonly localUser: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
}

export interface SessionParts {
  readonly config: JoinConfig;
  readonly host: HostFacts;
  readonly terminal: PersonTerminal;
  readonly gatherSummary: () => Promise<DeviceSummary>;
  readonly collectDiagnostics: () => Promise<Snapshot>;
  readonly createLink: (listener: LinkListener) => Link;
}

/** How long ending the session waits for shells to exit before leaving anyway. */
const END_WAIT_MS = 3000;

/** A certificate the agent does not trust is usually the helpdesk's own authority: say how to trust it. */
function certificateHint(reason: string): string {
  return /certificate|CERT_|SSL/i.test(reason)
    ? '\n  (The controller\'s certificate is not trusted by this computer. If your helpdesk uses its own certificate authority, ask them for it and start the agent with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.)'
    : '';
}

/** Tells the person what the report holds and how to see the same report themselves, from the same package. */
function diagnosticsSent(controllerUrl: string): string {
  return (
    '(The technician also received a diagnostics report: hardware, storage, network, name resolution and the busiest programs.\n' +
    ` To see exactly what it contains, run in another terminal: npx --yes ${controllerUrl}/download/relais-agent.tgz diagnose)`
  );
}

export class Session implements LinkListener {
  private readonly consent: ConsentQueue;
  private readonly link: Link;
  private readonly shells: ShellRequests;
  private readonly diagnostics: DiagnosticsReplies;
  private readonly handlers: MessageHandlers;
  private readonly firstSummary: Promise<DeviceSummary | null>;
  private ending = false;
  private certificateHintShown = false;
  private finish: (exitCode: number) => void = () => undefined;
  /** Resolves with the process exit code once the session is over and everything is stopped. */
  readonly finished = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(private readonly parts: SessionParts) {
    const { config, host, terminal } = parts;
    this.consent = new ConsentQueue(terminal, config.consentTimeoutMs);
    this.link = parts.createLink(this);
    this.shells = new ShellRequests({ wire: this.link, consent: this.consent, terminal, watched: true, ...host, forcePipes: config.forcePipes });
    this.diagnostics = new DiagnosticsReplies(parts.collectDiagnostics, (m) => this.link.send(m), (requestId) =>
      this.say(requestId === null ? diagnosticsSent(config.target.controllerUrl) : '(The technician asked for and received a fresh diagnostics report.)'),
    );
    this.handlers = this.messageHandlers();
    this.firstSummary = this.summary();
  }

  start(): void {
    this.parts.terminal.start();
    this.say(`Relais: connecting to ${this.parts.config.target.controllerUrl} …`);
    this.link.start();
  }

  welcomed(welcome: Welcome, resumed: boolean): void {
    if (resumed) this.say('Reconnected.');
    void (resumed ? this.summary() : this.firstSummary).then((summary) => {
      if (this.ending) return;
      // Questions wait until the person has read who is connected and what they see.
      if (!resumed) this.say(introText(welcome, summary, this.parts.terminal.interactive));
      if (summary) this.link.send({ t: 'device.summary', summary });
      this.consent.release();
      if (!resumed) this.diagnostics.request(null);
    });
  }

  message(message: SessionMessage): void {
    dispatchMessage(this.handlers, message);
  }

  /** What an attended session accepts: shells (with the person's yes), diagnostics, the end of the session; never jobs. */
  private messageHandlers(): MessageHandlers {
    // Fleet jobs are for enrolled machines, whose administrator set a policy; nobody here agreed to unattended scripts.
    const refuseJob = (message: { jobId: string }) => this.link.replyError('JOB_ERR_NOT_MANAGED', `Job ${message.jobId} was not run.`);
    return {
      ...sharedHandlers({ shells: this.shells, diagnostics: this.diagnostics, warn: (text) => this.parts.terminal.warn(text) }),
      'session.end': (message) => void this.end(0, `The technician ended the session (${message.reason}).`, 'controller'),
      'job.run': refuseJob,
      'job.cancel': refuseJob,
      'job.ack': refuseJob,
    };
  }

  frame(frame: Frame): void {
    this.shells.frame(frame);
  }

  lost(retryInMs: number, wasWelcomed: boolean, reason: string): void {
    const hadShells = this.shells.dropAll('the connection was lost');
    const seconds = (retryInMs / 1000).toFixed(1);
    if (!wasWelcomed) {
      const hint = this.certificateHintShown ? '' : certificateHint(reason);
      if (hint) this.certificateHintShown = true;
      return this.say(`Cannot reach the controller (${reason}) — trying again in ${seconds} s.${hint}`);
    }
    this.say(`Connection lost — reconnecting in ${seconds} s.${hadShells ? ' The remote shell was closed; a new one needs your yes again.' : ''}`);
  }

  fatal(code: ErrorCode): void {
    this.parts.terminal.warn(describeError(code));
    void this.end(1, null, 'refused');
  }

  /** What the person asked for with a key or a line. */
  command(command: PersonCommand): void {
    if (command === 'end-session') return void this.end(0, null, 'person');
    if (this.shells.endOpenShells() === 0) this.say('(No remote shell is open.)');
  }

  /** Last resort before a crash exit: hang up every shell now, synchronously. */
  abandon(): void {
    this.shells.abandon();
  }

  private async end(exitCode: number, words: string | null, endedBy: 'person' | 'controller' | 'refused'): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    if (words) this.say(words);
    await this.shells.closeAll(END_WAIT_MS);
    if (endedBy === 'person') this.link.send({ t: 'session.end', reason: 'user' });
    await this.link.stop();
    this.say(`${endedBy === 'refused' ? '' : 'Session ended. '}Nothing from Relais keeps running on this computer.`);
    this.finish(exitCode);
  }

  private async summary(): Promise<DeviceSummary | null> {
    try {
      return await this.parts.gatherSummary();
    } catch (error) {
      this.parts.terminal.warn(`(The description of this computer could not be gathered: ${error instanceof Error ? error.message : String(error)})`);
      return null;
    }
  }

  private say(text: string): void {
    this.parts.terminal.say(text);
  }
}
