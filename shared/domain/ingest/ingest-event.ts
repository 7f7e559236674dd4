import type { Config } from '../config/schema';
import { DomainError, UpstreamError } from '../errors';
import { describeImage, type ImageEvent } from '../events/image-event';
import { acceptedEventSchema, type AcceptedEvent } from '../messages/action-messages';
import { queueNames } from '../messages/queues';
import type { Clock, DedupeStore, Logger, Metrics, QueueSender, TraceRecorder } from '../ports';
import { planActions, ruleLabel } from '../rules/plan-actions';
import type { RegionArrivals } from '../deploy/deploy-ports';
import { ingressFacts, recordReceived } from '../trace/ingress-facts';
import { ingressRecord } from '../trace/trace-records';
import { plansRegionGate, recordArrival, type Delivery } from './record-arrival';

export interface IngestDeps {
  config: Config;
  dedupe: DedupeStore;
  queue: QueueSender;
  clock: Clock;
  log: Logger;
  /** Where regional deliveries are recorded for the replication gate (issue 10 §3). */
  arrivals?: RegionArrivals;
  /** Where deliveries that take no claim are recorded for `acr-autopilot trace`; absent: no trace. */
  trace?: TraceRecorder;
  /** Counts events by outcome (accepted, ignored, invalid, duplicate); absent: not counted. */
  metrics?: Metrics;
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
  // Every decision line carries them, so one push can be followed from ingress to each action.
  const fields = { correlationId: event.id, dedupeKey };
  const facts = ingressFacts(event, delivery, plan, deps.config.rules, deps.clock());
  if (plan.messages.length === 0) {
    deps.log.info(`accepted ${what}: no rule matched, nothing queued`, fields);
    await recordReceived(deps, dedupeKey, facts, 'nothing-planned');
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
      // The trace's facts go into the claim's own insert: no extra write per accepted event.
      ...(deps.trace ? { record: ingressRecord(facts) } : {}),
    }),
    arrival,
  ]);
  if (claim === 'duplicate') {
    deps.log.info(`duplicate ${what}: already queued`, fields);
    await recordReceived(deps, dedupeKey, facts, 'duplicate');
    return { dedupeKey, actions: 0, duplicate: true };
  }
  if (claim === 'in-flight') {
    await recordReceived(deps, dedupeKey, facts, 'in-flight');
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
      deps.log.error(`could not release dedupe key ${dedupeKey}: ${String(releaseError)}`, fields);
    });
    throw error instanceof DomainError
      ? error
      : new UpstreamError('could not queue the action messages', error);
  }
  // The messages are durably queued: a failure to mark the key done must not fail the delivery. The
  // claim then goes stale and a later redelivery is processed again (consumers are idempotent).
  await deps.dedupe
    .complete(ingressScope, dedupeKey, { now: deps.clock(), actions })
    .catch((error: unknown) => deps.log.warn(`could not mark ${dedupeKey} done: ${String(error)}`, fields));
  deps.log.info(
    `queued ${actions} action(s) for ${what} from ${plan.matchedRules.map((index) => ruleLabel({ index, name: deps.config.rules[index]?.name })).join(', ')}`,
    fields,
  );
  return { dedupeKey, actions, duplicate: false };
}
