/**
 * Which controller address the link dials next, and after how long. Several
 * addresses are the nodes of one cluster (or the balancer and a node behind it):
 * a failed or lost connection moves on to the next address in order, wrapping
 * around, so a node that is down costs one attempt rather than the agent. The
 * delay is the one reconnect backoff, counted in rounds of the list: each
 * address gets one attempt per backoff step, and a welcome starts over from the
 * shortest delay. With one address this is exactly the single-controller backoff.
 */
import { RECONNECT_BACKOFF, backoffDelay, type BackoffPolicy } from '../../protocol/index.js';

/** More addresses than this is a mistake rather than a cluster. */
export const MAX_CONTROLLER_URLS = 8;

export class ControllerRotation {
  private index = 0;
  /** Attempts that failed since the last welcome. */
  private failures = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly policy: BackoffPolicy = RECONNECT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    if (urls.length === 0) throw new Error('at least one controller address is needed'); // i18n-ignore: a developer's assertion
  }

  /** The address to dial now. */
  get current(): string {
    return this.urls[this.index] as string;
  }

  /** The connection to the current address failed or was lost: moves to the next one and says how long to wait before dialling it. */
  failed(): number {
    const delay = backoffDelay(Math.floor(this.failures / this.urls.length), this.policy, this.random);
    this.failures += 1;
    this.index = (this.index + 1) % this.urls.length;
    return delay;
  }

  /** The current address welcomed us: the next loss starts from the shortest delay again (the address stays where it is). */
  succeeded(): void {
    this.failures = 0;
  }
}
