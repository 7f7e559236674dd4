import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runQueueConsumer } from '../../../../shared/adapters/queue/queue-consumer';
import { DomainError, UpstreamError } from '../../../../shared/domain/errors';
import { deferral, type QueueContract } from '../../../../shared/domain/messages/queue-contract';
import type { RetryPolicy } from '../../../../shared/domain/retry/retry-policy';
import { captureLogger, memoryQueue } from '../../../helpers/fakes';
import { memoryTrace } from '../../../helpers/trace-records';

const now = new Date('2026-12-01T10:00:00.000Z');
const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000, withinMs: 3_600_000 };
const key = '0123456789abcdef0123456789abcdef';

const schema = z.strictObject({ type: z.literal('job'), dedupeKey: z.string(), target: z.string() });
type Job = z.infer<typeof schema>;
type Outcome = { kind: 'triggered'; runUrl: string } | ReturnType<typeof deferral>;

const contract: QueueContract<Job, Outcome> = {
  queue: 'deploy-requests',
  action: 'deploy',
  schema,
  describe: (job) => `deploy to "${job.target}"`,
  target: (job) => job.target,
  summarize: (outcome) =>
    outcome.kind === 'triggered'
      ? { kind: 'deployed', text: `run ${outcome.runUrl}`, links: { runUrl: outcome.runUrl } }
      : { kind: 'deferred', text: outcome.reason },
};
const job: Job = { type: 'job', dedupeKey: key, target: 'web' };

function run(
  useCase: () => Promise<Outcome>,
  options: { raw?: unknown; failingTrace?: boolean; failOn?: string } = {},
) {
  const trace = memoryTrace({ failing: options.failingTrace ?? false });
  const log = captureLogger();
  const queue = memoryQueue(options.failOn ? { failOn: options.failOn } : {});
  const result = runQueueConsumer(
    { queue, log, clock: () => now, random: () => 0.5, retry: policy, trace },
    contract,
    useCase,
    'raw' in options ? options.raw : job,
  );
  return { result, trace, log, queue };
}

const base = {
  dedupeKey: key,
  at: now.toISOString(),
  queue: 'deploy-requests',
  action: 'deploy',
  subject: 'deploy to "web"',
  target: 'web',
};

describe('runQueueConsumer trace records', () => {
  it('records a done run with the contract’s summary', async () => {
    const { result, trace } = run(async () => ({ kind: 'triggered', runUrl: 'https://ci/runs/1' }));
    await result;
    expect(trace.attemptRows).toEqual([
      {
        ...base,
        attempt: 1,
        result: 'done',
        summary: { kind: 'deployed', text: 'run https://ci/runs/1', links: { runUrl: 'https://ci/runs/1' } },
      },
    ]);
  });

  it('records a retry with its reason and delay, and the attempt that parked it', async () => {
    const failing = async (): Promise<Outcome> => {
      throw new UpstreamError('HTTP 503 from the target');
    };
    const first = run(failing);
    await first.result;
    const last = run(failing, {
      raw: { ...job, delivery: { attempt: 3, firstAttemptAt: now.toISOString() } },
    });
    await last.result;
    expect(first.trace.attemptRows).toEqual([
      { ...base, attempt: 1, result: 'retrying', reason: 'HTTP 503 from the target', delayMs: 1000 },
    ]);
    expect(last.trace.attemptRows).toEqual([
      {
        ...base,
        attempt: 3,
        result: 'parked',
        reason: expect.stringMatching(/^HTTP 503 from the target \(gave up: /),
      },
    ]);
  });

  it('records a refusal parked at once, and a deferral', async () => {
    const refused = run(async () => {
      throw new DomainError('config', 'HTTP 401: check GH_TOKEN');
    });
    await refused.result;
    expect(refused.trace.attemptRows[0]).toMatchObject({
      result: 'parked',
      attempt: 1,
      reason: 'HTTP 401: check GH_TOKEN',
    });

    const waiting = run(async () => deferral(10_000, 'waiting for eastus'));
    await waiting.result;
    expect(waiting.trace.attemptRows[0]).toMatchObject({
      result: 'deferred',
      reason: 'waiting for eastus',
      delayMs: 10_000,
    });
  });

  it('records an unreadable message under the dedupe key it names, and skips one without any', async () => {
    const unreadable = run(async () => ({ kind: 'triggered', runUrl: 'x' }), {
      raw: { type: 'job', dedupeKey: key },
    });
    await unreadable.result;
    expect(unreadable.trace.attemptRows).toEqual([
      {
        dedupeKey: key,
        at: now.toISOString(),
        queue: 'deploy-requests',
        action: 'deploy',
        subject: 'a message on deploy-requests',
        result: 'unreadable',
        reason: expect.stringMatching(/^unreadable message on deploy-requests: target:/),
      },
    ]);
    const keyless = run(async () => ({ kind: 'triggered', runUrl: 'x' }), { raw: 'not json' });
    await keyless.result;
    expect(keyless.trace.attemptRows).toEqual([]);
  });

  it('records a run that threw to the host, and still throws', async () => {
    const { result, trace } = run(
      async () => {
        throw new UpstreamError('HTTP 503');
      },
      { failOn: 'deploy-requests' },
    );
    await expect(result).rejects.toThrow(/deploy-requests is down/);
    expect(trace.attemptRows).toEqual([
      { ...base, result: 'error', reason: 'queue deploy-requests is down' },
    ]);
  });

  it('keeps the action’s result when the trace record cannot be written, with a warning', async () => {
    const { result, log } = run(async () => ({ kind: 'triggered', runUrl: 'https://ci/runs/1' }), {
      failingTrace: true,
    });
    expect(await result).toMatchObject({ kind: 'done', attempt: 1 });
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'could not write the trace record of deploy to "web": Error: the table is down',
    });
  });
});
