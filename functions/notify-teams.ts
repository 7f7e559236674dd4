import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `notifications` → a card in Teams (pushes folded into bursts). The runner retries outages within
 * `retry.notify` and parks what a retry cannot fix (unknown channel, a refused URL) with what to fix.
 */
export async function notifyTeams(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runQueueConsumer } = await import('../shared/adapters/queue/queue-consumer.js');
  const { handleNotification, notifyQueue } = await import('../shared/domain/notify/handle-notification.js');
  await runQueueConsumer(
    runtime.consumerDeps(log, notifyQueue),
    notifyQueue,
    (notification) => handleNotification(runtime.notifyDeps(log), notification),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('notifyTeams', {
  queueName: queueNames.notify,
  connection: 'AzureWebJobsStorage',
  handler: notifyTeams,
});
