import { z } from 'zod';
import { notificationSchema } from './action-messages';

/**
 * Deferred flush of a burst of pushes (see shared/domain/cards/burst-folding.ts): sent to the
 * notifications queue with a visibility delay when a burst opens, it posts the folded card when the
 * window has passed.
 */
export const notifyFlushSchema = z.strictObject({
  type: z.literal('notify-flush'),
  /** Key of `teams` in the config. */
  channel: z.string().min(1),
  registry: z.string(),
  repository: z.string().min(1),
  /** Names the burst, so a late flush message cannot flush a later burst of the same repository. */
  burstId: z.string().min(1),
  /** Dedupe key of the push that opened the burst. */
  dedupeKey: z.string().min(1),
  /** Correlation id of the push that opened the burst. */
  correlationId: z.string().min(1),
});
export type NotifyFlush = z.infer<typeof notifyFlushSchema>;

/** Everything on the `notifications` queue: a notification from ingress or an action, or a burst flush. */
export const notificationQueueMessageSchema = z.discriminatedUnion('type', [
  notificationSchema,
  notifyFlushSchema,
]);
export type NotificationQueueMessage = z.infer<typeof notificationQueueMessageSchema>;
