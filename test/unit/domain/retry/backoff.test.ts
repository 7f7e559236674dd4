import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from '../../../../shared/domain/retry/backoff';

const policy: BackoffPolicy = { baseMs: 250, maxMs: 4_000 };
const always = (value: number) => () => value;

describe('backoffDelay', () => {
  it.each([
    // attempt, random, full jitter, equal jitter (ceiling 250 · 2^(attempt-1), at most 4000)
    [1, 0, 0, 125],
    [1, 1, 250, 250],
    [1, 0.5, 125, 188],
    [2, 1, 500, 500],
    [3, 0, 0, 500],
    [3, 1, 1_000, 1_000],
    [5, 1, 4_000, 4_000],
    [6, 1, 4_000, 4_000],
    [6, 0, 0, 2_000],
    [40, 0.25, 1_000, 2_500],
  ])('attempt %i with random %d waits %i ms (full) or %i ms (equal)', (attempt, random, full, equal) => {
    expect(backoffDelay(attempt, policy, always(random))).toBe(full);
    expect(backoffDelay(attempt, policy, always(random), 'full')).toBe(full);
    expect(backoffDelay(attempt, policy, always(random), 'equal')).toBe(equal);
  });

  it('treats attempts below 1 as the first', () => {
    expect(backoffDelay(0, policy, always(1))).toBe(250);
    expect(backoffDelay(-3, policy, always(1), 'equal')).toBe(250);
  });

  it('stays finite and capped for absurd attempt numbers', () => {
    expect(backoffDelay(10_000, policy, always(1))).toBe(4_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, policy, always(0), 'equal')).toBe(2_000);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffDelay(3, policy, always(7))).toBe(1_000);
    expect(backoffDelay(3, policy, always(-1))).toBe(0);
    expect(backoffDelay(3, policy, always(-1), 'equal')).toBe(500);
  });

  it('keeps full jitter in [0, ceiling] and equal jitter in [ceiling/2, ceiling] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, baseMs, maxMs, random) => {
          const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          const full = backoffDelay(attempt, { baseMs, maxMs }, always(random), 'full');
          const equal = backoffDelay(attempt, { baseMs, maxMs }, always(random), 'equal');
          expect(full).toBeGreaterThanOrEqual(0);
          expect(full).toBeLessThanOrEqual(Math.round(ceiling));
          expect(equal).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(equal).toBeLessThanOrEqual(Math.round(ceiling));
        },
      ),
    );
  });

  it('grows the ceiling by doubling until the cap', () => {
    const ceilings = Array.from({ length: 8 }, (_, i) => backoffDelay(i + 1, policy, always(1)));
    expect(ceilings).toEqual([250, 500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
  });
});
