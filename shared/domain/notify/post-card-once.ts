import { createHash } from 'node:crypto';
import { buildTeamsMessage, type CardPayload } from '../cards/build-teams-message';
import { DomainError } from '../errors';
import { notifyScope, type NotifyDeps } from './notify-types';
import type { ResolvedChannel } from './resolve-channel';

/**
 * The idempotency key of one card on one channel, `${dedupeKey}:${kind}:${channel}`. Table row keys may
 * not hold `/ \ # ?` or control characters and stop at 1 KiB; the dedupe key of an action outcome is
 * free text, so a key that is not plainly safe is hashed instead of failing every attempt.
 */
export function notifyKey(dedupeKey: string, kind: string, channel: string): string {
  const key = `${dedupeKey}:${kind}:${channel}`;
  return /^[\w.:@=+-]{1,400}$/.test(key) ? key : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * Claims `key` in the notify scope. `in-flight` (another delivery holds the key right now) is thrown as
 * retryable, also on the last attempt: parked on the poison queue the message stays replayable, and a
 * replay after the other delivery posted is answered `duplicate`. Dropping it could lose the card when
 * the holder was this message's own earlier attempt, whose release failed.
 */
export async function claimNotify(
  deps: Pick<NotifyDeps, 'dedupe' | 'config' | 'clock'>,
  key: string,
): Promise<'claimed' | 'duplicate'> {
  const claim = await deps.dedupe.claim(notifyScope, key, {
    now: deps.clock(),
    windowMs: deps.config.ingress.dedupeWindow,
  });
  if (claim !== 'in-flight') return claim;
  throw new DomainError('in-flight', `another delivery of ${key} is being handled right now`, {
    retryable: true,
  });
}

/** Marks `key` done; a failure only costs a possible second card later, so it is logged, not thrown. */
export async function completeNotify(deps: Pick<NotifyDeps, 'dedupe' | 'clock' | 'log'>, key: string) {
  await deps.dedupe
    .complete(notifyScope, key, { now: deps.clock(), actions: 1 })
    .catch((error: unknown) => deps.log.warn(`could not mark ${key} done: ${String(error)}`));
}

/** Gives `key` back after a failure so the retry posts; never hides the failure that led here. */
export async function releaseNotify(deps: Pick<NotifyDeps, 'dedupe' | 'log'>, key: string) {
  await deps.dedupe
    .release(notifyScope, key)
    .catch((error: unknown) => deps.log.error(`could not release ${key}: ${String(error)}`));
}

/** Builds the channel's message for `payload` (envelope or bare card, as configured) and posts it. */
export async function postCard(
  deps: Pick<NotifyDeps, 'poster'>,
  channel: ResolvedChannel,
  payload: CardPayload,
): Promise<void> {
  const message = buildTeamsMessage(payload, { mode: channel.mode });
  await deps.poster.post(channel.url, message, {
    settingName: channel.settingName,
    allowedHosts: channel.allowedHosts,
    channel: channel.name,
  });
}

/**
 * Posts the card at most once per key: claim, post, complete; released when the post fails so the
 * queue's retry posts it. A duplicate posts nothing.
 */
export async function postCardOnce(
  deps: NotifyDeps,
  channel: ResolvedChannel,
  key: string,
  payload: CardPayload,
): Promise<'posted' | 'duplicate'> {
  const claim = await claimNotify(deps, key);
  if (claim !== 'claimed') return claim;
  try {
    await postCard(deps, channel, payload);
  } catch (error) {
    await releaseNotify(deps, key);
    throw error;
  }
  await completeNotify(deps, key);
  return 'posted';
}
