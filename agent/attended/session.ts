/**
 * One support session: wires the link, the person's terminal, the consent
 * question and the shells. The controller may ask; only the person's answer
 * opens a shell, and every way out (person, controller, lost link, refusal)
 * ends every shell.
 */
import { FILE_LIMITS, errorWords, formatNumber, isFileChannel, type DeviceSummary, type ErrorCode, type Frame, type Snapshot } from '../../protocol/index.js';
import type { JoinConfig } from '../cli/cli.js';
import { ConsentQueue } from '../consent/consent.js';
import { DiagnosticsReplies } from '../diagnostics/diagnostics-replies.js';
import type { Link, LinkListener, SessionMessage, Welcome } from '../link/link.js';
import { dispatchMessage, sharedHandlers, type MessageHandlers } from '../modes/message-handlers.js';
import type { PersonCommand, PersonTerminal } from '../person/person-terminal.js';
import { introText, words } from '../person/person-words.js';
import { SatisfactionQuestion } from '../person/satisfaction-question.js';
import { agentLanguage } from '../cli/agent-language.js';
import { ShellRequests } from '../shell/shell-requests.js';
import { FileRequests } from '../files/file-requests.js';
import { IdleCollection } from '../memory/idle-collection.js';

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
  /** The command that shows the person the same report (the npm package's, or this executable's). */
  readonly diagnoseCommand: string;
}

/** How long ending the session waits for shells to exit before leaving anyway. */
const END_WAIT_MS = 3000;

/** A certificate the agent does not trust is usually the helpdesk's own authority: say how to trust it. */
function certificateHint(reason: string): string {
  return /certificate|CERT_|SSL/i.test(reason) ? words('certificateHint') : '';
}

/** Tells the person what the report holds and how to see the same report themselves, with the same program. */
function diagnosticsSent(command: string): string {
  return words('diagnosticsSent', { command });
}

export class Session implements LinkListener {
  private readonly consent: ConsentQueue;
  private readonly link: Link;
  private readonly shells: ShellRequests;
  private readonly files: FileRequests;
  private readonly diagnostics: DiagnosticsReplies;
  private readonly handlers: MessageHandlers;
  private readonly satisfaction: SatisfactionQuestion;
  private readonly firstSummary: Promise<DeviceSummary | null>;
  /** The join's diagnostics leave garbage behind; collected once the agent is quiet. */
  private readonly idleCollection = new IdleCollection();
  private ending = false;
  private certificateHintShown = false;
  private finish: (exitCode: number) => void = () => undefined;
  /** Resolves with the process exit code once the session is over and everything is stopped. */
  readonly finished = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(private readonly parts: SessionParts) {
    const { config, host, terminal } = parts;
    this.consent = new ConsentQueue(terminal, config.consentTimeoutMs);
    this.link = parts.createLink(this);
    this.shells = new ShellRequests({
      wire: this.link, consent: this.consent, terminal, watched: true, ...host, forcePipes: config.forcePipes, lastShellEnded: () => this.idleCollection.afterBurst(),
    });
    this.files = new FileRequests({ wire: this.link, consent: this.consent, terminal, host, maxBytes: config.fileMaxBytes ?? FILE_LIMITS.defaultMaxBytes });
    this.diagnostics = new DiagnosticsReplies(parts.collectDiagnostics, (m) => this.link.send(m), (requestId) => {
      this.say(requestId === null ? diagnosticsSent(parts.diagnoseCommand) : words('freshDiagnostics'));
      this.idleCollection.afterBurst();
    });
    this.satisfaction = new SatisfactionQuestion(terminal, (surveyId, answer) => this.link.send({ t: 'survey.answer', surveyId, answer }));
    this.handlers = this.messageHandlers();
    terminal.onChat((text) => this.link.send({ t: 'chat.reply', text }));
    this.firstSummary = this.summary();
  }

  start(): void {
    this.parts.terminal.start();
    this.say(words('connecting', { url: this.parts.config.target.controllerUrl }));
    this.link.start();
  }

  welcomed(welcome: Welcome, resumed: boolean): void {
    if (resumed) this.say(words('reconnected'));
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
    const refuseJob = (message: { jobId: string }) => this.link.replyError('JOB_ERR_NOT_MANAGED', words('jobNotRun', { jobId: message.jobId }));
    return {
      ...sharedHandlers({ shells: this.shells, files: this.files, diagnostics: this.diagnostics, warn: (text) => this.parts.terminal.warn(text) }),
      'session.end': (message) => void this.end(0, words('technicianEnded', { reason: message.reason }), 'controller'),
      'job.run': refuseJob,
      'job.cancel': refuseJob,
      'job.ack': refuseJob,
      // Shown, never run: the terminal prints it as a labelled line of its own.
      'chat.message': (message) => this.parts.terminal.chat(message.from.name, message.text),
      // The ticket of this session was resolved: the person may rate it (never required).
      'survey.ask': (message) => void this.satisfaction.ask(message),
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
    if (!wasWelcomed) {
      const hint = this.certificateHintShown ? '' : certificateHint(reason);
      if (hint) this.certificateHintShown = true;
      return this.say(`${words('cannotReach', { reason, seconds })}${hint}`);
    }
    this.say(words(hadShells ? 'connectionLostShell' : 'connectionLost', { seconds }));
  }

  fatal(code: ErrorCode): void {
    this.parts.terminal.warn(errorWords(code, agentLanguage()));
    void this.end(1, null, 'refused');
  }

  /** What the person asked for with a key or a line. */
  command(command: PersonCommand): void {
    if (command === 'end-session') return void this.end(0, null, 'person');
    // What the technician has under way stops: shells and file transfers alike.
    if (this.shells.endOpenShells() + this.files.stopAll() === 0) this.say(words('noShellOpen'));
  }

  /** Last resort before a crash exit: hang up every shell now, synchronously. */
  abandon(): void {
    this.shells.abandon();
  }

  private async end(exitCode: number, lastWords: string | null, endedBy: 'person' | 'controller' | 'refused'): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.satisfaction.cancel();
    this.idleCollection.cancel();
    if (lastWords) this.say(lastWords);
    await Promise.all([this.shells.closeAll(END_WAIT_MS), this.files.closeAll(END_WAIT_MS)]);
    if (endedBy === 'person') this.link.send({ t: 'session.end', reason: 'user' });
    await this.link.stop();
    this.say(words(endedBy === 'refused' ? 'nothingKeepsRunning' : 'sessionEnded'));
    this.finish(exitCode);
  }

  private async summary(): Promise<DeviceSummary | null> {
    try {
      return await this.parts.gatherSummary();
    } catch (error) {
      this.parts.terminal.warn(words('summaryFailed', { error: error instanceof Error ? error.message : String(error) }));
      return null;
    }
  }

  private say(text: string): void {
    this.parts.terminal.say(text);
  }
}
