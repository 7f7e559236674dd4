import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { runQueueConsumer } from '../shared/adapters/queue/queue-consumer';
import { handleRetentionRequest, retentionQueue } from '../shared/domain/retention/retention-request';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `retention-requests` → a retention run for the pushed repository, once per burst of pushes
 * (`retention.debounce`). The runner retries what a retry can fix within `retry.retention`.
 */
export async function retentionRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  await runQueueConsumer(
    runtime.consumerDeps(log, retentionQueue),
    retentionQueue,
    (request) => handleRetentionRequest(runtime.retentionDeps(log), request),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('retentionRequest', {
  queueName: retentionQueue.queue,
  connection: 'AzureWebJobsStorage',
  handler: retentionRequest,
});
