import { createHash } from 'node:crypto';
import { createOutboundClient } from '../../shared/adapters/http/outbound-client';
import { runQueueConsumer } from '../../shared/adapters/queue/queue-consumer';
import { createTeamsPoster } from '../../shared/adapters/teams/post-to-workflows';
import { outboundHosts } from '../../shared/domain/config/outbound-hosts';
import { configSchema } from '../../shared/domain/config/schema';
import type { ImageEvent } from '../../shared/domain/events/image-event';
import type { Notification, NotificationPayload } from '../../shared/domain/messages/action-messages';
import { handleNotification, notifyQueue } from '../../shared/domain/notify/handle-notification';
import type { NotifyDeps } from '../../shared/domain/notify/notify-types';
import { defaultRetryPolicy } from '../../shared/domain/retry/retry-policy';
import type { QueueSender } from '../../shared/domain/ports';
import { captureLogger, memoryDedupe } from './fakes';
import { memoryStateStore } from './memory-state-store';

export const signature = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1iZS1sb2dnZWQ';
export const teamsUrl =
  'https://prod-12.westeurope.logic.azure.com/workflows/0a1b2c3d/triggers/manual/paths/invoke' +
  `?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${signature}`;
export const start = Date.parse('2026-11-25T10:00:00.000Z');

export function push(
  tag: string,
  repository = 'payments/api',
  action: ImageEvent['action'] = 'push',
): ImageEvent {
  return {
    id: `evt-${repository}-${tag}-${action}`,
    source: 'acr-webhook',
    action,
    registry: 'contoso.azurecr.io',
    repository,
    tag,
    digest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
    occurredAt: new Date(start).toISOString(),
    dedupeKey: createHash('sha256').update(`${repository}:${tag}:${action}`).digest('hex').slice(0, 32),
  };
}

export function notification(payload: NotificationPayload, channel = 'platform'): Notification {
  const event = 'event' in payload ? payload.event : undefined;
  return {
    type: 'notify',
    dedupeKey: event?.dedupeKey ?? 'retention-2026-11-25',
    correlationId: event?.id ?? 'retention-run',
    channel,
    payload,
  };
}

/** A queue that records the delay of each message too. */
export function delayQueue(options: { failOn?: string; failTimes?: number } = {}) {
  const sent: { queue: string; message: unknown; delaySeconds: number | undefined }[] = [];
  let failures = options.failTimes ?? Infinity;
  const queue: QueueSender & { sent: typeof sent } = {
    sent,
    async send(name, message, sendOptions) {
      if (name === options.failOn && failures > 0) {
        failures--;
        throw new Error(`queue ${name} is down`);
      }
      sent.push({
        queue: name,
        message: JSON.parse(JSON.stringify(message)),
        delaySeconds: sendOptions?.delaySeconds,
      });
    },
  };
  return queue;
}

/** A fetch answering from a script (default 202), recording each body; stands in for a Workflows URL. */
export function scriptedFetch(...statuses: number[]) {
  const posts: { url: string; body: unknown }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({ url: String(url), body: JSON.parse(String(init?.body)) as unknown });
    return new Response(statuses.length > 0 ? `status ${statuses[0]}` : '', {
      status: statuses.shift() ?? 202,
    });
  }) as typeof globalThis.fetch;
  return { fetch, posts };
}

/** Deps over in-memory fakes and the real poster with a scripted fetch (no sleeping between attempts). */
export function notifyDeps(
  options: { yaml?: Record<string, unknown>; statuses?: number[]; env?: Record<string, string> } = {},
) {
  const clock = { now: start };
  const log = captureLogger();
  const queue = delayQueue();
  const dedupe = memoryDedupe();
  const state = memoryStateStore();
  const teams = scriptedFetch(...(options.statuses ?? []));
  const config = configSchema.parse({
    teams: {
      platform: { urlFrom: 'TEAMS_PLATFORM' },
      releases: { urlFrom: 'TEAMS_RELEASES', mode: 'card' },
    },
    notifications: { burstWindow: '30s' },
    ...options.yaml,
  });
  const env: Record<string, string> = {
    TEAMS_PLATFORM: teamsUrl,
    TEAMS_RELEASES: teamsUrl.replace('0a1b2c3d', 'releases'),
    ...options.env,
  };
  const deps: NotifyDeps = {
    config,
    setting: (name) => env[name],
    poster: createTeamsPoster({
      http: createOutboundClient({
        fetch: teams.fetch,
        allowedHosts: outboundHosts(config),
        allowInsecureLoopback: false,
        sleep: async () => undefined,
        log,
      }),
      log,
    }),
    queue,
    dedupe,
    state,
    clock: () => new Date(clock.now),
    log,
  };
  return { deps, clock, log, queue, dedupe, state, teams };
}

/**
 * Runs one notifications-queue message through the queue-consumer runner as the function does,
 * as attempt `attempt` (of 5 by default), with the deps' queue and log.
 */
export function consumeNotification(
  run: ReturnType<typeof notifyDeps>,
  message: unknown,
  options: { attempt?: number; maxAttempts?: number } = {},
) {
  const { attempt = 1, maxAttempts = 5 } = options;
  const raw =
    attempt > 1
      ? { ...(message as object), delivery: { attempt, firstAttemptAt: new Date(start).toISOString() } }
      : message;
  return runQueueConsumer(
    {
      queue: run.queue,
      log: run.log,
      clock: run.deps.clock,
      random: () => 0.5,
      retry: { ...defaultRetryPolicy, maxAttempts },
    },
    notifyQueue,
    (parsed) => handleNotification(run.deps, parsed),
    raw,
  );
}
