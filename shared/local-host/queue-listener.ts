import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { Registration } from './function-registry';
import type { HostJson } from './host-settings';
import type { HostLog } from './host-log';
import { invoke } from './invoke';

/** Where the Functions host moves a message after maxDequeueCount failed attempts. */
const poisonQueueOf = (queue: string): string => `${queue}-poison`;

export interface QueueListener {
  stop(): Promise<void>;
}

/**
 * While a message is being handled it stays invisible this long (the real host keeps it invisible too).
 * A host killed mid-invocation leaves it invisible until the lease runs out; then another host takes it.
 */
export const defaultLeaseSeconds = 300;
/** App setting that shortens (or lengthens) that lease locally, in seconds. */
export const queueLeaseSetting = 'AUTOPILOT_LOCAL_QUEUE_LEASE';
const minPollMs = 50;

/**
 * A storage-queue trigger over Azure Storage (Azurite locally) with the extension's semantics: base64
 * messages (host.json `messageEncoding`), JSON bodies handed over as objects, `dequeueCount` in the
 * trigger metadata, a failed message made visible again after `visibilityTimeout`, and after
 * `maxDequeueCount` failures moved to `<queue>-poison`. Polls with back-off up to `maxPollingInterval`.
 */
export function startQueueListener(options: {
  registration: Registration;
  service: QueueServiceClient;
  settings: HostJson['queues'];
  log: HostLog;
  /** Seconds a received message stays invisible while it is handled (default 300). */
  leaseSeconds?: number;
}): QueueListener {
  const { registration, service, settings, log } = options;
  const leaseSeconds = options.leaseSeconds ?? defaultLeaseSeconds;
  const queueName = String(registration.trigger.queueName);
  const queue = service.getQueueClient(queueName);
  const poison = service.getQueueClient(poisonQueueOf(queueName));
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    await queue.createIfNotExists();
    let delay = minPollMs;
    while (!stopped) {
      let items: DequeuedMessageItem[];
      try {
        const received = await queue.receiveMessages({
          numberOfMessages: Math.min(Math.max(settings.batchSize, 1), 32),
          visibilityTimeout: leaseSeconds,
        });
        items = received.receivedMessageItems;
      } catch (error) {
        if (stopped) break;
        log('warning', registration.name, `cannot read queue ${queueName}: ${(error as Error).message}`);
        await sleep(1_000);
        continue;
      }
      if (items.length === 0) {
        await sleep(delay);
        delay = Math.min(delay * 2, settings.maxPollingIntervalMs);
        continue;
      }
      delay = minPollMs;
      await Promise.all(items.map((item) => handle(item)));
    }
  };

  const handle = async (item: DequeuedMessageItem) => {
    const decoded = decode(item.messageText, settings.messageEncoding);
    const metadata = {
      id: item.messageId,
      dequeueCount: item.dequeueCount,
      insertionTime: item.insertedOn.toISOString(),
      expirationTime: item.expiresOn.toISOString(),
      nextVisibleTime: item.nextVisibleOn.toISOString(),
      popReceipt: item.popReceipt,
    };
    try {
      if (decoded === undefined)
        throw new Error('message is not valid Base64 (host.json messageEncoding is base64)');
      await invoke(registration, decoded, log, metadata);
      await queue.deleteMessage(item.messageId, item.popReceipt);
    } catch (error) {
      await fail(queue, poison, item, error, { registration, settings, log, queueName });
    }
  };

  const running = loop().catch((error: unknown) =>
    log('error', registration.name, `queue listener for ${queueName} stopped: ${(error as Error).message}`),
  );
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}

async function fail(
  queue: QueueClient,
  poison: QueueClient,
  item: DequeuedMessageItem,
  error: unknown,
  context: { registration: Registration; settings: HostJson['queues']; log: HostLog; queueName: string },
) {
  const { registration, settings, log, queueName } = context;
  const reason = error instanceof Error ? error.message : String(error);
  try {
    if (item.dequeueCount >= settings.maxDequeueCount) {
      await poison.createIfNotExists();
      const parked = await poison.sendMessage(item.messageText);
      await queue.deleteMessage(item.messageId, item.popReceipt);
      log(
        'error',
        registration.name,
        `message ${item.messageId} failed ${item.dequeueCount} time(s), moved to ${poisonQueueOf(queueName)}: ${reason}; ` +
          `fix the cause, then replay it with: acr-autopilot poison requeue ${queueName} --id ${parked.messageId}`,
      );
    } else {
      await queue.updateMessage(
        item.messageId,
        item.popReceipt,
        undefined,
        settings.visibilityTimeoutSeconds,
      );
      log(
        'warning',
        registration.name,
        `message ${item.messageId} attempt ${item.dequeueCount} of ${settings.maxDequeueCount} failed, retrying in ${settings.visibilityTimeoutSeconds}s: ${reason}`,
      );
    }
  } catch (storageError) {
    // The lease runs out and the message comes back on its own; nothing is lost.
    log(
      'warning',
      registration.name,
      `could not settle message ${item.messageId}: ${(storageError as Error).message}`,
    );
  }
}

/** Decodes like the queue extension: base64 (default) or raw; JSON text becomes an object. */
export function decode(text: string, encoding: 'base64' | 'none'): unknown {
  let raw = text;
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
    raw = Buffer.from(text, 'base64').toString('utf8');
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
