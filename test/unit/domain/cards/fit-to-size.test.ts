import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andMore, capItems, fitToSize, messageBytes } from '../../../../shared/domain/cards/fit-to-size';

describe('capItems', () => {
  it('shows up to the limit and counts the rest', () => {
    expect(capItems([1, 2, 3, 4], 2)).toEqual({ shown: [1, 2], hidden: 2 });
    expect(capItems([1, 2], Number.POSITIVE_INFINITY)).toEqual({ shown: [1, 2], hidden: 0 });
    expect(capItems([1, 2], 0)).toEqual({ shown: [], hidden: 2 });
  });
});

describe('andMore', () => {
  it('says how many were left out, singular or plural', () => {
    expect(andMore(0, 'file')).toEqual([]);
    expect(andMore(1, 'file')[0]?.text).toBe('… and 1 more file');
    expect(andMore(3, 'registry', 'registries')[0]?.text).toBe('… and 3 more registries');
  });
});

describe('fitToSize', () => {
  /** Two lists of different item sizes, like a card with files and skipped references. */
  const render = (a: number, b: number) => (limit: number) => ({
    a: capItems(
      Array.from({ length: a }, (_, i) => `item-${i}-${'x'.repeat(40)}`),
      limit,
    ),
    b: capItems(
      Array.from({ length: b }, (_, i) => `skip-${i}`),
      limit,
    ),
  });

  it('returns the full message when it fits', () => {
    expect(fitToSize(render(3, 3), 10_000)?.listLimit).toBe(Number.POSITIVE_INFINITY);
  });

  it('returns undefined when even empty lists do not fit', () => {
    expect(fitToSize(() => ({ big: 'x'.repeat(100) }), 50)).toBeUndefined();
  });

  it('finds the largest list limit that fits', () => {
    fc.assert(
      fc.property(fc.nat(300), fc.nat(300), fc.integer({ min: 60, max: 20_000 }), (a, b, maxBytes) => {
        const fitted = fitToSize(render(a, b), maxBytes);
        if (messageBytes(render(a, b)(0)) > maxBytes) return fitted === undefined;
        if (fitted === undefined) return false;
        if (messageBytes(fitted.message) > maxBytes) return false;
        const limit = fitted.listLimit;
        return limit === Number.POSITIVE_INFINITY || messageBytes(render(a, b)(limit + 1)) > maxBytes;
      }),
    );
  });
});
