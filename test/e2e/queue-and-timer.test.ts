import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peekAll, queueLength } from '../helpers/azurite';
import { fileURLToPath } from 'node:url';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

let host: RunningHost;
let queues: QueueServiceClient;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

beforeAll(async () => {
  // An app root whose host.json retries quickly, so the poison path takes seconds, not minutes.
  const appRoot = mkdtempSync(join(tmpdir(), 'host-'));
  writeFileSync(
    join(appRoot, 'host.json'),
    JSON.stringify({
      version: '2.0',
      extensions: {
        queues: { maxDequeueCount: 3, visibilityTimeout: '00:00:00', messageEncoding: 'base64' },
      },
    }),
  );
  host = await startLocalHostProcess({
    appRoot,
    args: ['--functions', fileURLToPath(new URL('../helpers/functions/queue-probes.js', import.meta.url))],
  });
  queues = QueueServiceClient.fromConnectionString(host.storage);
});
afterAll(() => host?.stop());

describe('local host queue triggers (Azurite)', () => {
  it('moves a message that keeps failing to <queue>-poison after maxDequeueCount attempts', async () => {
    await queues.getQueueClient('e2e-fails').sendMessage(encode({ doomed: true }));
    const line = await host.waitForLine(/moved to e2e-fails-poison/, 20_000);
    expect(host.output()).toMatch(
      /alwaysFails attempt 1[\s\S]*alwaysFails attempt 2[\s\S]*alwaysFails attempt 3/,
    );
    expect(host.output()).not.toMatch(/alwaysFails attempt 4/);
    expect(await peekAll(host.storage, 'e2e-fails-poison')).toEqual([{ doomed: true }]);
    expect(await queueLength(host.storage, 'e2e-fails')).toBe(0);
    // The line names the replay command with the id the message has on the poison queue.
    const [parked] = (await queues.getQueueClient('e2e-fails-poison').peekMessages({ numberOfMessages: 1 }))
      .peekedMessageItems;
    expect(line).toContain(
      `replay it with: acr-autopilot poison requeue e2e-fails --id ${parked?.messageId ?? 'none'}`,
    );
  });

  it('hands JSON messages over as objects with the dequeue count, then deletes them', async () => {
    await queues.getQueueClient('e2e-works').sendMessage(encode({ hello: 'world' }));
    const line = await host.waitForLine(/recorded /, 10_000);
    expect(JSON.parse(line.slice(line.indexOf('recorded ') + 9))).toEqual({
      message: { hello: 'world' },
      dequeueCount: 1,
    });
    await expect.poll(() => queueLength(host.storage, 'e2e-works'), { timeout: 5_000 }).toBe(0);
  });

  it('sends a message that is not base64 straight to poison after its attempts', async () => {
    await queues.getQueueClient('e2e-works').sendMessage('{not base64}');
    await host.waitForLine(/not valid Base64/, 10_000);
    await expect.poll(() => queueLength(host.storage, 'e2e-works-poison'), { timeout: 15_000 }).toBe(1);
  });
});

describe('local host timers', () => {
  it('fires a six-field NCRONTAB schedule', async () => {
    const line = await host.waitForLine(/tick /, 5_000);
    expect(line).toContain('"isPastDue":false');
    expect(line).toContain('"hasNext":true');
  });

  it('runs a timer on demand through /admin/functions/{name}', async () => {
    const response = await fetch(`${host.url}/admin/functions/nightly`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(202);
    await host.waitForLine(/nightly ran/, 5_000);
  });
});

describe('stopping', () => {
  it('stops everything it started on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => host.child.once('exit', resolve));
    const started = Date.now();
    host.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(host.output()).toContain('SIGINT: stopping the local host');
    // Azurite went with it: its port no longer answers.
    const once = QueueServiceClient.fromConnectionString(host.storage, { retryOptions: { maxTries: 1 } });
    await expect(once.getQueueClient('e2e-works').exists()).rejects.toThrow();
  });
});
