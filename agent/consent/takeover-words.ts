/** The words of a take-over question (a second technician asks for the keyboard of an open shell) and of its answer. */
import { agentWords } from '../cli/agent-language.js';
import { sharingCatalog } from '../person/sharing-catalog.js';
import type { ConsentOutcome, ConsentRequest } from './consent.js';

const words = agentWords(sharingCatalog);

const named = (p: { name: string; username: string }): string => `${p.name} (${p.username})`;

/** Who asks, whose keyboard it is, and what saying yes does. */
export function takeoverQuestion(request: ConsentRequest, who: string): string[] {
  const holder = named(request.takeover!.holder);
  return [words('askTakeover', { who, holder }), words('askTakeoverPower', { who, holder, user: request.localUser })];
}

export function takeoverOutcomeLine(outcome: ConsentOutcome, timeoutSeconds: number, request: ConsentRequest): string {
  const who = named(request.requestedBy);
  const holder = named(request.takeover!.holder);
  switch (outcome) {
    case 'granted':
      return words('grantedTakeover', { who });
    case 'declined':
      return words('declinedTakeover', { holder });
    case 'timeout':
      return words('timedOutTakeover', { seconds: timeoutSeconds, holder });
    case 'refused-by-policy':
      return words('refusedTakeoverByPolicy', { holder });
    case 'cancelled':
      return words('withdrawnTakeover', { holder });
  }
}
