import { describe, expect, it } from 'vitest';
import { decideRegionGate, normalizeRegion } from '../../../../shared/domain/deploy/region-gate';

const t0 = new Date('2026-11-25T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const tenMinutes = 600_000;

const gate = (arrivals: Record<string, Date>, nowSeconds: number, regions = ['westeurope', 'northeurope']) =>
  decideRegionGate({ regions, arrivals, firstSeenAt: t0, now: at(nowSeconds), timeoutMs: tenMinutes });

describe('decideRegionGate', () => {
  it.each([
    ['no regions configured', [], {}],
    ['one region configured', ['westeurope'], { westeurope: t0 }],
  ])('fires at once with %s', (_name, regions, arrivals) => {
    expect(gate(arrivals, 0, regions)).toEqual({ kind: 'fire' });
  });

  it('fires when regions is absent', () => {
    expect(
      decideRegionGate({ regions: undefined, arrivals: {}, firstSeenAt: t0, now: t0, timeoutMs: tenMinutes }),
    ).toEqual({ kind: 'fire' });
  });

  it.each([
    ['West Europe first', 'westeurope', 'northeurope'],
    ['North Europe first', 'northeurope', 'westeurope'],
  ])('waits for the second region, then fires: %s', (_name, first, second) => {
    expect(gate({ [first]: t0 }, 0)).toEqual({ kind: 'wait', missing: [second], until: at(600) });
    expect(gate({ [first]: t0, [second]: at(40) }, 40)).toEqual({ kind: 'fire' });
  });

  it('compares region names however they are spelled', () => {
    expect(gate({ 'West Europe': t0, NorthEurope: at(3) }, 3)).toEqual({ kind: 'fire' });
    expect(gate({ westeurope: t0 }, 3, ['West Europe'])).toEqual({ kind: 'fire' });
  });

  it.each([
    [599, 'wait'],
    [600, 'fire-with-warning'],
    [601, 'fire-with-warning'],
  ])('with one region missing at %is after the first delivery: %s', (seconds, kind) => {
    expect(gate({ westeurope: t0 }, seconds).kind).toBe(kind);
  });

  it('names the missing regions and the timeout in the warning', () => {
    expect(gate({}, 600, ['West Europe', 'northeurope'])).toEqual({
      kind: 'fire-with-warning',
      missing: ['West Europe', 'northeurope'],
      warning: expect.stringMatching(
        /^the image was not seen in West Europe, northeurope within 10m of the push/,
      ),
    });
  });

  it('ignores arrivals from regions the target does not list', () => {
    expect(gate({ eastus: t0 }, 0, ['westeurope'])).toMatchObject({ kind: 'wait', missing: ['westeurope'] });
  });
});

describe('normalizeRegion', () => {
  it.each([
    ['West Europe', 'westeurope'],
    ['westeurope', 'westeurope'],
    ['  WestEurope ', 'westeurope'],
    ['West US 2', 'westus2'],
  ])('%j → %j', (name, expected) => {
    expect(normalizeRegion(name)).toBe(expected);
  });
});
