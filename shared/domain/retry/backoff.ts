/** How a delay grows with the attempt number. */
export interface BackoffPolicy {
  /** The delay after the first failure (before jitter), in milliseconds. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
}

/**
 * Exponential backoff with jitter: the ceiling is `min(maxMs, baseMs * 2^(attempt-1))`.
 *
 * - `full` jitter picks uniformly in `[0, ceiling]`: best to spread writers that lost the same race.
 * - `equal` jitter picks in `[ceiling/2, ceiling]`: still spread, but never much shorter than the
 *   ceiling, so a retry schedule keeps its promised reach (an outage of an hour is outlasted).
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  jitter: 'full' | 'equal' = 'full',
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const pick = Math.min(1, Math.max(0, random()));
  return Math.round(jitter === 'full' ? pick * ceiling : ceiling / 2 + (pick * ceiling) / 2);
}
