import {
  notificationSchema,
  type Notification,
  type NotificationPayload,
  type ResolvedNotifyRoute,
} from './action-messages';

/** The channels of `routes` that asked for cards of `kind`, each once. */
export function channelsWanting(
  routes: readonly ResolvedNotifyRoute[],
  kind: NotificationPayload['kind'],
): string[] {
  return [...new Set(routes.filter((route) => route.kinds.includes(kind)).map((route) => route.channel))];
}

/**
 * One notification per channel of the request's routes that asked for this payload's kind, validated
 * against the contract. `dedupeKey` is the outcome's key: the Teams consumer posts a card once per key,
 * kind and channel, so a redelivered request does not post its card twice.
 */
export function outcomeNotifications(
  request: { notify: readonly ResolvedNotifyRoute[]; correlationId: string },
  dedupeKey: string,
  payload: NotificationPayload,
): Notification[] {
  return channelsWanting(request.notify, payload.kind).map((channel) =>
    notificationSchema.parse({
      type: 'notify',
      dedupeKey,
      correlationId: request.correlationId,
      channel,
      payload,
    }),
  );
}
