import picomatch from 'picomatch';
import type { Config } from '../config/schema';
import type { ImageEvent } from '../events/image-event';
import type { ResolvedNotifyRoute, RetentionRequest } from '../messages/action-messages';
import { retentionRegistryResolver } from './retention-registries';

/** A matching rule with `retain: true`. */
export interface RetainingRule {
  rule: { index: number; name?: string };
  notify: ResolvedNotifyRoute[];
  /** `rule "web"` / `rules[2]`, for notes. */
  label: string;
}

const pushActions = new Set<ImageEvent['action']>(['push', 'chart_push']);

/**
 * The push-triggered retention requests for an event (issue 11 §5): one for the pushed repository when
 * a matching rule says `retain: true` or a retention policy with `onPush: true` covers the registry and
 * repository. At most one request per event (the run plans the whole repository anyway); the first
 * retaining rule's routes go with it. Pure.
 */
export function retentionRequestsFor(
  event: ImageEvent,
  config: Pick<Config, 'retention' | 'registryAliases'>,
  retaining: readonly RetainingRule[],
): { messages: RetentionRequest[]; notes: string[] } {
  const retention = config.retention;
  const notes: string[] = [];
  if (!pushActions.has(event.action)) {
    return {
      messages: [],
      notes: retaining.map(({ label }) => `${label}: ${event.action} events do not trigger retention`),
    };
  }
  const registry = retention
    ? retentionRegistryResolver(retention.registries, config.registryAliases)(event.registry)
    : undefined;
  if (!registry || !retention) {
    for (const { label } of retaining) {
      notes.push(
        `${label}: retain: true, but no retention registry has the login server "${event.registry}"; add it to retention.registries`,
      );
    }
    return { messages: [], notes };
  }
  const byPolicy = retention.policies.some(
    (policy) =>
      policy.onPush &&
      (policy.registries === undefined || policy.registries.includes(registry.name)) &&
      picomatch(policy.repositories, { dot: true })(event.repository),
  );
  const first = retaining[0];
  if (!first && !byPolicy) return { messages: [], notes };
  // `retention.notify` goes with the request too, so a request parked on the poison queue still
  // reports to those channels (the runner's failure card only sees the message).
  const notify = new Map((first?.notify ?? []).map((route) => [route.channel, route]));
  for (const channel of retention.notify ?? []) {
    const kinds = new Set([...(notify.get(channel)?.kinds ?? []), 'retention', 'failed'] as const);
    notify.set(channel, { channel, kinds: [...kinds] });
  }
  return {
    messages: [
      {
        type: 'retention',
        dedupeKey: event.dedupeKey,
        correlationId: event.id,
        event,
        registry: registry.name,
        repository: event.repository,
        ...(first ? { rule: first.rule } : {}),
        notify: [...notify.values()],
      },
    ],
    notes,
  };
}
