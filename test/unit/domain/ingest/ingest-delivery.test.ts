import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { UpstreamError } from '../../../../shared/domain/errors';
import type { ParseOutcome } from '../../../../shared/domain/events/parse-outcome';
import { deliveryConcurrency, ingestDelivery } from '../../../../shared/domain/ingest/ingest-delivery';
import type { IngestDeps } from '../../../../shared/domain/ingest/ingest-event';
import type { QueueSender } from '../../../../shared/domain/ports';
import { captureLogger, memoryDedupe } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet }
`);

const push = (n: number): Extract<ParseOutcome, { kind: 'accepted' }> => ({
  kind: 'accepted',
  event: sampleEvent({ id: `e${n}`, tag: `1.0.${n}`, dedupeKey: n.toString(16).padStart(32, '0') }),
});

/** A queue whose sends take a few ms, recording the most sends in flight at once; `failAt` fails that send. */
function slowQueue(options: { failAt?: number } = {}) {
  const sent: string[] = [];
  let inFlight = 0;
  let attempts = 0;
  const queue: QueueSender & { sent: string[]; peak: number; attempts(): number } = {
    sent,
    peak: 0,
    attempts: () => attempts,
    async send(_queue, message) {
      const attempt = ++attempts;
      inFlight++;
      queue.peak = Math.max(queue.peak, inFlight);
      await sleep(3);
      inFlight--;
      if (attempt === options.failAt) throw new Error('queue is down');
      sent.push((message as { correlationId: string }).correlationId);
    },
  };
  return queue;
}

function deps(queue: QueueSender) {
  const log = captureLogger();
  const dedupe = memoryDedupe();
  const now = new Date('2026-11-25T10:00:00.000Z');
  return { log, dedupe, deps: { config, queue, dedupe, log, clock: () => now } satisfies IngestDeps };
}

describe('ingestDelivery', () => {
  it('ingests a batch several events at a time, never more than deliveryConcurrency', async () => {
    const queue = slowQueue();
    const { deps: d } = deps(queue);
    const batch = Array.from({ length: 100 }, (_, n) => push(n));
    const answer = await ingestDelivery(d, batch);
    expect(answer).toEqual({ kind: 'processed', accepted: 100, ignored: 0, invalid: [] });
    expect(new Set(queue.sent).size).toBe(100);
    expect(queue.peak).toBeGreaterThan(1);
    expect(queue.peak).toBeLessThanOrEqual(deliveryConcurrency);
  });

  it('logs invalid events, does not throw for them, and lists their problems in delivery order', async () => {
    const queue = slowQueue();
    const { deps: d, log } = deps(queue);
    const answer = await ingestDelivery(d, [
      { kind: 'invalid', eventId: 'bad-1', issues: [{ path: 'data.target', message: 'missing' }] },
      push(1),
      { kind: 'ignored', reason: 'a chart event', eventId: 'chart' },
      { kind: 'invalid', eventId: 'bad-2', issues: [{ path: 'data.action', message: 'unknown' }] },
    ]);
    expect(answer).toEqual({
      kind: 'processed',
      accepted: 1,
      ignored: 1,
      invalid: [
        { path: 'data.target', message: 'missing' },
        { path: 'data.action', message: 'unknown' },
      ],
    });
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringMatching(/bad-1.*not retried: data\.target/),
      expect.stringMatching(/bad-2.*not retried: data\.action/),
    ]);
  });

  it('fails the whole delivery on a storage failure, and its retry queues each event exactly once', async () => {
    const failing = slowQueue({ failAt: 20 });
    const { deps: d, dedupe } = deps(failing);
    const batch = Array.from({ length: 200 }, (_, n) => push(n));
    await expect(ingestDelivery(d, batch)).rejects.toBeInstanceOf(UpstreamError);
    // No event starts after the failure: only those already in flight finish.
    expect(failing.attempts()).toBeLessThan(20 + deliveryConcurrency);

    const retry = slowQueue();
    const answer = await ingestDelivery({ ...d, queue: retry, dedupe }, batch);
    expect(answer).toMatchObject({ kind: 'processed', accepted: 200 });
    expect([...failing.sent, ...retry.sent].sort()).toEqual(batch.map((_, n) => `e${n}`).sort());
  });

  it('answers a second event with the same dedupe key as a duplicate, not "in flight"', async () => {
    const queue = slowQueue();
    const { deps: d } = deps(queue);
    const twice = push(7);
    const answer = await ingestDelivery(d, [twice, push(8), { ...twice, region: 'westeurope' }]);
    expect(answer).toEqual({ kind: 'processed', accepted: 3, ignored: 0, invalid: [] });
    expect(queue.sent.sort()).toEqual(['e7', 'e8']);
  });
});
