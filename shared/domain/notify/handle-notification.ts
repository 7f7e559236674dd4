import { DomainError } from '../errors';
import { describeImage } from '../events/image-event';
import type { Notification, NotificationPayload } from '../messages/action-messages';
import type { NotificationQueueMessage } from '../messages/notification-queue';
import { poisonQueueOf, queueNames } from '../messages/queues';
import { flushBurstMessage } from './flush-burst-message';
import { foldPush } from './fold-push';
import type { Delivery, NotifyDeps, NotifyOutcome } from './notify-types';
import { notifyKey, postCardOnce } from './post-card-once';
import { resolveChannel, type ResolvedChannel } from './resolve-channel';

const poisonQueue = poisonQueueOf(queueNames.notify);

/**
 * Delivers one message of the notifications queue to Teams: a notification becomes one card (pushes
 * are folded into bursts when `notifications.burstWindow` > 0), a flush message posts its burst.
 *
 * Failures that retrying cannot fix (unknown channel, unset URL setting, a URL the policy refuses, a
 * 4xx from the flow) are logged with what to fix and the message is parked on notifications-poison;
 * nothing is thrown. Retryable failures are thrown so the queue tries again, and the last attempt says
 * that the message goes to the poison queue. No log line holds the channel's URL.
 */
export async function handleNotification(
  deps: NotifyDeps,
  message: NotificationQueueMessage,
  delivery: Delivery,
): Promise<NotifyOutcome> {
  const what = describeMessage(message);
  const resolved = resolveChannel(deps, message.channel);
  if (!resolved.ok) return park(deps, message, `cannot deliver ${what}: ${resolved.problem}`);
  const channel = resolved.channel;
  try {
    const outcome = await deliver(deps, channel, message);
    if (outcome.kind === 'duplicate') deps.log.info(`${what} was already delivered; skipped`);
    return outcome;
  } catch (thrown) {
    if (thrown instanceof DomainError && !thrown.retryable) {
      return park(
        deps,
        message,
        `cannot deliver ${what}: ${thrown.message}. Fix teams.${channel.name} or the app setting ` +
          `${channel.settingName}, then move the message back to ${queueNames.notify}`,
      );
    }
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    const attempt = `attempt ${delivery.attempt} of ${delivery.maxAttempts}`;
    if (delivery.attempt >= delivery.maxAttempts) {
      deps.log.error(
        `${what} failed on the last ${attempt}; the host moves it to ${poisonQueue}: ${reason}` +
          (message.type === 'notify-flush'
            ? '. The burst stays stored: the next push to the repository flushes it, or replay the message'
            : ''),
      );
    } else {
      deps.log.warn(`${what} failed (${attempt}); the queue retries it: ${reason}`);
    }
    throw thrown;
  }
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

async function park(
  deps: NotifyDeps,
  message: NotificationQueueMessage,
  reason: string,
): Promise<NotifyOutcome> {
  await deps.queue.send(poisonQueue, message);
  deps.log.error(`${reason}; moved the message to ${poisonQueue} (retrying cannot help)`);
  return { kind: 'parked', channel: message.channel, reason };
}

function describeMessage(message: NotificationQueueMessage): string {
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
