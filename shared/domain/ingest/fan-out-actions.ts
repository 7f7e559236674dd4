import { UpstreamError } from '../errors';
import { describeImage } from '../events/image-event';
import { acceptedEventSchema, queueFor, type AcceptedEvent } from '../messages/action-messages';
import type { QueueContract } from '../messages/queue-contract';
import { queueNames } from '../messages/queues';
import type { Logger, QueueSender } from '../ports';

/** The image-events queue for the queue-consumer runner. */
export const imageEventsQueue: QueueContract<AcceptedEvent, void> = {
  queue: queueNames.imageEvents,
  action: 'fan-out',
  schema: acceptedEventSchema,
  describe: (accepted) => `fan-out of ${accepted.event.action} ${describeImage(accepted.event)}`,
  summarize: (_outcome, accepted) => ({
    kind: 'fanned-out',
    text: `queued ${accepted.actions.map((action) => action.type).join(', ')}`,
  }),
};

/**
 * Copies an accepted event's action messages to their queues (pin-requests, deploy-requests,
 * notifications). A failure rethrows so the queue retries the whole event; actions already copied
 * are then sent again, which their consumers absorb (they are idempotent per dedupe key).
 */
export async function fanOutActions(
  deps: { queue: QueueSender; log: Logger },
  accepted: AcceptedEvent,
): Promise<void> {
  const results = await Promise.allSettled(
    accepted.actions.map((action) => deps.queue.send(queueFor(action), action)),
  );
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) {
    throw new UpstreamError(
      `${failed.length} of ${accepted.actions.length} action message(s) for ${describeImage(accepted.event)} could not be queued; the event will be retried`,
      failed[0]?.reason,
    );
  }
  deps.log.info(
    `fanned out ${accepted.actions.map((action) => action.type).join(', ')} for ${accepted.event.action} ${describeImage(accepted.event)}`,
    { correlationId: accepted.correlationId, dedupeKey: accepted.dedupeKey },
  );
}
