import { burstStateSchema, type BurstState } from '../cards/burst-folding';
import { UpstreamError } from '../errors';
import { queueNames } from '../messages/queues';
import type { NotifyFlush } from '../messages/notification-queue';
import type { StoredState } from '../ports';
import { burstScope, type NotifyDeps } from './notify-types';

/**
 * One open burst per channel, registry and repository. The store hashes the key into a row key, so
 * the separator only has to keep the parts apart (none of them can hold a newline).
 */
export function burstKey(channel: string, registry: string, repository: string): string {
  return [channel, registry, repository].join('\n');
}

/**
 * Read-modify-write rounds before giving up on a row that keeps changing (the queue retries later).
 * Each round lets at least one writer win, so this covers a whole host.json batch (16) pushing to one
 * repository at once.
 */
export const maxStateRounds = 20;

export interface ReadBurst {
  /** The burst, or undefined when there is none or the row holds something unreadable (overwritten). */
  state: BurstState | undefined;
  /** The row's ETag when a row exists, readable or not: writes must replace it, not create one. */
  etag: string | undefined;
}

export async function readBurst(deps: Pick<NotifyDeps, 'state'>, key: string): Promise<ReadBurst> {
  const stored: StoredState<unknown> | undefined = await deps.state.get<unknown>(burstScope, key);
  if (!stored) return { state: undefined, etag: undefined };
  const parsed = burstStateSchema.safeParse(stored.value);
  return { state: parsed.success ? parsed.data : undefined, etag: stored.etag };
}

/** Sends the flush message of `state`'s burst, visible after `delaySeconds`. */
export async function scheduleFlush(
  deps: Pick<NotifyDeps, 'queue'>,
  channel: string,
  state: BurstState,
  delaySeconds: number,
  correlationId: string,
): Promise<void> {
  const flush: NotifyFlush = {
    type: 'notify-flush',
    channel,
    registry: state.registry,
    repository: state.repository,
    burstId: state.burstId,
    dedupeKey: state.openedBy,
    // Ingress sets a notification's correlation id to its event's id, so the opener's id ties it up.
    correlationId: state.events.find((event) => event.dedupeKey === state.openedBy)?.id ?? correlationId,
  };
  await deps.queue.send(queueNames.notify, flush, { delaySeconds });
}

export function keptChanging(what: string): UpstreamError {
  return new UpstreamError(
    `the burst state of ${what} changed ${maxStateRounds} times while being updated; the queue retries`,
  );
}
