/**
 * Consent on a managed device: the local policy file decides, read afresh for
 * each request so a tightened policy applies at once. `allow` opens without a
 * question (and says so in the log), `deny` refuses, `ask` asks the person only
 * when one is at a terminal — otherwise it refuses. Every refusal is reported
 * as `refused-by-policy`, so the technician knows no person said no.
 */
import type { ConsentAuthority, ConsentOutcome, ConsentQueue, ConsentRequest } from './consent.js';
import { policyVerdict, type PolicyRead } from './local-policy.js';

export interface PolicyConsentParts {
  readonly readPolicy: () => PolicyRead;
  /** The person's questions when someone is at a terminal (stdin is a TTY); null for a service. */
  readonly person: ConsentQueue | null;
  /** One line per decision, for the service's log. */
  readonly log: (line: string) => void;
}

export class PolicyConsent implements ConsentAuthority {
  constructor(private readonly parts: PolicyConsentParts) {}

  async ask(request: ConsentRequest): Promise<ConsentOutcome> {
    const { log, person } = this.parts;
    const who = `${request.requestedBy.name} (${request.requestedBy.username})`;
    const read = this.parts.readPolicy();
    if (!read.ok) {
      log(`Refused a remote shell for ${who}: the policy file cannot be used (${read.message}), so nothing is allowed.`);
      return 'refused-by-policy';
    }
    switch (policyVerdict(read.policy, 'shell', person !== null)) {
      case 'allow':
        log(`Opening a remote shell for ${who} without asking: the local policy allows shells (shell: allow).`);
        return 'granted';
      case 'ask-person':
        log(`The local policy says to ask before a remote shell (shell: ask); asking the person at this terminal.`);
        return person!.ask(request);
      case 'refuse':
        log(
          read.policy.shell === 'deny'
            ? `Refused a remote shell for ${who}: the local policy denies shells (shell: deny).`
            : `Refused a remote shell for ${who}: the local policy says ask (shell: ask), and nobody is at a terminal to answer.`,
        );
        return 'refused-by-policy';
    }
  }

  cancel(channel: number, why: string): void {
    this.parts.person?.cancel(channel, why);
  }

  cancelAll(why: string): void {
    this.parts.person?.cancelAll(why);
  }
}
