import type { QueueContract } from '../../domain/messages/queue-contract';
import type { AttemptRecord, OutcomeSummary } from '../../domain/trace/trace-records';
import type { ConsumeResult } from './queue-consumer';

/** What the runner's run of one message came to; `error`: the runner itself threw (the host retries). */
export type RunResult<O> = ConsumeResult<O> | { kind: 'error'; reason: string };

/**
 * The trace record of one run of a queue message: the action, its target, the attempt and what came of
 * it, with the contract's summary of a done outcome (commit, pull request, run, card). Undefined for a
 * message that names no dedupe key (nothing to file it under).
 */
export function attemptRecord<M, O>(
  contract: QueueContract<M, O>,
  body: unknown,
  result: RunResult<O>,
  now: Date,
): AttemptRecord | undefined {
  const parsed = contract.schema.safeParse(body);
  const message = parsed.success ? parsed.data : undefined;
  const dedupeKey = (message !== undefined ? contract.traceKey?.(message) : undefined) ?? dedupeKeyOf(body);
  if (dedupeKey === undefined) return undefined;
  const target = message !== undefined && contract.target ? contract.target(message) : undefined;
  const base = {
    dedupeKey,
    at: now.toISOString(),
    queue: contract.queue,
    action: contract.action,
    subject: message !== undefined ? contract.describe(message) : `a message on ${contract.queue}`,
    ...(target ? { target } : {}),
  };
  switch (result.kind) {
    case 'done': {
      const summary = message !== undefined ? summarize(contract, result.outcome, message) : undefined;
      return { ...base, attempt: result.attempt, result: 'done', ...(summary ? { summary } : {}) };
    }
    case 'deferred':
    case 'retrying':
      return {
        ...base,
        attempt: result.attempt,
        result: result.kind,
        reason: result.reason,
        delayMs: result.delayMs,
      };
    case 'parked':
      return { ...base, attempt: result.attempt, result: 'parked', reason: result.reason };
    case 'unreadable':
    case 'error':
      return { ...base, result: result.kind, reason: result.reason };
  }
}

function summarize<M, O>(contract: QueueContract<M, O>, outcome: O, message: M): OutcomeSummary | undefined {
  try {
    return contract.summarize?.(outcome, message);
  } catch (error) {
    // A summary is a courtesy: the action is done whatever it says.
    return { kind: 'done', text: `(no summary: ${String(error)})` };
  }
}

function dedupeKeyOf(body: unknown): string | undefined {
  const key =
    typeof body === 'object' && body !== null ? (body as { dedupeKey?: unknown }).dedupeKey : undefined;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}
