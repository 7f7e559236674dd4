import type { z } from 'zod';
import { DomainError, formatIssues } from '../../domain/errors';
import { poisonQueueOf } from '../../domain/messages/queues';
import type { Logger, QueueSender } from '../../domain/ports';
import { issuesFromZod } from '../../domain/zod-issues';

/**
 * Validates a queue message on the consumer side; an unreadable one fails with `invalid-message`
 * (not retryable) listing each problem by path.
 */
export function readQueueMessage<T extends z.ZodType>(
  schema: T,
  message: unknown,
  queue: string,
): z.output<T> {
  const parsed = schema.safeParse(message);
  if (parsed.success) return parsed.data;
  throw new DomainError('invalid-message', `unreadable message on ${queue}`, {
    issues: issuesFromZod(parsed.error),
  });
}

/**
 * Runs a queue consumer's work; a message that fails validation is parked on `<queue>-poison` at
 * once (retrying cannot fix it, and dropping it would lose it), with every problem in the log.
 */
export async function consumeQueueMessage<T extends z.ZodType>(
  options: { schema: T; queue: string; message: unknown; poison: QueueSender; log: Logger },
  work: (message: z.output<T>) => Promise<void>,
): Promise<void> {
  let parsed: z.output<T>;
  try {
    parsed = readQueueMessage(options.schema, options.message, options.queue);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await options.poison.send(poisonQueueOf(options.queue), options.message);
    options.log.error(
      `${error.message}; moved to ${poisonQueueOf(options.queue)}:\n${formatIssues(error.issues)}`,
    );
    return;
  }
  await work(parsed);
}
