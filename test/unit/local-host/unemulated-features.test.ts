import { describe, expect, it } from 'vitest';
import type { LoadedApp, Registration } from '../../../shared/local-host/function-registry';
import { unemulatedFeatures } from '../../../shared/local-host/unemulated-features';

const fn = (
  name: string,
  trigger: Record<string, unknown>,
  extra: Partial<Registration> = {},
): Registration => ({
  name,
  trigger: { direction: 'in', type: 'httpTrigger', ...trigger },
  bindings: {},
  handler: () => undefined,
  ...extra,
});

const app = (registrations: Registration[], hooks: [string, number][] = []): LoadedApp => ({
  registrations,
  hooks: new Map(hooks.map(([name, count]) => [name, Array.from({ length: count }, () => () => undefined)])),
});

describe('unemulatedFeatures', () => {
  it('says nothing for an app that uses only what the local host does', () => {
    expect(unemulatedFeatures(app([fn('health', { route: 'health' })], [['appStart', 1]]), {})).toEqual([]);
  });

  it.each([
    [app([fn('get', { route: 'items/{id:int}' })]), {}, /get: route "items\/\{id:int\}" has constraints/],
    [app([fn('opt', { route: 'items/{id?}' })]), {}, /opt: route .* optional parameters/],
    [
      app([fn('q', { type: 'queueTrigger' }, { retryOptions: { strategy: 'fixedDelay' } })]),
      {},
      /q: trigger retry options/,
    ],
    [app([]), { functionTimeout: '00:05:00' }, /functionTimeout \(00:05:00\) is not enforced/],
    [app([], [['appTerminate', 1]]), {}, /app\.hook\.appTerminate is registered/],
  ])('names %#', (loaded, hostJson, note) => {
    expect(unemulatedFeatures(loaded, hostJson)).toEqual([expect.stringMatching(note)]);
  });
});
