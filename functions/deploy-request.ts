import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `deploy-requests` → one trigger per (event, target) (GitHub Actions, Azure Pipelines, Argo CD,
 * Container Apps, a signed webhook) and a `deployed` notification. Targets with `regions` wait for
 * the replicas first. The runner retries what a retry can fix within `retry.deploy` and parks the
 * rest with a failure card.
 */
export async function deployRequest(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runQueueConsumer } = await import('../shared/adapters/queue/queue-consumer.js');
  const { deployImage, deployQueue } = await import('../shared/domain/deploy/deploy-image.js');
  await runQueueConsumer(
    runtime.consumerDeps(log, deployQueue),
    deployQueue,
    (request) => deployImage(runtime.deployDeps(log), request),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('deployRequest', {
  queueName: queueNames.deploy,
  connection: 'AzureWebJobsStorage',
  handler: deployRequest,
});
