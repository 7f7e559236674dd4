import { ConfigError, DomainError } from '../errors';
import { describeImage } from '../events/image-event';
import type { Notification, NotificationPayload } from '../messages/action-messages';
import {
  notificationQueueMessageSchema,
  type NotificationQueueMessage,
} from '../messages/notification-queue';
import type { QueueContract } from '../messages/queue-contract';
import { queueNames } from '../messages/queues';
import { actionTarget } from '../trace/action-target';
import { summarizeNotify } from '../trace/outcome-summaries';
import { flushBurstMessage } from './flush-burst-message';
import { foldPush } from './fold-push';
import type { NotifyDeps, NotifyOutcome } from './notify-types';
import { notifyKey, postCardOnce } from './post-card-once';
import { resolveChannel, type ResolvedChannel } from './resolve-channel';

/** The notifications queue for the queue-consumer runner (no failure card: Teams is what failed). */
export const notifyQueue: QueueContract<NotificationQueueMessage, NotifyOutcome> = {
  queue: queueNames.notify,
  action: 'notify',
  schema: notificationQueueMessageSchema,
  describe: describeMessage,
  // Outcome cards carry `<event key>:<action>:…`; the event inside names the push.
  traceKey: (message) =>
    (message.type === 'notify' && 'event' in message.payload
      ? message.payload.event?.dedupeKey
      : undefined) ?? message.dedupeKey,
  target: actionTarget,
  summarize: summarizeNotify,
};

/**
 * Delivers one message of the notifications queue to Teams: a notification becomes one card (pushes
 * are folded into bursts when `notifications.burstWindow` > 0), a flush message posts its burst.
 *
 * Failures that retrying cannot fix (unknown channel, unset URL setting, a URL the policy refuses, a
 * 4xx from the flow) throw a `ConfigError`/`DomainError` that is not retryable and says what to fix;
 * others throw a retryable one. No message holds the channel's URL.
 */
export async function handleNotification(
  deps: NotifyDeps,
  message: NotificationQueueMessage,
): Promise<NotifyOutcome> {
  const resolved = resolveChannel(deps, message.channel);
  if (!resolved.ok) throw new ConfigError(resolved.problem);
  const channel = resolved.channel;
  let outcome: NotifyOutcome;
  try {
    outcome = await deliver(deps, channel, message);
  } catch (thrown) {
    if (thrown instanceof DomainError && !thrown.retryable && thrown.code !== 'config') {
      throw new DomainError(
        thrown.code,
        `${thrown.message}; fix teams.${channel.name} or the app setting ${channel.settingName}`,
        { cause: thrown },
      );
    }
    throw thrown;
  }
  if (outcome.kind === 'duplicate')
    deps.log.info(`${describeMessage(message)} was already delivered; skipped`);
  return outcome;
}

async function deliver(
  deps: NotifyDeps,
  channel: ResolvedChannel,
  message: NotificationQueueMessage,
): Promise<NotifyOutcome> {
  if (message.type === 'notify-flush') return flushBurstMessage(deps, channel, message);
  const { payload } = message;
  if (payload.kind === 'pushed' && deps.config.notifications.burstWindow > 0) {
    return foldPush(deps, channel, { event: payload.event, correlationId: message.correlationId });
  }
  const key = notifyKey(message.dedupeKey, payload.kind, channel.name);
  const posted = await postCardOnce(deps, channel, key, payload);
  if (posted === 'posted') deps.log.info(`posted ${describeMessage(message)}`);
  return { kind: posted, channel: channel.name };
}

/** `the pinned card for … to Teams channel "platform" (correlation …)`. */
export function describeMessage(message: NotificationQueueMessage): string {
  const to = `to Teams channel "${message.channel}" (correlation ${message.correlationId})`;
  if (message.type === 'notify-flush') {
    const where = `${message.registry ? `${message.registry}/` : ''}${message.repository}`;
    return `the flush of burst ${message.burstId} of ${where} ${to}`;
  }
  return `the ${message.payload.kind} card for ${describePayload(message.payload)} ${to}`;
}

function describePayload(payload: Notification['payload'] | NotificationPayload): string {
  switch (payload.kind) {
    case 'retention':
      return `a ${payload.dryRun ? 'dry-run ' : ''}retention run over ${payload.registries.length} registry(ies)`;
    case 'failed':
      return payload.event ? `${payload.action} of ${describeImage(payload.event)}` : `${payload.action}`;
    default:
      return describeImage(payload.event);
  }
}
