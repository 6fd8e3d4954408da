/**
 * Consent on a managed device: the local policy file decides, read afresh for
 * each request so a tightened policy applies at once. `allow` opens without a
 * question (and says so in the log), `deny` refuses, `ask` asks the person only
 * when one is at a terminal — otherwise it refuses. Every refusal is reported
 * as `refused-by-policy`, so the technician knows no person said no.
 */
import type { ConsentAuthority, ConsentOutcome, ConsentQueue, ConsentRequest } from './consent.js';
import { policyVerdict, type PolicyRead } from './local-policy.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

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
      log(words('shellRefusedPolicyUnusable', { who, problem: read.message }));
      return 'refused-by-policy';
    }
    switch (policyVerdict(read.policy, 'shell', person !== null)) {
      case 'allow':
        log(words('shellAllowed', { who }));
        return 'granted';
      case 'ask-person':
        log(words('shellAsking'));
        return person!.ask(request);
      case 'refuse':
        log(
          read.policy.shell === 'deny' ? words('shellDenied', { who }) : words('shellNobodyToAsk', { who }),
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
