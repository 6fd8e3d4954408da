/**
 * The consent question. Only the person at the machine can say yes: the
 * answer comes from their keyboard, never from the wire. One question at a
 * time, default no, and no answer in time means no.
 */
import type { ConsentDecision, Person } from '../../protocol/index.js';
import type { PendingQuestion, PersonTerminal } from '../person/person-terminal.js';
import { words } from '../person/person-words.js';
import { takeoverOutcomeLine, takeoverQuestion } from './takeover-words.js';

export interface ConsentRequest {
  readonly channel: number;
  readonly requestedBy: Person;
  /** The local account the shell would run as. */
  readonly localUser: string;
  readonly shell: string;
  /** The controller records this shell (shell.open's `recorded`): the person is told so. */
  readonly recorded?: boolean;
  /** Set when the request is to run a fleet job's script rather than to open a shell. */
  readonly script?: { readonly name: string; readonly interpreter: string };
  /** Set when the request is for the keyboard of an open shell (a second technician's take-over): `holder` types in it now. */
  readonly takeover?: { readonly holder: Person };
  /**
   * Set when the request is to send or fetch a file (agent/files words it): the lines of
   * the question, the line said on a yes, and what it is in a few words for the policy's log.
   */
  readonly file?: {
    readonly asked: readonly string[];
    readonly granted: string;
    readonly what: string;
    /** The line for a no, no answer in time or the policy's refusal (the shell's words speak of starting something). */
    readonly refused: (outcome: 'declined' | 'timeout' | 'refused-by-policy', timeoutSeconds: number) => string;
  };
}

/** A decision to report, or `cancelled` when the question went away unanswered (nothing to report). */
export type ConsentOutcome = ConsentDecision | 'cancelled';

/**
 * Who decides, on this machine, whether a shell may open: the person at the
 * keyboard (attended, ConsentQueue) or the local policy file (managed, PolicyConsent).
 */
export interface ConsentAuthority {
  /** Resolves with the decision for this request (or `cancelled` when it was withdrawn). */
  ask(request: ConsentRequest): Promise<ConsentOutcome>;
  /** Withdraws the request for a channel. */
  cancel(channel: number, why: string): void;
  /** Withdraws every request. */
  cancelAll(why: string): void;
}

interface Waiting {
  readonly request: ConsentRequest;
  readonly settle: (outcome: ConsentOutcome) => void;
}

interface Showing extends Waiting {
  readonly question: PendingQuestion;
  readonly timer: NodeJS.Timeout;
}

/** The words of the question: who asks, for what, as which local user and shell, and the default. */
export function consentQuestion(request: ConsentRequest, timeoutSeconds: number, interactive: boolean): string {
  const who = `${request.requestedBy.name} (${request.requestedBy.username})`;
  const how = interactive ? words('howKey') : words('howLine');
  const asked = request.takeover
    ? takeoverQuestion(request, who)
    : request.file
    ? request.file.asked
    : request.script
    ? [
        words('askScript', { who, name: request.script.name, interpreter: request.script.interpreter }),
        words('askScriptUnattended', { user: request.localUser }),
      ]
    : [
        words('askShell', { who }),
        words('askShellPower', { user: request.localUser, shell: request.shell }),
        ...(request.recorded === true ? [words('askShellRecorded')] : []),
      ];
  return ['', '──────────────────────────────────────────────────────────────', ...asked, how, words('askTimeout', { seconds: timeoutSeconds }), words('askPrompt')].join('\n');
}

export class ConsentQueue implements ConsentAuthority {
  private readonly queue: Waiting[] = [];
  private showing: Showing | null = null;
  private held = true;

  constructor(private readonly terminal: PersonTerminal, private readonly timeoutMs: number) {}

  /** Questions wait until release(), so none appears before the person has read who is connected. */
  release(): void {
    this.held = false;
    this.showNext();
  }

  /** Queues a question; resolves with the person's decision (or `cancelled`). */
  ask(request: ConsentRequest): Promise<ConsentOutcome> {
    return new Promise((settle) => {
      this.queue.push({ request, settle });
      this.showNext();
    });
  }

  /** True when a question for this channel is shown or waiting. */
  has(channel: number): boolean {
    return this.showing?.request.channel === channel || this.queue.some((w) => w.request.channel === channel);
  }

  /** Questions shown or waiting. */
  get size(): number {
    return this.queue.length + (this.showing ? 1 : 0);
  }

  /** Withdraws the question for a channel (the technician gave up, or the link dropped). */
  cancel(channel: number, why: string): void {
    const index = this.queue.findIndex((w) => w.request.channel === channel);
    if (index !== -1) this.queue.splice(index, 1)[0]?.settle('cancelled');
    if (this.showing?.request.channel === channel) this.finish('cancelled', why);
  }

  /** Withdraws every question. */
  cancelAll(why: string): void {
    for (const waiting of this.queue.splice(0)) waiting.settle('cancelled');
    if (this.showing) this.finish('cancelled', why);
  }

  private showNext(): void {
    if (this.held || this.showing) return;
    const next = this.queue.shift();
    if (!next) return;
    const question = this.terminal.ask(consentQuestion(next.request, Math.round(this.timeoutMs / 1000), this.terminal.interactive));
    const timer = setTimeout(() => this.finish('timeout'), this.timeoutMs);
    const showing: Showing = { ...next, question, timer };
    this.showing = showing;
    void question.answer.then((yes) => {
      if (this.showing === showing) this.finish(yes ? 'granted' : 'declined');
    });
  }

  private finish(outcome: ConsentOutcome, why = ''): void {
    const showing = this.showing;
    if (!showing) return;
    this.showing = null;
    clearTimeout(showing.timer);
    showing.question.cancel();
    // The next question (if any) keeps the question screen; otherwise the mirrored shell comes back under the answer.
    const more = !this.held && this.queue.length > 0;
    this.terminal.answered(outcomeLine(outcome, Math.round(this.timeoutMs / 1000), why, showing.request), more);
    showing.settle(outcome);
    // Let the session act on this answer (banner, spawn) before the next question is printed.
    setImmediate(() => this.showNext());
  }
}

function outcomeLine(outcome: ConsentOutcome, timeoutSeconds: number, why: string, request: ConsentRequest): string {
  if (request.takeover) return takeoverOutcomeLine(outcome, timeoutSeconds, request);
  switch (outcome) {
    case 'granted':
      return request.file ? request.file.granted : request.script ? words('grantedScript') : words('grantedShell');
    case 'declined':
      return request.file ? request.file.refused(outcome, timeoutSeconds) : words('declined');
    case 'timeout':
      return request.file ? request.file.refused(outcome, timeoutSeconds) : words('timedOut', { seconds: timeoutSeconds });
    case 'refused-by-policy':
      return request.file ? request.file.refused(outcome, timeoutSeconds) : words('refusedByPolicy');
    case 'cancelled':
      return why ? words('withdrawnWhy', { why }) : words('withdrawn');
  }
}
