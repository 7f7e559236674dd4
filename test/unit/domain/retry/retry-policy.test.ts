import { describe, expect, it } from 'vitest';
import {
  decideRetry,
  defaultRetryPolicy,
  describeMs,
  type RetryPolicy,
} from '../../../../shared/domain/retry/retry-policy';

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 20_000, withinMs: 120_000 };
const first = new Date('2026-12-01T10:00:00.000Z');
const after = (ms: number) => new Date(first.getTime() + ms);

describe('decideRetry', () => {
  it.each([
    // attempt, random, retryAfterMs → delay
    [1, 1, undefined, 1_000],
    [1, 0, undefined, 500],
    [2, 1, undefined, 2_000],
    [3, 0.5, undefined, 3_000],
    [5, 1, undefined, 16_000],
    [5, 1, 19_000, 19_000],
    [2, 1, 60_000, 20_000],
    [1, 0, 0, 500],
  ])('attempt %i (random %f, Retry-After %s) waits %i ms', (attempt, random, retryAfterMs, delay) => {
    expect(
      decideRetry({
        policy,
        attempt,
        firstAttemptAt: first,
        now: first,
        random: () => random,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      }),
    ).toEqual({ kind: 'retry', delayMs: delay, nextAttempt: attempt + 1 });
  });

  it('gives up after maxAttempts', () => {
    expect(decideRetry({ policy, attempt: 6, firstAttemptAt: first, now: first, random: () => 0 })).toEqual({
      kind: 'give-up',
      reason: 'all 6 attempts failed',
    });
  });

  it('gives up when the next attempt would start after the time budget', () => {
    const decision = decideRetry({
      policy,
      attempt: 2,
      firstAttemptAt: first,
      now: after(119_000),
      random: () => 1,
    });
    expect(decision).toEqual({
      kind: 'give-up',
      reason: expect.stringMatching(/retry budget of 2 min is spent/),
    });
  });

  it('with the defaults, outlasts an outage of an hour even with the shortest jitter', () => {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const decision = decideRetry({
        policy: defaultRetryPolicy,
        attempt,
        firstAttemptAt: first,
        now: after(waited),
        random: () => 0,
      });
      if (decision.kind === 'give-up') break;
      waited += decision.delayMs;
    }
    expect(waited).toBeGreaterThan(60 * 60_000);
    expect(waited).toBeLessThanOrEqual(defaultRetryPolicy.withinMs);
  });

  it('with the defaults, tries again soon after a short outage ends', () => {
    let waited = 0;
    for (let attempt = 1; waited < 90_000; attempt++) {
      const decision = decideRetry({
        policy: defaultRetryPolicy,
        attempt,
        firstAttemptAt: first,
        now: after(waited),
        random: () => 1,
      });
      expect(decision.kind).toBe('retry');
      if (decision.kind === 'retry') waited += decision.delayMs;
    }
    // The first attempt after a 90 s outage comes within a few minutes, not an hour later.
    expect(waited).toBeLessThan(4 * 60_000);
  });
});

describe('describeMs', () => {
  it.each([
    [250, '250 ms'],
    [1_500, '1.5 s'],
    [90_000, '1.5 min'],
    [5_400_000, '1.5 h'],
  ])('%i ms reads %s', (ms, text) => {
    expect(describeMs(ms)).toBe(text);
  });
});
