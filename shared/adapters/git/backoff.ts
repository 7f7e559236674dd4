/** How long to wait before conflict retry number `attempt` (1 = the wait after the first failed push). */
export interface BackoffPolicy {
  /** Cap of the first wait, in milliseconds. */
  baseMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 250, maxMs: 4_000 };

/**
 * Exponential backoff with full jitter: a uniform pick in `[0, min(maxMs, baseMs * 2^(attempt-1))]`.
 * Full jitter spreads writers that lost the same race, so they do not collide again in lock step.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = defaultBackoff,
): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(1, Math.max(0, random())) * cap);
}
