/**
 * Reconnect delays: exponential backoff with jitter, so many agents (or consoles, after a
 * controller restart) do not reconnect in step. The agent's link and the browser's console
 * socket both use it.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay added or removed at random (0.3 = ±30 %). */
  readonly jitter: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 500, maxMs: 15_000, jitter: 0.3 });

/** The delay before reconnect attempt number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * factor));
}
