import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueSender } from '../../../shared/adapters/queue/storage-queue-sender';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, startTestAzurite } from '../../helpers/azurite';

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(() => azurite?.stop());

describe('createQueueSender (Azurite)', () => {
  it('creates a missing queue and writes base64 JSON the queue trigger can read', async () => {
    const sender = createQueueSender(QueueServiceClient.fromConnectionString(azurite.connectionString));
    await sender.send('fresh-queue', { type: 'notify', text: 'héllo ✓' });
    const raw = await QueueServiceClient.fromConnectionString(azurite.connectionString)
      .getQueueClient('fresh-queue')
      .peekMessages();
    const text = raw.peekedMessageItems[0]?.messageText ?? '';
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(await peekAll(azurite.connectionString, 'fresh-queue')).toEqual([
      { type: 'notify', text: 'héllo ✓' },
    ]);
  });

  it('creates a missing queue once when many sends race for it', async () => {
    const sender = createQueueSender(QueueServiceClient.fromConnectionString(azurite.connectionString));
    await Promise.all(Array.from({ length: 40 }, (_, n) => sender.send('raced-queue', { n })));
    const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'raced-queue',
    );
    expect((await client.getProperties()).approximateMessagesCount).toBe(40);
  });

  it('keeps a delayed message invisible until its time', async () => {
    const sender = createQueueSender(QueueServiceClient.fromConnectionString(azurite.connectionString));
    await sender.send('delayed', { n: 1 }, { delaySeconds: 60 });
    expect(await peekAll(azurite.connectionString, 'delayed')).toEqual([]);
  });

  it('turns a storage outage into a retryable error naming the queue', async () => {
    const dead = azurite.connectionString.replace(
      /QueueEndpoint=[^;]+/,
      'QueueEndpoint=http://127.0.0.1:1/devstoreaccount1',
    );
    const sender = createQueueSender(
      QueueServiceClient.fromConnectionString(dead, { retryOptions: { maxTries: 1 } }),
    );
    await expect(sender.send('pin-requests', {})).rejects.toMatchObject({
      code: 'upstream',
      retryable: true,
      message: expect.stringContaining('pin-requests'),
    });
  });
});
