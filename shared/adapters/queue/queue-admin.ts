import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import pLimit from 'p-limit';
import type { StoredQueueMessage } from '../../domain/messages/parked-message';
import type { QueueSender } from '../../domain/ports';
import { briefly, statusOf, storageUpstream } from '../storage-errors';
import { createQueueSender } from './storage-queue-sender';

/** What the operator commands (`queues`, `poison list|requeue`) need from Queue Storage. */
export interface QueueAdmin {
  /** Messages on the queue as storage counts them (approximate); `undefined` when it does not exist. */
  depth(queue: string): Promise<number | undefined>;
  /** Every visible message, decoded, in queue order; all of them stay on the queue. */
  list(queue: string, progress?: (seen: number) => void): Promise<StoredQueueMessage[]>;
  /**
   * Moves the messages `pick` chooses from `from` to `to`: each is sent to `to` (as `pick`'s body)
   * first and deleted from `from` only after the send succeeded, so a crash in between leaves a
   * duplicate, never a loss. Stops at the first send that fails; that message and every message not
   * chosen stay on `from`.
   */
  move(
    from: string,
    to: string,
    pick: (message: StoredQueueMessage) => { body: unknown } | undefined,
    progress?: (seen: number, moved: number) => void,
  ): Promise<MoveReport>;
}

export interface MoveReport {
  moved: StoredQueueMessage[];
  /** Sent to `to`, but deleting it from `from` failed: it is on both queues now. */
  duplicated: { message: StoredQueueMessage; error: string }[];
  /** The send that failed; nothing after it was tried. */
  failed: { message: StoredQueueMessage; error: string } | undefined;
  /** Messages looked at. */
  seen: number;
}

export interface QueueAdminOptions {
  /** Where moved messages are sent (default: the app's own sender on the same account). */
  sender?: QueueSender;
  /** How long a walk holds a message it looked at before putting it back (default 5 min). */
  holdSeconds?: number;
  /** Storage calls at a time while moving (default 8). */
  concurrency?: number;
}

/** Peek shows at most this many messages; a longer queue is walked by receiving. */
const peekLimit = 32;

/**
 * Queue admin on a storage account: depth from the queue properties; listing by peeking, or, past 32
 * messages, by receiving every message with a visibility timeout and putting each back (its dequeue
 * count grows: nothing reads a poison queue's dequeue count). A walk cut short (the process killed)
 * leaves the messages it held invisible for `holdSeconds`, then they are back.
 */
export function createQueueAdmin(service: QueueServiceClient, options: QueueAdminOptions = {}): QueueAdmin {
  const sender = options.sender ?? createQueueSender(service);
  const holdSeconds = options.holdSeconds ?? 300;
  const limit = pLimit(options.concurrency ?? 8);
  const clientFor = (queue: string) => service.getQueueClient(queue);

  /**
   * Receives every message once, hands each to `visit` (a few at a time), then makes the ones it kept
   * visible again. Returns the ids it looked at, in the order the queue gave them.
   */
  async function walk(
    client: QueueClient,
    visit: (message: StoredQueueMessage, receipt: string) => Promise<'keep' | 'gone' | 'stop'>,
  ): Promise<string[]> {
    const held = new Map<string, string>();
    const seen = new Set<string>();
    const order = new Map<string, number>();
    let stopped = false;
    try {
      while (!stopped) {
        let items: DequeuedMessageItem[];
        try {
          items = (
            await client.receiveMessages({ numberOfMessages: peekLimit, visibilityTimeout: holdSeconds })
          ).receivedMessageItems;
        } catch (error) {
          if (statusOf(error) === 404) return [];
          throw storageUpstream(`reading queue ${client.name}`, error, 'queue');
        }
        // A message seen before came back: the walk outlasted the hold and went round once.
        for (const item of items) if (seen.has(item.messageId)) held.set(item.messageId, item.popReceipt);
        const fresh = items.filter((item) => !seen.has(item.messageId));
        if (fresh.length === 0) break;
        for (const item of fresh) order.set(item.messageId, order.size);
        await Promise.all(
          fresh.map((item) =>
            limit(async () => {
              seen.add(item.messageId);
              if (stopped) {
                held.set(item.messageId, item.popReceipt);
                return;
              }
              const verdict = await visit(storedMessage(item), item.popReceipt);
              if (verdict !== 'gone') held.set(item.messageId, item.popReceipt);
              if (verdict === 'stop') stopped = true;
            }),
          ),
        );
      }
      return [...order.keys()];
    } finally {
      // Back on the queue now rather than after the hold; a failure here only delays them.
      await Promise.all(
        [...held].map(([id, receipt]) =>
          limit(() => client.updateMessage(id, receipt, undefined, 0).catch(() => undefined)),
        ),
      );
    }
  }

  return {
    async depth(queue) {
      try {
        return (await clientFor(queue).getProperties()).approximateMessagesCount ?? 0;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw storageUpstream(`reading queue ${queue}`, error, 'queue');
      }
    },

    async list(queue, progress) {
      const client = clientFor(queue);
      let peeked;
      try {
        peeked = (await client.peekMessages({ numberOfMessages: peekLimit })).peekedMessageItems;
      } catch (error) {
        if (statusOf(error) === 404) return [];
        throw storageUpstream(`reading queue ${queue}`, error, 'queue');
      }
      if (peeked.length < peekLimit) return peeked.map(storedMessage);
      const all = new Map<string, StoredQueueMessage>();
      const ids = await walk(client, (message) => {
        all.set(message.id, message);
        progress?.(all.size);
        return Promise.resolve('keep');
      });
      return inOrder(ids, all);
    },

    async move(from, to, pick, progress) {
      const client = clientFor(from);
      const report: MoveReport = { moved: [], duplicated: [], failed: undefined, seen: 0 };
      let looked = 0;
      const ids = await walk(client, async (message, receipt) => {
        looked += 1;
        const chosen = pick(message);
        if (!chosen) {
          progress?.(looked, report.moved.length);
          return 'keep';
        }
        try {
          await sender.send(to, chosen.body);
        } catch (error) {
          report.failed ??= { message, error: briefly(error) };
          return 'stop';
        }
        try {
          await client.deleteMessage(message.id, receipt);
          report.moved.push(message);
        } catch (error) {
          report.duplicated.push({ message, error: briefly(error) });
        }
        progress?.(looked, report.moved.length);
        return 'gone';
      });
      // In queue order, however the concurrent moves finished.
      const rank = new Map(ids.map((id, index) => [id, index]));
      const byRank = (a: StoredQueueMessage, b: StoredQueueMessage) =>
        (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0);
      report.moved.sort(byRank);
      report.duplicated.sort((a, b) => byRank(a.message, b.message));
      report.seen = ids.length;
      return report;
    },
  };
}

/**
 * A stored message decoded the way the Functions host reads it: base64 (`messageEncoding: base64`,
 * how the app and the host write), else the text itself; then JSON, else the text.
 */
export function decodeQueueMessage(text: string): unknown {
  const candidate = fromBase64(text) ?? text;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return candidate;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fromBase64(text: string): string | undefined {
  const compact = text.trim();
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    return undefined;
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.toString('base64') !== compact) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function inOrder(
  ids: readonly string[],
  messages: ReadonlyMap<string, StoredQueueMessage>,
): StoredQueueMessage[] {
  return ids.flatMap((id) => {
    const message = messages.get(id);
    return message ? [message] : [];
  });
}

function storedMessage(item: {
  messageId: string;
  messageText: string;
  insertedOn: Date;
}): StoredQueueMessage {
  return { id: item.messageId, body: decodeQueueMessage(item.messageText), insertedOn: item.insertedOn };
}
