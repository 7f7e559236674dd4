import { z } from 'zod';
import { DomainError, formatIssuesInline, retryAfterOf } from '../../domain/errors';
import { queueNames } from '../../domain/messages/queues';
import { isDeferral, type QueueContract } from '../../domain/messages/queue-contract';
import { dedupeKeyOf, poisonQueueOf, replayCommand } from '../../domain/messages/replay-command';
import type {
  ActionOutcome,
  Clock,
  LogFields,
  Logger,
  Metrics,
  QueueSender,
  TraceRecorder,
} from '../../domain/ports';
import { decideRetry, describeMs, type RetryPolicy } from '../../domain/retry/retry-policy';
import { issuesFromZod } from '../../domain/zod-issues';
import { attemptRecord } from './trace-attempt';

export interface ConsumerDeps {
  queue: QueueSender;
  log: Logger;
  clock: Clock;
  random: () => number;
  /** The action's budget (`retry.<action>` in autopilot.yaml). */
  retry: RetryPolicy;
  /** Where each run's result is recorded for `acr-autopilot trace`; absent: not recorded. */
  trace?: TraceRecorder;
  /** Counts each run by action and outcome (succeeded, failed, retried, parked); absent: not counted. */
  metrics?: Metrics;
}

/** What the runner did with one message; functions ignore it, tests read it. */
export type ConsumeResult<O> =
  | { kind: 'done'; outcome: O; attempt: number }
  | { kind: 'deferred'; attempt: number; delayMs: number; reason: string }
  | { kind: 'retrying'; attempt: number; delayMs: number; reason: string }
  | { kind: 'parked'; attempt: number; reason: string }
  | { kind: 'unreadable'; reason: string };

/**
 * The runner's bookkeeping, carried in the message under `delivery`: which attempt the copy is, when the
 * first one started, and (on the poison queue) why and when it was parked. Stripped before validation.
 */
export const deliverySchema = z.object({
  attempt: z.number().int().min(1),
  firstAttemptAt: z.iso.datetime({ offset: true }),
  parkedAt: z.iso.datetime({ offset: true }).optional(),
  reason: z.string().optional(),
});
export type DeliveryState = z.infer<typeof deliverySchema>;

/**
 * The one queue-consumer runner: every queue-triggered function is `app.storageQueue` plus one call.
 *
 * 1. Reads the message: an unreadable one goes to `<queue>-poison` at once, every problem logged.
 * 2. Runs the use case. Its outcome means done (a `Deferral` outcome: not due yet, sent again after its
 *    delay without counting an attempt); a thrown error says whether a retry can help
 *    (`DomainError.retryable`; anything else counts as retryable).
 * 3. Retryable, within the action's budget: sends a copy with the next attempt number and a growing,
 *    jittered delay (never sooner than `Retry-After`) and returns, so the host deletes the original.
 *    The copy is sent first: if sending fails, the error reaches the host, which retries the original.
 * 4. Not retryable, or the budget is spent: the contract's `failed` notifications go out, then the message
 *    is parked on `<queue>-poison` with the reason, and the log line says how to replay it.
 *
 * Consumers are idempotent, so a copy that runs twice (the host retried after a failed delete) is harmless.
 */
export async function runQueueConsumer<M, O>(
  deps: ConsumerDeps,
  contract: QueueContract<M, O>,
  useCase: (message: M) => Promise<O>,
  raw: unknown,
  triggerMetadata?: Record<string, unknown>,
): Promise<ConsumeResult<O>> {
  const trace = deps.trace;
  if (!trace) return consume(deps, contract, useCase, raw, triggerMetadata);
  // Every run leaves one trace record; writing it can fail, the action's result stands.
  const record = async (result: Parameters<typeof attemptRecord>[2]) => {
    const entry = attemptRecord(contract, split(raw).body, result, deps.clock());
    if (!entry) return;
    await trace
      .attempt(entry)
      .catch((error: unknown) =>
        deps.log.warn(`could not write the trace record of ${entry.subject}: ${String(error)}`),
      );
  };
  let result: ConsumeResult<O>;
  try {
    result = await consume(deps, contract, useCase, raw, triggerMetadata);
  } catch (error) {
    await record({ kind: 'error', reason: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await record(result);
  return result;
}

async function consume<M, O>(
  deps: ConsumerDeps,
  contract: QueueContract<M, O>,
  useCase: (message: M) => Promise<O>,
  raw: unknown,
  triggerMetadata?: Record<string, unknown>,
): Promise<ConsumeResult<O>> {
  const poison = poisonQueueOf(contract.queue);
  const { body, delivery } = split(raw);
  const now = deps.clock();
  // A host-level redelivery (this function threw) adds to the attempt count of the copy it delivers.
  const attempt = (delivery?.attempt ?? 1) + Math.max(0, dequeueCountOf(triggerMetadata) - 1);
  const firstAttemptAt = delivery?.firstAttemptAt ?? insertionTimeOf(triggerMetadata) ?? now.toISOString();
  const fields = fieldsOf(body, contract.action);
  const count = (...outcomes: ActionOutcome[]) => {
    for (const outcome of outcomes) deps.metrics?.action(contract.action, outcome);
  };

  const parsed = contract.schema.safeParse(body);
  if (!parsed.success) {
    const reason = `unreadable message on ${contract.queue}: ${formatIssuesInline(issuesFromZod(parsed.error))}`;
    await deps.queue.send(
      poison,
      withDelivery(body, { attempt, firstAttemptAt, parkedAt: now.toISOString(), reason }),
    );
    deps.log.error(
      `${reason}; moved to ${poison} (retrying cannot fix it); after a fix, replay it: ` +
        replayCommand(contract.queue, dedupeKeyOf(body)),
      fields,
    );
    count('parked');
    return { kind: 'unreadable', reason };
  }
  const message = parsed.data;
  const what = contract.describe(message);

  try {
    const outcome = await useCase(message);
    if (isDeferral(outcome)) {
      // Not due yet: the same attempt again later (a failure before this one keeps its count).
      const delaySeconds = Math.ceil(outcome.delayMs / 1000);
      const again = attempt > 1 ? withDelivery(body, { attempt, firstAttemptAt }) : body;
      await deps.queue.send(contract.queue, again, { delaySeconds });
      deps.log.info(`${what}: ${outcome.reason}; again in ${describeMs(delaySeconds * 1000)}`, fields);
      return { kind: 'deferred', attempt, delayMs: delaySeconds * 1000, reason: outcome.reason };
    }
    deps.log.info(attempt > 1 ? `${what} succeeded on attempt ${attempt}` : `${what} succeeded`, fields);
    count('succeeded');
    return { kind: 'done', outcome, attempt };
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    const retryable = !(thrown instanceof DomainError) || thrown.retryable;
    if (retryable) {
      const decision = decideRetry({
        policy: deps.retry,
        attempt,
        firstAttemptAt: new Date(firstAttemptAt),
        now,
        random: deps.random,
        retryAfterMs: retryAfterOf(thrown),
      });
      if (decision.kind === 'retry') {
        const delaySeconds = Math.ceil(decision.delayMs / 1000);
        await deps.queue.send(
          contract.queue,
          withDelivery(body, { attempt: decision.nextAttempt, firstAttemptAt }),
          { delaySeconds },
        );
        deps.log.warn(
          `${what} failed (attempt ${attempt} of ${deps.retry.maxAttempts}): ${reason}; ` +
            `retrying in ${describeMs(delaySeconds * 1000)}`,
          fields,
        );
        count('failed', 'retried');
        return { kind: 'retrying', attempt, delayMs: delaySeconds * 1000, reason };
      }
      return park(`${reason} (gave up: ${decision.reason})`, 'it kept failing');
    }
    return park(reason, 'retrying cannot help');
  }

  async function park(reason: string, why: string): Promise<ConsumeResult<O>> {
    // Notifications first: if parking then fails, the host retries and the Teams consumer drops the
    // repeated cards by key; the other order could lose the report.
    const notes = contract.failed?.(message, { error: reason, attempts: attempt, parkedOn: poison }) ?? [];
    for (const note of notes) await deps.queue.send(queueNames.notify, note);
    await deps.queue.send(
      poison,
      withDelivery(body, { attempt, firstAttemptAt, parkedAt: deps.clock().toISOString(), reason }),
    );
    deps.log.error(
      `${what} failed: ${reason}. Moved to ${poison} (${why}); fix the cause, then replay it: ` +
        replayCommand(contract.queue, dedupeKeyOf(body)),
      fields,
    );
    count('failed', 'parked');
    return { kind: 'parked', attempt, reason };
  }
}

/** The log fields of a message: its event's correlation id and dedupe key (when it has them), the action. */
function fieldsOf(body: unknown, action: string): LogFields {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (field: unknown) => (typeof field === 'string' && field !== '' ? field : undefined);
  return { correlationId: text(value.correlationId), dedupeKey: text(value.dedupeKey), action };
}

/** The message without the runner's `delivery` field, and that field when it is readable. */
function split(raw: unknown): { body: unknown; delivery: DeliveryState | undefined } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return { body: raw, delivery: undefined };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('delivery' in value)) {
    return { body: value, delivery: undefined };
  }
  const { delivery, ...body } = value as Record<string, unknown>;
  const parsed = deliverySchema.safeParse(delivery);
  return { body, delivery: parsed.success ? parsed.data : undefined };
}

function withDelivery(body: unknown, delivery: DeliveryState): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? { ...body, delivery }
    : { body, delivery };
}

/** `triggerMetadata.dequeueCount`: receives of this copy of the message, 1 the first time. */
function dequeueCountOf(triggerMetadata: Record<string, unknown> | undefined): number {
  const value = Number(triggerMetadata?.dequeueCount ?? 1);
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : 1;
}

function insertionTimeOf(triggerMetadata: Record<string, unknown> | undefined): string | undefined {
  const value = triggerMetadata?.insertionTime;
  const time = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time.toISOString() : undefined;
}
