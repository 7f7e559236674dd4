import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { consumeQueueMessage } from '../shared/adapters/queue/read-queue-message';
import { fanOutActions as fanOut } from '../shared/domain/ingest/fan-out-actions';
import { acceptedEventSchema } from '../shared/domain/messages/action-messages';
import { queueNames } from '../shared/domain/messages/queues';
import { getRuntime } from '../shared/runtime/composition-root';

/** `image-events` → one message per action on its own queue. Storage failures throw: the queue retries. */
export async function fanOutActions(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const { queue } = await getRuntime(log);
  await consumeQueueMessage(
    { schema: acceptedEventSchema, queue: queueNames.imageEvents, message, poison: queue, log },
    (accepted) => fanOut({ queue, log }, accepted),
  );
}

app.storageQueue('fanOutActions', {
  queueName: queueNames.imageEvents,
  connection: 'AzureWebJobsStorage',
  handler: fanOutActions,
});
