import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { runQueueConsumer } from '../shared/adapters/queue/queue-consumer';
import { fanOutActions as fanOut, imageEventsQueue } from '../shared/domain/ingest/fan-out-actions';
import { getRuntime } from '../shared/runtime/composition-root';

/** `image-events` → one message per action on its own queue. Storage failures are retried by the runner. */
export async function fanOutActions(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  await runQueueConsumer(
    runtime.consumerDeps(log, imageEventsQueue),
    imageEventsQueue,
    (accepted) => fanOut({ queue: runtime.queue, log }, accepted),
    message,
    context.triggerMetadata,
  );
}

app.storageQueue('fanOutActions', {
  queueName: imageEventsQueue.queue,
  connection: 'AzureWebJobsStorage',
  handler: fanOutActions,
});
