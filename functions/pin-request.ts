import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `pin-requests` → a commit (or pull request) in the gitops repo and a `pinned` notification. The
 * runner retries what a retry can fix within `retry.pin`, and parks the rest with a failure card.
 */
export async function pinRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runQueueConsumer } = await import('../shared/adapters/queue/queue-consumer.js');
  const { pinImage, pinQueue } = await import('../shared/domain/pinning/pin-image.js');
  await runQueueConsumer(
    runtime.consumerDeps(log, pinQueue),
    pinQueue,
    (request) => pinImage(runtime.pinDeps(log), request),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('pinRequest', {
  queueName: queueNames.pin,
  connection: 'AzureWebJobsStorage',
  handler: pinRequest,
});
