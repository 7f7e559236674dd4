import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `retention-requests` → a retention run for the pushed repository, once per burst of pushes
 * (`retention.debounce`). The runner retries what a retry can fix within `retry.retention`.
 */
export async function retentionRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runQueueConsumer } = await import('../shared/adapters/queue/queue-consumer.js');
  const { handleRetentionRequest, retentionQueue } =
    await import('../shared/domain/retention/retention-request.js');
  await runQueueConsumer(
    runtime.consumerDeps(log, retentionQueue),
    retentionQueue,
    (request) => handleRetentionRequest(runtime.retentionDeps(log), request),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('retentionRequest', {
  queueName: queueNames.retention,
  connection: 'AzureWebJobsStorage',
  handler: retentionRequest,
});
