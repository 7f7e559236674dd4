import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { consumeQueueMessage } from '../shared/adapters/queue/read-queue-message';
import { pinRequestSchema } from '../shared/domain/messages/action-messages';
import { queueNames } from '../shared/domain/messages/queues';
import { pinImage } from '../shared/domain/pinning/pin-image';
import { getRuntime } from '../shared/runtime/composition-root';
import { pinDepsFor } from '../shared/runtime/pin-deps';
import { dequeueCountOf, maxDequeueCount } from '../shared/runtime/queue-policy';

/**
 * `pin-requests` → a commit (or pull request) in the gitops repo and a `pinned` notification. Throws
 * only when a retry can help (git host or storage unavailable, a lost race that kept losing); config and
 * credential problems are reported and parked on pin-requests-poison at once.
 */
export async function pinRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const delivery = { attempt: dequeueCountOf(context.triggerMetadata), maxAttempts: maxDequeueCount };
  await consumeQueueMessage(
    { schema: pinRequestSchema, queue: queueNames.pin, message, poison: runtime.queue, log },
    async (request) => void (await pinImage(pinDepsFor(runtime, log), request, delivery)),
  );
}

app.storageQueue('pinRequest', {
  queueName: queueNames.pin,
  connection: 'AzureWebJobsStorage',
  handler: pinRequest,
});
