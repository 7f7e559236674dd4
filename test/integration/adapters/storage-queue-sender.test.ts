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
    const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'delayed',
    );
    // On the queue, but neither a peek nor a trigger's receive sees it yet.
    expect((await client.getProperties()).approximateMessagesCount).toBe(1);
    expect(await peekAll(azurite.connectionString, 'delayed')).toEqual([]);
    expect((await client.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems).toEqual([]);
  });

  it('shows a delayed message when its time comes, with a week to live after the delay', async () => {
    const sender = createQueueSender(QueueServiceClient.fromConnectionString(azurite.connectionString));
    const client = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      'delayed-ttl',
    );
    await sender.send('delayed-ttl', { n: 2 }, { delaySeconds: 2 });
    expect((await client.peekMessages()).peekedMessageItems).toEqual([]);

    let peeked = (await client.peekMessages()).peekedMessageItems;
    for (let tries = 0; peeked.length === 0 && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peeked = (await client.peekMessages()).peekedMessageItems;
    }

    expect(peeked).toHaveLength(1);
    const [message] = peeked;
    expect(JSON.parse(Buffer.from(message?.messageText ?? '', 'base64').toString('utf8'))).toEqual({ n: 2 });
    const ttlSeconds = ((message?.expiresOn.getTime() ?? 0) - (message?.insertedOn.getTime() ?? 0)) / 1000;
    // Storage's default is 7 days from sending, which a long retry delay would eat into; the sender
    // gives a delayed message 7 days after its delay (times are whole seconds).
    expect(ttlSeconds).toBe(2 + 7 * 24 * 60 * 60);
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
