import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runQueueConsumer } from '../../../../shared/adapters/queue/queue-consumer';
import { ConfigError, UpstreamError } from '../../../../shared/domain/errors';
import { deferral, type QueueContract } from '../../../../shared/domain/messages/queue-contract';
import type { RetryPolicy } from '../../../../shared/domain/retry/retry-policy';
import { memoryQueue } from '../../../helpers/fakes';
import { fieldsLogger, recordingMetrics } from '../../../helpers/recording-metrics';

const now = new Date('2026-12-01T10:00:00.000Z');
const policy: RetryPolicy = { maxAttempts: 2, baseDelayMs: 1_000, maxDelayMs: 60_000, withinMs: 3_600_000 };

const schema = z.strictObject({
  type: z.literal('pin'),
  dedupeKey: z.string(),
  correlationId: z.string(),
});
type Pin = z.infer<typeof schema>;
const contract: QueueContract<Pin> = {
  queue: 'pin-requests',
  action: 'pin',
  schema,
  describe: (pin) => `pin ${pin.dedupeKey}`,
};
const message: Pin = { type: 'pin', dedupeKey: 'd-1', correlationId: 'evt-1' };

async function run(useCase: () => Promise<unknown>, raw: unknown = message) {
  const metrics = recordingMetrics();
  const log = fieldsLogger();
  const deps = { queue: memoryQueue(), log, metrics, clock: () => now, random: () => 0.5, retry: policy };
  const result = await runQueueConsumer(deps, contract, useCase, raw);
  return { result, metrics, log };
}

describe('runQueueConsumer: metrics and decision lines', () => {
  it('counts a success and logs it with the message correlation id and dedupe key', async () => {
    const { result, metrics, log } = await run(async () => 'ok');
    expect(result.kind).toBe('done');
    expect(metrics.counts).toEqual({ 'action pin succeeded': 1 });
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'pin d-1 succeeded',
        fields: { correlationId: 'evt-1', dedupeKey: 'd-1', action: 'pin' },
      },
    ]);
  });

  it('counts a failed attempt that is retried, then the one that is parked', async () => {
    const failing = async () => {
      throw new UpstreamError('git host unavailable');
    };
    const first = await run(failing);
    expect(first.result.kind).toBe('retrying');
    expect(first.metrics.counts).toEqual({ 'action pin failed': 1, 'action pin retried': 1 });
    expect(first.log.lines.at(-1)?.fields).toMatchObject({ correlationId: 'evt-1', dedupeKey: 'd-1' });

    const last = await run(failing, {
      ...message,
      delivery: { attempt: 2, firstAttemptAt: '2026-12-01T09:59:00.000Z' },
    });
    expect(last.result.kind).toBe('parked');
    expect(last.metrics.counts).toEqual({ 'action pin failed': 1, 'action pin parked': 1 });
    expect(last.log.lines.at(-1)).toMatchObject({ level: 'error', fields: { dedupeKey: 'd-1' } });
  });

  it('parks a failure retrying cannot fix at once, and an unreadable message without an attempt', async () => {
    const refused = await run(async () => {
      throw new ConfigError('gitops "fleet" is not in the config');
    });
    expect(refused.metrics.counts).toEqual({ 'action pin failed': 1, 'action pin parked': 1 });

    const unreadable = await run(async () => 'never', { type: 'pin', dedupeKey: 'd-2' });
    expect(unreadable.result.kind).toBe('unreadable');
    expect(unreadable.metrics.counts).toEqual({ 'action pin parked': 1 });
    expect(unreadable.log.lines.at(-1)?.fields).toEqual({
      correlationId: undefined,
      dedupeKey: 'd-2',
      action: 'pin',
    });
  });

  it('counts nothing for a deferral: waiting is not an outcome', async () => {
    const { result, metrics } = await run(async () => deferral(5_000, 'burst window open'));
    expect(result.kind).toBe('deferred');
    expect(metrics.counts).toEqual({});
  });
});
