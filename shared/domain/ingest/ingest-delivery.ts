import { formatIssuesInline, InvalidEventError, type Issue } from '../errors';
import type { ParseOutcome } from '../events/parse-outcome';
import { ingestOutcome } from './ingest-outcome';
import type { IngestDeps } from './ingest-event';

export type DeliveryAnswer =
  | { kind: 'validation'; validationCode: string }
  | { kind: 'processed'; accepted: number; ignored: number; invalid: Issue[] };

/**
 * One Event Grid delivery (one event or a batch), after parsing: a subscription validation is answered,
 * every other event goes through the same ingest path as the Event Grid trigger and the ACR webhook.
 * An invalid event is logged with its problems and not retried (retrying cannot fix it); a storage
 * failure is thrown, so the whole delivery is retried and the events already queued are dropped as
 * duplicates.
 */
export async function ingestDelivery(
  deps: IngestDeps,
  outcomes: readonly ParseOutcome[],
): Promise<DeliveryAnswer> {
  const validation = outcomes.find((outcome) => outcome.kind === 'validation');
  if (validation) return { kind: 'validation', validationCode: validation.validationCode };
  let accepted = 0;
  let ignored = 0;
  const invalid: Issue[] = [];
  for (const outcome of outcomes) {
    try {
      const answer = await ingestOutcome(deps, outcome, 'Event Grid');
      if (answer.kind === 'accepted') accepted++;
      else ignored++;
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      deps.log.warn(`${error.message}; not retried: ${formatIssuesInline(error.issues)}`);
      invalid.push(...error.issues);
    }
  }
  return { kind: 'processed', accepted, ignored, invalid };
}
