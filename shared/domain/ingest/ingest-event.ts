import type { Config } from '../config/schema';
import { DomainError, UpstreamError } from '../errors';
import { describeImage, type ImageEvent } from '../events/image-event';
import { acceptedEventSchema, type AcceptedEvent } from '../messages/action-messages';
import { queueNames } from '../messages/queues';
import type { Clock, DedupeStore, Logger, QueueSender } from '../ports';
import { planActions } from '../rules/plan-actions';
import type { RegionArrivals } from '../deploy/deploy-ports';
import { plansRegionGate, recordArrival, type Delivery } from './record-arrival';

export interface IngestDeps {
  config: Config;
  dedupe: DedupeStore;
  queue: QueueSender;
  clock: Clock;
  log: Logger;
  /** Where regional deliveries are recorded for the replication gate (issue 10 §3). */
  arrivals?: RegionArrivals;
}

export interface IngestResult {
  dedupeKey: string;
  /** Messages queued by this call (0 for a duplicate or when no rule matched). */
  actions: number;
  duplicate: boolean;
}

/** Dedupe scope of ingress: one set of action messages per image change. */
export const ingressScope = 'ingress';

/**
 * Queues an accepted event with its planned action messages, exactly once per dedupe key. The dedupe
 * record counts only after the message is queued: when the enqueue fails the claim is released, so
 * the sender's retry (Event Grid) is processed instead of being answered "duplicate" and lost.
 */
export async function ingestEvent(
  deps: IngestDeps,
  event: ImageEvent,
  delivery: Delivery = {},
): Promise<IngestResult> {
  const { dedupeKey } = event;
  const plan = planActions(event, deps.config);
  for (const note of plan.notes) deps.log.debug(note);
  const what = `${event.action} ${describeImage(event)} (event ${event.id}, dedupe ${dedupeKey})`;
  if (plan.messages.length === 0) {
    deps.log.info(`accepted ${what}: no rule matched, nothing queued`);
    return { dedupeKey, actions: 0, duplicate: false };
  }
  // Validated on the producer side: a message a consumer cannot read is our bug, found here.
  const accepted: AcceptedEvent = acceptedEventSchema.parse({
    type: 'accepted-event',
    dedupeKey,
    correlationId: event.id,
    event,
    actions: plan.messages,
  });
  const actions = accepted.actions.length;

  // Every delivery's region counts, a duplicate's too; recorded alongside the claim (never rejects).
  const arrival =
    delivery.region && plansRegionGate(accepted.actions, deps.config)
      ? recordArrival(deps, dedupeKey, delivery.region)
      : undefined;
  const [claim] = await Promise.all([
    deps.dedupe.claim(ingressScope, dedupeKey, {
      now: deps.clock(),
      windowMs: deps.config.ingress.dedupeWindow,
    }),
    arrival,
  ]);
  if (claim === 'duplicate') {
    deps.log.info(`duplicate ${what}: already queued`);
    return { dedupeKey, actions: 0, duplicate: true };
  }
  if (claim === 'in-flight') {
    throw new DomainError(
      'in-flight',
      `another delivery of ${dedupeKey} is being processed right now; retry in a few seconds`,
      { retryable: true },
    );
  }
  try {
    await deps.queue.send(queueNames.imageEvents, accepted);
  } catch (error) {
    await deps.dedupe.release(ingressScope, dedupeKey).catch((releaseError: unknown) => {
      deps.log.error(`could not release dedupe key ${dedupeKey}: ${String(releaseError)}`);
    });
    throw error instanceof DomainError
      ? error
      : new UpstreamError('could not queue the action messages', error);
  }
  // The messages are durably queued: a failure to mark the key done must not fail the delivery. The
  // claim then goes stale and a later redelivery is processed again (consumers are idempotent).
  await deps.dedupe
    .complete(ingressScope, dedupeKey, { now: deps.clock(), actions })
    .catch((error: unknown) => deps.log.warn(`could not mark ${dedupeKey} done: ${String(error)}`));
  deps.log.info(`queued ${actions} action(s) for ${what} from rules ${plan.matchedRules.join(', ')}`);
  return { dedupeKey, actions, duplicate: false };
}
