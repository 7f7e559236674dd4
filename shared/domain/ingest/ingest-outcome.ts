import { InvalidEventError } from '../errors';
import type { ParseOutcome } from '../events/parse-outcome';
import { ingestEvent, type IngestDeps, type IngestResult } from './ingest-event';
import type { Delivery } from './record-arrival';

export type IngressAnswer =
  | ({ kind: 'accepted' } & IngestResult)
  | { kind: 'ignored'; reason: string }
  | { kind: 'validation'; validationCode: string };

/**
 * What ingress does with a parser's verdict, whichever the source: accepted events are queued (once),
 * ignored ones are logged with their reason, invalid ones become an InvalidEventError listing each
 * problem by path (never the body itself). The region of a regional delivery (the webhook's query or
 * header in `delivery`, else what the payload says) is recorded for the replication gate.
 */
export async function ingestOutcome(
  deps: IngestDeps,
  outcome: ParseOutcome,
  source: string,
  delivery: Delivery = {},
): Promise<IngressAnswer> {
  switch (outcome.kind) {
    case 'accepted': {
      const result = await ingestEvent(deps, outcome.event, {
        ...delivery,
        region: delivery.region ?? outcome.region,
      });
      deps.metrics?.event(result.duplicate ? 'duplicate' : 'accepted', source);
      return { kind: 'accepted', ...result };
    }
    case 'ignored':
      deps.log.info(
        `ignored ${source} event${outcome.eventId ? ` ${outcome.eventId}` : ''}: ${outcome.reason}`,
        { correlationId: outcome.eventId },
      );
      deps.metrics?.event('ignored', source);
      return { kind: 'ignored', reason: outcome.reason };
    case 'validation':
      return { kind: 'validation', validationCode: outcome.validationCode };
    case 'invalid':
      deps.metrics?.event('invalid', source);
      throw new InvalidEventError(
        `invalid ${source} event${outcome.eventId ? ` ${outcome.eventId}` : ''}: ${outcome.issues.length} problem(s)`,
        outcome.issues,
      );
  }
}
