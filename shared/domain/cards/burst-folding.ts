import { z } from 'zod';
import { imageEventSchema, type ImageEvent } from '../events/image-event';
import type { NotificationPayload } from '../messages/action-messages';

/**
 * Burst folding: many pushes to one repository inside a window (a CI job pushing 20 tags) become one
 * card. Pure decisions over a small JSON state; the caller stores the state and schedules the flush.
 *
 * How the notifications function uses it (state keyed by channel + registry + repository, one row each,
 * written with ETag concurrency because queue batches run in parallel):
 *
 * - A `pushed` notification: read the row, `openOrAppendBurst(state, event, now, burstWindow)`, save the
 *   returned state unless `duplicate` (If-Match the ETag read; on 412 start over), and on
 *   `schedule-flush-at` send a flush message `{ channel, registry, repository, burstId }` with
 *   `delaySeconds`. Save first, then send: if the send fails, the redelivered push is the burst's opening
 *   event again and schedules the flush again (duplicate flush messages are harmless).
 * - A flush message: read the row, `flushBurst(state, now, burstId)`. `none`: drop the message. `wait`:
 *   send it again with `delaySeconds`. `send`: post the card for `payload`, then delete the row
 *   If-Match the ETag; on 412 (pushes arrived while posting) re-read and apply
 *   `settleFlushedBurst(current, flushed, now, burstWindow)`.
 * - A burst window of 0 means no folding: post every push directly and never call these.
 */

/** A burst flushed as one card: every push to one repository inside the window. */
export const foldedPushesSchema = z.strictObject({
  kind: z.literal('pushed-burst'),
  registry: z.string(),
  repository: z.string().min(1),
  /** Distinct pushes folded, at least `events.length` (events are stored up to a size budget). */
  total: z.number().int().positive(),
  /** The pushes in arrival order, as many as the stored state kept. */
  events: z.array(imageEventSchema),
});
export type FoldedPushes = z.infer<typeof foldedPushesSchema>;

/** The persisted state of one open burst. */
export const burstStateSchema = z.strictObject({
  version: z.literal(1),
  /** Names this burst in its flush message, so a late flush message cannot flush a later burst. */
  burstId: z.string().min(1),
  /** Dedupe key of the push that opened the burst: its redelivery schedules the flush again. */
  openedBy: z.string().min(1),
  registry: z.string(),
  repository: z.string().min(1),
  openedAt: z.iso.datetime({ offset: true }),
  flushAt: z.iso.datetime({ offset: true }),
  /** Distinct pushes folded so far. */
  total: z.number().int().positive(),
  events: z.array(imageEventSchema),
  /** Dedupe keys of pushes counted in `total` whose events did not fit; keeps appends idempotent. */
  moreKeys: z.array(z.string()),
});
export type BurstState = z.infer<typeof burstStateSchema>;

/**
 * Upper bound of `JSON.stringify(state)` in bytes. Under the 32 K characters an Azure Table string
 * property holds (64 KiB of UTF-16), so the state fits one property of one entity.
 */
export const maxBurstStateBytes = 30 * 1024;
/** Room kept for `moreKeys` once `events` is full: about 110 keys. */
const moreKeysReserveBytes = 4 * 1024;
/**
 * A burst this far past its flush time still holding state lost its flush message (it went to the
 * poison queue, or it is still retrying an outage): the next push moves the flush time to one window
 * from now and schedules a new flush message, so no push is ever folded into a burst that is never
 * sent. A duplicate flush message is harmless (the card is posted once per burst).
 */
export const overdueAfterMs = 60_000;

export type BurstStep =
  /** Save `state`, then schedule a flush message for `burstId` that becomes visible after `delaySeconds`. */
  | { action: 'schedule-flush-at'; state: BurstState; burstId: string; flushAt: Date; delaySeconds: number }
  /** Save `state`; the flush already scheduled will include this push. */
  | { action: 'appended'; state: BurstState }
  /** The push is already in the burst (a redelivery); nothing to save. */
  | { action: 'duplicate'; state: BurstState };

/** Opens a burst for the event's repository, or adds the event to the open one. */
export function openOrAppendBurst(
  state: BurstState | undefined,
  event: ImageEvent,
  now: Date,
  windowMs: number,
): BurstStep {
  if (state === undefined) {
    const openedAt = now.getTime();
    const opened = withPush(
      {
        version: 1,
        burstId: `${openedAt.toString(36)}-${event.dedupeKey.slice(0, 8)}`,
        openedBy: event.dedupeKey,
        registry: event.registry,
        repository: event.repository,
        openedAt: now.toISOString(),
        flushAt: new Date(openedAt + Math.max(0, windowMs)).toISOString(),
        total: 0,
        events: [],
        moreKeys: [],
      },
      event,
    );
    return schedule(opened, now);
  }
  if (state.registry !== event.registry || state.repository !== event.repository) {
    throw new Error(
      `burst state of ${state.registry}/${state.repository} passed for an event of ${event.registry}/${event.repository}`,
    );
  }
  if (contains(state, event.dedupeKey)) {
    // The opening push redelivered: its first delivery may have saved the state but failed to send the
    // flush message, so schedule again rather than risk a burst that is never flushed.
    return event.dedupeKey === state.openedBy ? schedule(state, now) : { action: 'duplicate', state };
  }
  const next = withPush(state, event);
  if (now.getTime() < Date.parse(state.flushAt) + overdueAfterMs) return { action: 'appended', state: next };
  // Overdue: flush one window from now (the pushes right after this one join that flush instead of
  // each scheduling another).
  return schedule({ ...next, flushAt: new Date(now.getTime() + Math.max(0, windowMs)).toISOString() }, now);
}

export type FlushStep =
  /** Post the card for `payload`, then delete the state (see `settleFlushedBurst` on a conflict). */
  | { action: 'send'; payload: NotificationPayload | FoldedPushes; flushed: BurstState }
  /** The flush message came early (clock skew between instances); send it again with this delay. */
  | { action: 'wait'; until: Date; delaySeconds: number }
  /** Nothing to do: drop the flush message. */
  | { action: 'none'; reason: string };

/**
 * Decides what a flush message does. A burst of one push becomes a plain `pushed` payload, so a single
 * push looks the same with or without folding.
 */
export function flushBurst(state: BurstState | undefined, now: Date, burstId?: string): FlushStep {
  if (state === undefined) return { action: 'none', reason: 'no burst is open for this repository' };
  if (burstId !== undefined && burstId !== state.burstId) {
    return { action: 'none', reason: `burst ${burstId} was already flushed; ${state.burstId} is open` };
  }
  const flushAt = Date.parse(state.flushAt);
  if (now.getTime() < flushAt) {
    return { action: 'wait', until: new Date(flushAt), delaySeconds: secondsUntil(flushAt, now) };
  }
  const [only] = state.events;
  const payload: NotificationPayload | FoldedPushes =
    state.total === 1 && only !== undefined && state.events.length === 1
      ? { kind: 'pushed', event: only }
      : {
          kind: 'pushed-burst',
          registry: state.registry,
          repository: state.repository,
          total: state.total,
          events: state.events,
        };
  return { action: 'send', payload, flushed: state };
}

export type SettleStep =
  /** Everything in the row was sent: delete it. */
  | { action: 'delete' }
  /** The row holds another burst already; leave it alone. */
  | { action: 'keep' }
  /** Pushes arrived while the card was being posted: save this new burst and schedule its flush. */
  | Extract<BurstStep, { action: 'schedule-flush-at' }>;

/**
 * After posting `flushed`, what to do with the row when it changed in the meantime: drop the pushes
 * that were sent and open a new burst for the rest.
 */
export function settleFlushedBurst(
  current: BurstState | undefined,
  flushed: BurstState,
  now: Date,
  windowMs: number,
): SettleStep {
  if (current === undefined || current.burstId !== flushed.burstId) return { action: 'keep' };
  const sent = new Set([...flushed.events.map((event) => event.dedupeKey), ...flushed.moreKeys]);
  const events = current.events.filter((event) => !sent.has(event.dedupeKey));
  const moreKeys = current.moreKeys.filter((key) => !sent.has(key));
  const total = current.total - flushed.total;
  if (total <= 0) return { action: 'delete' };
  const first = events[0]?.dedupeKey ?? moreKeys[0] ?? current.openedBy;
  const rest: BurstState = {
    ...current,
    burstId: `${now.getTime().toString(36)}-${first.slice(0, 8)}`,
    openedBy: first,
    openedAt: now.toISOString(),
    flushAt: new Date(now.getTime() + Math.max(0, windowMs)).toISOString(),
    total,
    events,
    moreKeys,
  };
  return schedule(rest, now);
}

/** Reads a stored state; undefined (start afresh) when it is missing or from an unknown version. */
export function parseBurstState(json: string | undefined): BurstState | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed = burstStateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function contains(state: BurstState, dedupeKey: string): boolean {
  return state.events.some((stored) => stored.dedupeKey === dedupeKey) || state.moreKeys.includes(dedupeKey);
}

/** Counts the push and stores as much of it as the size budget allows. */
function withPush(state: BurstState, event: ImageEvent): BurstState {
  const counted = { ...state, total: state.total + 1 };
  const withEvent = { ...counted, events: [...state.events, event] };
  if (bytes(withEvent) <= maxBurstStateBytes - moreKeysReserveBytes) return withEvent;
  const withKey = { ...counted, moreKeys: [...state.moreKeys, event.dedupeKey] };
  // Past this point pushes are only counted: a redelivery of one of them would be counted twice, which
  // is the price of a bounded state after a few hundred pushes in one window.
  return bytes(withKey) <= maxBurstStateBytes ? withKey : counted;
}

function schedule(state: BurstState, now: Date): Extract<BurstStep, { action: 'schedule-flush-at' }> {
  const flushAt = Date.parse(state.flushAt);
  return {
    action: 'schedule-flush-at',
    state,
    burstId: state.burstId,
    flushAt: new Date(flushAt),
    delaySeconds: secondsUntil(flushAt, now),
  };
}

function secondsUntil(time: number, now: Date): number {
  return Math.max(0, Math.ceil((time - now.getTime()) / 1000));
}

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
