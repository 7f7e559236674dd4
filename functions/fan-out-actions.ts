import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/** `image-events` → one message per action on its own queue. Storage failures are retried by the runner. */
export async function fanOutActions(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runQueueConsumer } = await import('../shared/adapters/queue/queue-consumer.js');
  const { fanOutActions: fanOut, imageEventsQueue } =
    await import('../shared/domain/ingest/fan-out-actions.js');
  const deps = runtime.consumerDeps(log, imageEventsQueue);
  await runQueueConsumer(
    deps,
    imageEventsQueue,
    (accepted) => fanOut({ queue: runtime.queue, log: deps.log }, accepted),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('fanOutActions', {
  queueName: queueNames.imageEvents,
  connection: 'AzureWebJobsStorage',
  handler: fanOutActions,
});
