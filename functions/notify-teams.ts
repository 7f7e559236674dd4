import { app, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { consumeQueueMessage } from '../shared/adapters/queue/read-queue-message';
import { notificationQueueMessageSchema } from '../shared/domain/messages/notification-queue';
import { queueNames } from '../shared/domain/messages/queues';
import { handleNotification } from '../shared/domain/notify/handle-notification';
import { getRuntime } from '../shared/runtime/composition-root';
import { notifyDepsFor } from '../shared/runtime/notify-deps';
import { dequeueCountOf, maxDequeueCount } from '../shared/runtime/queue-policy';

/**
 * `notifications` → a card in Teams (pushes folded into bursts). Throws only when a retry can help, so
 * the host retries after host.json's visibilityTimeout and parks the message after maxDequeueCount;
 * everything else is parked on notifications-poison at once with what to fix.
 */
export async function notifyTeams(message: unknown, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const delivery = { attempt: dequeueCountOf(context.triggerMetadata), maxAttempts: maxDequeueCount };
  await consumeQueueMessage(
    { schema: notificationQueueMessageSchema, queue: queueNames.notify, message, poison: runtime.queue, log },
    async (parsed) => void (await handleNotification(notifyDepsFor(runtime, log), parsed, delivery)),
  );
}

app.storageQueue('notifyTeams', {
  queueName: queueNames.notify,
  connection: 'AzureWebJobsStorage',
  handler: notifyTeams,
});
