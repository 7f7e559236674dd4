import pLimit from 'p-limit';
import { formatIssuesInline, InvalidEventError, type Issue } from '../errors';
import type { ParseOutcome } from '../events/parse-outcome';
import { ingestOutcome } from './ingest-outcome';
import type { IngestDeps } from './ingest-event';
import type { Delivery } from './record-arrival';

export type DeliveryAnswer =
  | { kind: 'validation'; validationCode: string }
  | { kind: 'processed'; accepted: number; ignored: number; invalid: Issue[] };

/** Events of one delivery in flight at once: each waits on a few storage round trips. */
export const deliveryConcurrency = 16;

/**
 * One Event Grid delivery (one event or a batch), after parsing: a subscription validation is answered,
 * every other event goes through the same ingest path as the Event Grid trigger and the ACR webhook,
 * up to `deliveryConcurrency` at once (events with the same dedupe key, e.g. one push reported by two
 * replica regions, one after the other, so the later one is a duplicate rather than "in flight").
 * An invalid event is logged with its problems and not retried (retrying cannot fix it); a storage
 * failure starts no further event and is thrown once the events in flight are done, so the whole
 * delivery is retried and the events already queued are dropped as duplicates.
 */
export async function ingestDelivery(
  deps: IngestDeps,
  outcomes: readonly ParseOutcome[],
  delivery: Delivery = {},
): Promise<DeliveryAnswer> {
  const validation = outcomes.find((outcome) => outcome.kind === 'validation');
  if (validation) return { kind: 'validation', validationCode: validation.validationCode };
  const answers: (
    { kind: 'accepted' } | { kind: 'ignored' } | { kind: 'invalid'; issues: readonly Issue[] }
  )[] = [];
  let failure: { error: unknown } | undefined;
  const ingest = async (index: number) => {
    const outcome = outcomes[index] as ParseOutcome;
    try {
      const answer = await ingestOutcome(deps, outcome, 'Event Grid', delivery);
      answers[index] = answer.kind === 'accepted' ? { kind: 'accepted' } : { kind: 'ignored' };
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      deps.log.warn(`${error.message}; not retried: ${formatIssuesInline(error.issues)}`);
      answers[index] = { kind: 'invalid', issues: error.issues };
    }
  };
  const limit = pLimit(deliveryConcurrency);
  await Promise.all(
    sameKeyRuns(outcomes).map((run) =>
      limit(async () => {
        for (const index of run) {
          if (failure) return;
          await ingest(index).catch((error: unknown) => {
            failure ??= { error };
          });
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  let accepted = 0;
  let ignored = 0;
  const invalid: Issue[] = [];
  for (const answer of answers) {
    if (answer.kind === 'accepted') accepted++;
    else if (answer.kind === 'ignored') ignored++;
    else invalid.push(...answer.issues);
  }
  return { kind: 'processed', accepted, ignored, invalid };
}

/** Indexes of the outcomes, in runs that share a dedupe key (in delivery order); one run per other event. */
function sameKeyRuns(outcomes: readonly ParseOutcome[]): number[][] {
  const runs: number[][] = [];
  const byKey = new Map<string, number[]>();
  outcomes.forEach((outcome, index) => {
    if (outcome.kind !== 'accepted') return void runs.push([index]);
    const run = byKey.get(outcome.event.dedupeKey);
    if (run) return void run.push(index);
    const fresh = [index];
    byKey.set(outcome.event.dedupeKey, fresh);
    runs.push(fresh);
  });
  return runs;
}
