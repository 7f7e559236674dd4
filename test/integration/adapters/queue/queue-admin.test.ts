import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueueAdmin, decodeQueueMessage } from '../../../../shared/adapters/queue/queue-admin';
import {
  createQueueSender,
  encodeQueueMessage,
} from '../../../../shared/adapters/queue/storage-queue-sender';
import { azuriteConnectionString } from '../../../../shared/config/app-settings';
import type { AzuriteHandle } from '../../../../shared/local-host/azurite';
import { peekAll, queueLength, startTestAzurite } from '../../../helpers/azurite';
import { closedPort } from '../../../helpers/git-http-server';

let azurite: AzuriteHandle;
let service: QueueServiceClient;

const from = 'admin-source-poison';
const to = 'admin-source';

async function put(queue: string, ...bodies: unknown[]): Promise<void> {
  const client = service.getQueueClient(queue);
  await client.createIfNotExists();
  for (const body of bodies) await client.sendMessage(encodeQueueMessage(body));
}

beforeAll(async () => {
  azurite = await startTestAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(async () => azurite?.stop());
beforeEach(async () => {
  for (const queue of [from, to]) await service.getQueueClient(queue).deleteIfExists();
});

describe('queue admin (Azurite)', () => {
  it('counts the messages of a queue, and tells a missing queue apart', async () => {
    const admin = createQueueAdmin(service);
    expect(await admin.depth(from)).toBeUndefined();
    await put(from, { n: 1 }, { n: 2 });
    expect(await admin.depth(from)).toBe(2);
  });

  it('lists a short queue by peeking: decoded, with ids and insertion times, all left in place', async () => {
    const admin = createQueueAdmin(service);
    expect(await admin.list(from)).toEqual([]);
    await put(from, { n: 1 }, { n: 2 });
    const listed = await admin.list(from);
    expect(listed.map((message) => message.body)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(listed[0]).toMatchObject({ id: expect.stringMatching(/\S/), insertedOn: expect.any(Date) });
    expect(await admin.list(from)).toEqual(listed);
    expect(await queueLength(azurite.connectionString, from)).toBe(2);
  });

  it('lists past what a peek shows by receiving every message, and puts each back at once', async () => {
    const admin = createQueueAdmin(service);
    await put(from, ...Array.from({ length: 70 }, (_, n) => ({ n })));
    const seen: number[] = [];
    const listed = await admin.list(from, (count) => seen.push(count));
    expect(listed.map((message) => (message.body as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 70 }, (_, n) => n),
    );
    expect(new Set(listed.map((message) => message.id)).size).toBe(70);
    expect(seen.at(-1)).toBe(70);
    // Visible again right away, not after the hold.
    const peeked = await service.getQueueClient(from).peekMessages({ numberOfMessages: 32 });
    expect(peeked.peekedMessageItems).toHaveLength(32);
  });

  it('moves the chosen messages (sent first, then deleted) and leaves the others visible', async () => {
    const admin = createQueueAdmin(service);
    await put(from, ...Array.from({ length: 40 }, (_, n) => ({ n })));
    const report = await admin.move(from, to, (message) => {
      const { n } = message.body as { n: number };
      return n % 2 === 0 ? { body: { n, moved: true } } : undefined;
    });
    expect(report).toMatchObject({ seen: 40, failed: undefined, duplicated: [] });
    expect(report.moved).toHaveLength(20);
    const moved = (await admin.list(to)) as { body: { n: number; moved: boolean } }[];
    expect(moved.map((message) => message.body.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    expect(moved.every((message) => message.body.moved)).toBe(true);
    const left = (await peekAll(azurite.connectionString, from)) as { n: number }[];
    expect(left.map((message) => message.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * 2 + 1),
    );
  });

  it('stops at a send that fails and deletes nothing it did not send', async () => {
    const unreachable = QueueServiceClient.fromConnectionString(
      azuriteConnectionString('127.0.0.1', { blob: 1, queue: await closedPort(), table: 1 }),
      { retryOptions: { maxTries: 1 } },
    );
    const admin = createQueueAdmin(service, { sender: createQueueSender(unreachable) });
    await put(from, { n: 1 }, { n: 2 }, { n: 3 });
    const report = await admin.move(from, to, (message) => ({ body: message.body }));
    expect(report.moved).toEqual([]);
    expect(report.failed?.error).toMatch(/writing to queue admin-source failed.*ECONNREFUSED/);
    expect(await queueLength(azurite.connectionString, to)).toBe(0);
    // All three still there and visible.
    expect(await peekAll(azurite.connectionString, from)).toHaveLength(3);
  });

  it('reads what the Functions host and people put on a queue: base64 JSON, plain JSON, plain text', () => {
    expect(decodeQueueMessage(encodeQueueMessage({ a: 1 }))).toEqual({ a: 1 });
    expect(decodeQueueMessage('{"a":1}')).toEqual({ a: 1 });
    expect(decodeQueueMessage(Buffer.from('not json').toString('base64'))).toBe('not json');
    expect(decodeQueueMessage('hello there')).toBe('hello there');
  });
});
