import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type AzuriteHandle } from '../../shared/local-host/azurite';

/** A fresh in-memory Azurite on free loopback ports for one test file. */
export function startTestAzurite(): Promise<AzuriteHandle> {
  return startAzurite({ inMemory: true });
}

/** Every message currently on a queue (peeked, so they stay), base64-decoded and JSON-parsed. */
export async function peekAll(connectionString: string, queue: string): Promise<unknown[]> {
  const client = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  if (!(await client.exists())) return [];
  const messages: unknown[] = [];
  const { approximateMessagesCount = 0 } = await client.getProperties();
  if (approximateMessagesCount > 32)
    throw new Error(`peekAll: ${approximateMessagesCount} messages is more than a peek shows`);
  const peeked = await client.peekMessages({ numberOfMessages: 32 });
  for (const item of peeked.peekedMessageItems) {
    messages.push(JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')));
  }
  return messages;
}

export async function queueLength(connectionString: string, queue: string): Promise<number> {
  const client = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  if (!(await client.exists())) return 0;
  return (await client.getProperties()).approximateMessagesCount ?? 0;
}
