/**
 * Consent on a managed device: the local policy file decides (`shell` for shells,
 * `files` for file transfers), read afresh for each request so a tightened policy applies at once. `allow` opens without a
 * question (and says so in the log), `deny` refuses, `ask` asks the person only
 * when one is at a terminal — otherwise it refuses. Every refusal is reported
 * as `refused-by-policy`, so the technician knows no person said no.
 */
import type { ConsentAuthority, ConsentOutcome, ConsentQueue, ConsentRequest } from './consent.js';
import { policyVerdict, type PolicyRead } from './local-policy.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

/** The service log's line for each verdict, for a shell and for a file. */
const SHELL_LINES = { unusable: 'shellRefusedPolicyUnusable', allowed: 'shellAllowed', asking: 'shellAsking', denied: 'shellDenied', nobody: 'shellNobodyToAsk' } as const;
const FILE_LINES = { unusable: 'fileRefusedPolicyUnusable', allowed: 'fileAllowed', asking: 'fileAsking', denied: 'fileDenied', nobody: 'fileNobodyToAsk' } as const;

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
    // A file transfer is governed by the policy's `files` entry, anything else here by `shell`.
    const action = request.file ? 'files' : 'shell';
    const say = request.file ? FILE_LINES : SHELL_LINES;
    const what = request.file?.what ?? '';
    const read = this.parts.readPolicy();
    if (!read.ok) {
      log(words(say.unusable, { who, what, problem: read.message }));
      return 'refused-by-policy';
    }
    switch (policyVerdict(read.policy, action, person !== null)) {
      case 'allow':
        log(words(say.allowed, { who, what }));
        return 'granted';
      case 'ask-person':
        log(words(say.asking, { what }));
        return person!.ask(request);
      case 'refuse':
        log((read.policy[action] ?? 'ask') === 'deny' ? words(say.denied, { who, what }) : words(say.nobody, { who, what }));
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
