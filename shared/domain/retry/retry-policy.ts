import { backoffDelay } from './backoff';

/**
 * How long an action keeps trying after failures a retry can fix (autopilot.yaml `retry.<action>`).
 * The defaults outlast an outage of several hours: 20 attempts, 5 s doubling to 15 min, within 24 h.
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The delay after the first failure, before jitter. */
  baseDelayMs: number;
  /** No single delay is longer, whatever `Retry-After` asks for. */
  maxDelayMs: number;
  /** No attempt starts later than this after the first one. */
  withinMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 20,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  withinMs: 24 * 60 * 60_000,
};

/** Storage queues keep a message invisible at most 7 days (Put Message `visibilitytimeout`). */
export const maxQueueDelayMs = 7 * 24 * 60 * 60_000;

export interface RetryInput {
  policy: RetryPolicy;
  /** The attempt that just failed, 1 for the first. */
  attempt: number;
  firstAttemptAt: Date;
  now: Date;
  /** What the failing service asked for (`Retry-After`), if it did. */
  retryAfterMs?: number | undefined;
  random: () => number;
}

export type RetryDecision =
  { kind: 'retry'; delayMs: number; nextAttempt: number } | { kind: 'give-up'; reason: string };

/**
 * Whether to try again after a retryable failure, and when: jittered exponential backoff, never
 * sooner than `Retry-After`, never later than `maxDelayMs`, and only while both the attempt count and
 * the time budget last.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { policy, attempt } = input;
  if (attempt >= policy.maxAttempts) {
    return { kind: 'give-up', reason: `all ${policy.maxAttempts} attempts failed` };
  }
  const backoff = backoffDelay(
    attempt,
    { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs },
    input.random,
    'equal',
  );
  const delayMs = Math.min(Math.max(backoff, input.retryAfterMs ?? 0), policy.maxDelayMs, maxQueueDelayMs);
  const elapsed = input.now.getTime() - input.firstAttemptAt.getTime();
  if (elapsed + delayMs > policy.withinMs) {
    return {
      kind: 'give-up',
      reason: `the retry budget of ${describeMs(policy.withinMs)} is spent (${attempt} attempt(s) over ${describeMs(elapsed)})`,
    };
  }
  return { kind: 'retry', delayMs, nextAttempt: attempt + 1 };
}

/** `90 ms`, `45 s`, `12 min`, `3.5 h`: for log lines and failure cards. */
export function describeMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
