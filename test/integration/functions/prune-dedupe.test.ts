import { InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneDedupe } from '../../../functions/prune-dedupe';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { startTestAzurite } from '../../helpers/azurite';
import { useTestRuntime } from '../../helpers/runtime';

const day = 24 * 60 * 60_000;
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
let azurite: AzuriteHandle;
const logs: string[] = [];
const context = () =>
  new InvocationContext({
    invocationId: 'prune',
    functionName: 'pruneDedupe',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });

beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(() => azurite?.stop());

/** A runtime whose clock reads `offsetMs` from now, over the shared Azurite (no config file: 1-day window). */
const runtimeAt = (offsetMs: number) =>
  useTestRuntime(
    { AzureWebJobsStorage: azurite.connectionString, AUTOPILOT_CONFIG: '/nonexistent/autopilot.yaml' },
    { clock: () => new Date(Date.now() + offsetMs) },
  );

describe('pruneDedupe (Azurite)', () => {
  it('keeps records younger than the dedupe window plus a day, and deletes older ones', async () => {
    const runtime = await runtimeAt(0);
    for (const key of ['a', 'b', 'c']) {
      expect(await runtime.dedupe.claim('ingress', key, { now: new Date(), windowMs: day })).toBe('claimed');
      await runtime.dedupe.complete('ingress', key, { now: new Date(), actions: 1 });
    }

    await pruneDedupe(timer, context());
    expect(logs.at(-1)).toMatch(/^information pruned 0 dedupe record\(s\) written before /);
    expect(await runtime.dedupe.claim('ingress', 'a', { now: new Date(), windowMs: day })).toBe('duplicate');

    // Two days and a minute later (window 1 day + 1 day of slack), all three are past the cutoff.
    await runtimeAt(2 * day + 60_000);
    await pruneDedupe(timer, context());
    expect(logs.at(-1)).toMatch(/^information pruned 3 dedupe record\(s\) written before /);
    expect(await runtime.dedupe.claim('ingress', 'a', { now: new Date(), windowMs: day })).toBe('claimed');
  });
});
