import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runQueueConsumer } from '../../../../shared/adapters/queue/queue-consumer';
import { ConfigError, DomainError, RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import type { Notification } from '../../../../shared/domain/messages/action-messages';
import type { QueueContract } from '../../../../shared/domain/messages/queue-contract';
import type { RetryPolicy } from '../../../../shared/domain/retry/retry-policy';
import { captureLogger, memoryQueue } from '../../../helpers/fakes';

const now = new Date('2026-12-01T10:00:00.000Z');
const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 600_000, withinMs: 3_600_000 };

const messageSchema = z.strictObject({ type: z.literal('job'), id: z.string().min(1) });
type Job = z.infer<typeof messageSchema>;

const failedNote = (job: Job, failure: { error: string; attempts: number }): Notification => ({
  type: 'notify',
  dedupeKey: `${job.id}:failed`,
  correlationId: job.id,
  channel: 'platform',
  payload: {
    kind: 'failed',
    action: 'deploy',
    error: failure.error,
    attempts: failure.attempts,
    poisoned: true,
  },
});

const contract: QueueContract<Job> = {
  queue: 'deploy-requests',
  action: 'deploy',
  schema: messageSchema,
  describe: (job) => `job ${job.id}`,
  failed: (job, failure) => [failedNote(job, failure)],
};

const job: Job = { type: 'job', id: 'j1' };

function run(
  useCase: (message: Job) => Promise<unknown>,
  options: {
    raw?: unknown;
    triggerMetadata?: Record<string, unknown>;
    random?: number;
    failOn?: string;
  } = {},
) {
  const queue = memoryQueue(options.failOn === undefined ? {} : { failOn: options.failOn });
  const log = captureLogger();
  const delays: (number | undefined)[] = [];
  const recording = {
    send: async (name: string, message: unknown, sendOptions?: { delaySeconds?: number }) => {
      delays.push(sendOptions?.delaySeconds);
      await queue.send(name, message);
    },
  };
  const result = runQueueConsumer(
    { queue: recording, log, clock: () => now, random: () => options.random ?? 0.5, retry: policy },
    contract,
    useCase,
    'raw' in options ? options.raw : job,
    options.triggerMetadata,
  );
  return { result, queue, log, delays };
}

const at = (attempt: number, firstAttemptAt = '2026-12-01T09:59:00.000Z') => ({
  ...job,
  delivery: { attempt, firstAttemptAt },
});

describe('runQueueConsumer', () => {
  it('hands a valid message to the use case and reports its outcome', async () => {
    const seen: unknown[] = [];
    const { result, queue } = run(async () => (seen.push('ran'), { kind: 'triggered' }));
    expect(await result).toEqual({ kind: 'done', outcome: { kind: 'triggered' }, attempt: 1 });
    expect(seen).toEqual(['ran']);
    expect(queue.sent).toEqual([]);
  });

  it('strips its delivery field before validating, so a re-sent copy reads like the original', async () => {
    const received: Job[] = [];
    const { result } = run(async (message) => void received.push(message), { raw: at(3) });
    expect(await result).toMatchObject({ kind: 'done', attempt: 3 });
    expect(received).toEqual([job]);
  });

  it.each([
    ['retryable, no Retry-After', new UpstreamError('503 from the API'), undefined, 1, 10],
    [
      'retryable, Retry-After longer than the backoff',
      new UpstreamError('429', undefined, { retryAfterMs: 120_000 }),
      undefined,
      1,
      120,
    ],
    [
      'retryable, Retry-After beyond maxDelay',
      new UpstreamError('429', undefined, { retryAfterMs: 7_200_000 }),
      undefined,
      1,
      600,
    ],
    ['an unknown error counts as retryable', new TypeError('socket hang up'), undefined, 1, 10],
    ['a later attempt backs off further', new UpstreamError('503'), at(3), 3, 40],
    ['the backoff is capped at maxDelay', new UpstreamError('503'), at(4, '2026-12-01T09:50:00.000Z'), 4, 80],
  ])(
    're-queues %s with the next attempt and a growing delay',
    async (_name, error, raw, attempt, seconds) => {
      const { result, queue, delays, log } = run(
        async () => {
          throw error;
        },
        { random: 1, ...(raw === undefined ? {} : { raw }) },
      );
      expect(await result).toMatchObject({ kind: 'retrying', attempt, delayMs: seconds * 1000 });
      expect(queue.sent).toEqual([
        {
          queue: 'deploy-requests',
          message: { ...job, delivery: { attempt: attempt + 1, firstAttemptAt: expect.any(String) } },
        },
      ]);
      expect(delays).toEqual([seconds]);
      expect(log.lines.at(-1)).toMatchObject({
        level: 'warn',
        message: expect.stringMatching(`attempt ${attempt} of 5`),
      });
    },
  );

  it('keeps the first attempt time across re-sends, so the time budget counts from the start', async () => {
    const { result, queue } = run(
      async () => {
        throw new UpstreamError('503');
      },
      { raw: at(2, '2026-12-01T09:30:00.000Z') },
    );
    await result;
    expect(queue.sent[0]?.message).toMatchObject({
      delivery: { firstAttemptAt: '2026-12-01T09:30:00.000Z' },
    });
  });

  it('counts host-level redeliveries (the function threw) in the attempt number', async () => {
    const { result } = run(
      async () => {
        throw new UpstreamError('503');
      },
      { raw: at(2), triggerMetadata: { dequeueCount: 3 } },
    );
    expect(await result).toMatchObject({ kind: 'retrying', attempt: 4 });
  });

  it.each([
    ['a config error', new ConfigError('gitops repo "x" is not configured; add gitops.x')],
    ['a refusal', new RefusedError('GitHub answered 422: No ref found for: nope', { status: 422 })],
    ['a final domain error', new DomainError('invalid-message', 'bad template')],
  ])('parks %s at once, with exactly one failure notification per route', async (_name, error) => {
    const { result, queue, log } = run(async () => {
      throw error;
    });
    expect(await result).toEqual({ kind: 'parked', attempt: 1, reason: error.message });
    expect(queue.sent.map((sent) => sent.queue)).toEqual(['notifications', 'deploy-requests-poison']);
    expect(queue.sent[0]?.message).toMatchObject({
      payload: { kind: 'failed', error: error.message, attempts: 1, poisoned: true },
    });
    expect(queue.sent[1]?.message).toEqual({
      ...job,
      delivery: {
        attempt: 1,
        firstAttemptAt: now.toISOString(),
        parkedAt: now.toISOString(),
        reason: error.message,
      },
    });
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(
        /^job j1 failed: .*Moved to deploy-requests-poison \(retrying cannot help\); fix the cause, then replay it: acr-autopilot poison list deploy-requests, then acr-autopilot poison requeue deploy-requests --id <id>$/,
      ),
    });
  });

  it('parks a retryable failure on the last attempt, with one failure notification', async () => {
    const { result, queue } = run(
      async () => {
        throw new UpstreamError('503 from the API');
      },
      { raw: at(5) },
    );
    expect(await result).toMatchObject({ kind: 'parked', attempt: 5 });
    expect(queue.sent.map((sent) => sent.queue)).toEqual(['notifications', 'deploy-requests-poison']);
    expect((queue.sent[1]?.message as { delivery: { reason: string } }).delivery.reason).toBe(
      '503 from the API (gave up: all 5 attempts failed)',
    );
  });

  it('parks a retryable failure once the time budget is spent, even with attempts left', async () => {
    const { result } = run(
      async () => {
        throw new UpstreamError('503');
      },
      { raw: at(2, '2026-12-01T09:00:00.000Z') },
    );
    expect(await result).toMatchObject({
      kind: 'parked',
      attempt: 2,
      reason: expect.stringMatching(/retry budget of 1 h is spent/),
    });
  });

  it('parks an unreadable message at once, never running the use case, listing every problem', async () => {
    let ran = false;
    const raw = { type: 'job', id: '', extra: true };
    const { result, queue, log } = run(
      async () => {
        ran = true;
      },
      { raw },
    );
    expect(await result).toMatchObject({ kind: 'unreadable' });
    expect(ran).toBe(false);
    expect(queue.sent).toEqual([
      {
        queue: 'deploy-requests-poison',
        message: { ...raw, delivery: expect.objectContaining({ attempt: 1 }) },
      },
    ]);
    expect(log.all()).toMatch(/unreadable message on deploy-requests: id: .*; .*extra/);
  });

  it('names the replay command of an unreadable message by its dedupe key when it has one', async () => {
    const raw = { type: 'job', id: '', dedupeKey: '0c36936574fa27a43e677746139dde48' };
    const { result, log } = run(async () => undefined, { raw });
    expect(await result).toMatchObject({ kind: 'unreadable' });
    expect(log.lines.at(-1)?.message).toMatch(
      /; moved to deploy-requests-poison \(retrying cannot fix it\); after a fix, replay it: acr-autopilot poison requeue deploy-requests --id 0c36936574fa27a43e677746139dde48$/,
    );
  });

  it.each([['not json at all'], [42], [null]])('parks a message that is not an object (%s)', async (raw) => {
    const { result, queue } = run(async () => undefined, { raw });
    expect(await result).toMatchObject({ kind: 'unreadable' });
    expect(queue.sent[0]?.queue).toBe('deploy-requests-poison');
  });

  it('rethrows when the re-send fails, so the host retries the original and nothing is lost', async () => {
    const { result } = run(
      async () => {
        throw new UpstreamError('503');
      },
      { failOn: 'deploy-requests' },
    );
    await expect(result).rejects.toThrow('queue deploy-requests is down');
  });

  it('rethrows when parking fails, after the notification went out (it is dropped by key on the retry)', async () => {
    const { result, queue } = run(
      async () => {
        throw new ConfigError('bad');
      },
      { failOn: 'deploy-requests-poison' },
    );
    await expect(result).rejects.toThrow('queue deploy-requests-poison is down');
    expect(queue.sent.map((sent) => sent.queue)).toEqual(['notifications']);
  });
});
