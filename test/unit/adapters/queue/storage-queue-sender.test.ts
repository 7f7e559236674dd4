import type { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { createQueueSender } from '../../../../shared/adapters/queue/storage-queue-sender';

/**
 * A queue service whose queue does not exist yet, with the timing under the test's control: the
 * race that matters is a send that was refused (404) before another send finished creating the queue.
 */
function missingQueueService() {
  let exists = false;
  let creations = 0;
  const stored: string[] = [];
  const gates: (() => void)[] = [];
  const notFound = () => Object.assign(new Error('QueueNotFound'), { statusCode: 404 });
  const client = {
    async sendMessage(text: string) {
      const existedAtSend = exists;
      await new Promise<void>((resolve) => gates.push(resolve));
      if (!existedAtSend) throw notFound();
      stored.push(text);
      return {};
    },
    async createIfNotExists() {
      creations += 1;
      await Promise.resolve();
      exists = true;
      return {};
    },
  };
  return {
    service: { getQueueClient: () => client } as unknown as QueueServiceClient,
    stored,
    creations: () => creations,
    release: async (count: number) => {
      for (let i = 0; i < count; i++) {
        while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
        gates.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

describe('createQueueSender', () => {
  it('delivers every send that raced the creation of a missing queue, creating it once', async () => {
    const fake = missingQueueService();
    const sender = createQueueSender(fake.service);
    const first = sender.send('q', { n: 1 });
    const second = sender.send('q', { n: 2 });
    // First send refused and the queue created; the second send's refusal only comes back afterwards.
    await fake.release(1);
    await fake.release(1); // first send's retry succeeds
    await fake.release(1); // second send's 404 arrives after the queue exists
    await fake.release(1); // second send's retry
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(fake.stored).toHaveLength(2);
    expect(fake.creations()).toBe(1);
  }, 5_000);
});
