import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { runQueueConsumer } from '../shared/adapters/queue/queue-consumer';
import { pinImage, pinQueue } from '../shared/domain/pinning/pin-image';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `pin-requests` → a commit (or pull request) in the gitops repo and a `pinned` notification. The
 * runner retries what a retry can fix within `retry.pin`, and parks the rest with a failure card.
 */
export async function pinRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  await runQueueConsumer(
    runtime.consumerDeps(log, pinQueue),
    pinQueue,
    (request) => pinImage(runtime.pinDeps(log), request),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('pinRequest', {
  queueName: pinQueue.queue,
  connection: 'AzureWebJobsStorage',
  handler: pinRequest,
});
