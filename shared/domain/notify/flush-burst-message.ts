import { flushBurst, settleFlushedBurst, type BurstState } from '../cards/burst-folding';
import type { NotifyFlush } from '../messages/notification-queue';
import { deferral } from '../messages/queue-contract';
import { burstScope, type NotifyDeps, type NotifyOutcome } from './notify-types';
import { burstKey, keptChanging, maxStateRounds, readBurst, scheduleFlush } from './burst-state';
import { notifyKey, postCardOnce } from './post-card-once';
import type { ResolvedChannel } from './resolve-channel';

/**
 * Handles a burst's flush message (protocol in shared/domain/cards/burst-folding.ts): too early → a
 * deferral for the remaining delay (the runner sends it again); already flushed → dropped; due → the folded card is posted once per
 * burst, then the row is deleted If-Match, or settled when pushes arrived while the card was posted.
 * A retry after the card went out finds the burst's notify key done and only settles the row.
 */
export async function flushBurstMessage(
  deps: NotifyDeps,
  channel: ResolvedChannel,
  flush: NotifyFlush,
): Promise<NotifyOutcome> {
  const key = burstKey(channel.name, flush.registry, flush.repository);
  const { state, etag } = await readBurst(deps, key);
  const step = flushBurst(state, deps.clock(), flush.burstId);
  const where = `${flush.registry ? `${flush.registry}/` : ''}${flush.repository}`;
  if (step.action === 'none') {
    deps.log.info(`nothing to flush for ${where} on Teams channel "${channel.name}": ${step.reason}`);
    return { kind: 'nothing-to-flush', channel: channel.name, reason: step.reason };
  }
  if (step.action === 'wait') {
    return deferral(step.delaySeconds * 1000, `burst ${flush.burstId} of ${where} is not due yet`);
  }

  const cardKey = notifyKey(flush.dedupeKey, `burst-${flush.burstId}`, channel.name);
  const posted = await postCardOnce(deps, channel, cardKey, step.payload);
  // `etag` is defined: flushBurst only answers `send` for a stored burst.
  await settle(deps, channel.name, key, step.flushed, etag ?? '', flush.correlationId);
  const pushes = step.flushed.total;
  deps.log.info(
    posted === 'posted'
      ? `posted the card for ${pushes} push(es) to ${where} (burst ${flush.burstId}) to Teams channel "${channel.name}"`
      : `the card of burst ${flush.burstId} (${where}) was already posted to Teams channel "${channel.name}"; cleared its state`,
  );
  return { kind: posted, channel: channel.name };
}

/** Deletes the flushed row, or keeps the pushes that arrived meanwhile as a new burst. */
async function settle(
  deps: NotifyDeps,
  channel: string,
  key: string,
  flushed: BurstState,
  etag: string,
  correlationId: string,
): Promise<void> {
  let expected = etag;
  for (let round = 1; round <= maxStateRounds; round++) {
    if ((await deps.state.delete(burstScope, key, expected)) === 'ok') return;
    const current = await readBurst(deps, key);
    const step = settleFlushedBurst(
      current.state,
      flushed,
      deps.clock(),
      deps.config.notifications.burstWindow,
    );
    if (step.action === 'keep' || current.etag === undefined) return;
    if (step.action === 'delete') {
      expected = current.etag;
      continue;
    }
    if ((await deps.state.put(burstScope, key, step.state, current.etag)) === 'conflict') continue;
    await scheduleFlush(deps, channel, step.state, step.delaySeconds, correlationId);
    deps.log.info(
      `${step.state.total} push(es) to ${flushed.repository} arrived while burst ${flushed.burstId} was posted; ` +
        `they open burst ${step.state.burstId}`,
    );
    return;
  }
  throw keptChanging(`${flushed.registry}/${flushed.repository}`);
}
