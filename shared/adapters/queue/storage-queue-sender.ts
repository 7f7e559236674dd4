import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { UpstreamError } from '../../domain/errors';
import type { QueueSender } from '../../domain/ports';
import { statusOf, storageUpstream } from '../storage-errors';

/**
 * Encodes like the Functions queue extension expects by default (`messageEncoding: base64` in
 * host.json): `sendMessage` itself does not encode, and a raw JSON message would be rejected by the
 * trigger as "not a valid Base-64 string".
 */
export function encodeQueueMessage(message: unknown): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

export function createQueueSender(service: QueueServiceClient): QueueSender {
  const clients = new Map<string, QueueClient>();
  const creating = new Map<string, Promise<unknown>>();
  const clientFor = (queue: string) => {
    let client = clients.get(queue);
    if (!client) clients.set(queue, (client = service.getQueueClient(queue)));
    return client;
  };
  // Queues are created by infra in Azure; locally (or after someone deleted one) create on demand,
  // once per queue even when many sends hit the missing queue at the same time.
  const ensureQueue = (queue: string, client: QueueClient) => {
    let pending = creating.get(queue);
    if (!pending) {
      pending = client.createIfNotExists();
      creating.set(queue, pending);
      pending.catch(() => creating.delete(queue));
    }
    return pending;
  };
  return {
    async send(queue, message, options = {}) {
      const client = clientFor(queue);
      const text = encodeQueueMessage(message);
      const sendOptions = sendOptionsFor(options.delaySeconds);
      try {
        await client.sendMessage(text, sendOptions);
      } catch (error) {
        if (statusOf(error) !== 404) throw upstream(queue, error);
        try {
          await ensureQueue(queue, client);
          await client.sendMessage(text, sendOptions);
        } catch (retryError) {
          throw upstream(queue, retryError);
        }
      }
    },
  };
}

/** Storage keeps a message invisible at most 7 days, and never past its time-to-live. */
const maxDelaySeconds = 7 * 24 * 60 * 60;

/**
 * A delayed message lives a week past its delay (the default time-to-live is 7 days from sending, so a
 * long retry delay would otherwise expire the message before anyone sees it).
 */
function sendOptionsFor(delaySeconds: number | undefined) {
  if (!delaySeconds || delaySeconds <= 0) return {};
  const visibilityTimeout = Math.min(Math.ceil(delaySeconds), maxDelaySeconds);
  return { visibilityTimeout, messageTimeToLive: visibilityTimeout + maxDelaySeconds };
}

function upstream(queue: string, error: unknown): UpstreamError {
  return storageUpstream(`writing to queue ${queue}`, error, 'queue');
}
