import { openOrAppendBurst, type BurstStep } from '../cards/burst-folding';
import { describeImage, type ImageEvent } from '../events/image-event';
import { burstScope, type NotifyDeps, type NotifyOutcome } from './notify-types';
import { burstKey, keptChanging, maxStateRounds, readBurst, scheduleFlush } from './burst-state';
import { claimNotify, completeNotify, notifyKey, releaseNotify } from './post-card-once';
import type { ResolvedChannel } from './resolve-channel';

/**
 * Adds a push to its repository's open burst (opening one and scheduling its flush when there is
 * none), following the protocol in shared/domain/cards/burst-folding.ts: save the state with ETag
 * concurrency first, then send the flush message. The push's notify key counts as done only after
 * both, so a redelivery after a failure repeats the step, and one after success is a duplicate (also
 * once the burst has been flushed and its row deleted).
 */
export async function foldPush(
  deps: NotifyDeps,
  channel: ResolvedChannel,
  push: { event: ImageEvent; correlationId: string },
): Promise<NotifyOutcome> {
  const { event } = push;
  const key = notifyKey(event.dedupeKey, 'pushed', channel.name);
  if ((await claimNotify(deps, key)) === 'duplicate') return { kind: 'duplicate', channel: channel.name };
  let step: BurstStep;
  try {
    step = await appendToBurst(deps, channel.name, push);
  } catch (error) {
    await releaseNotify(deps, key);
    throw error;
  }
  await completeNotify(deps, key);
  const scheduled = step.action === 'schedule-flush-at';
  deps.log.info(
    `folded push ${describeImage(event)} into burst ${step.state.burstId} for Teams channel "${channel.name}" ` +
      `(${step.state.total} push(es) so far; ${scheduled ? 'flush scheduled' : 'flush already scheduled'} for ${step.state.flushAt})`,
  );
  return { kind: 'folded', channel: channel.name, burstId: step.state.burstId, scheduled };
}

async function appendToBurst(
  deps: NotifyDeps,
  channel: string,
  push: { event: ImageEvent; correlationId: string },
): Promise<BurstStep> {
  const { event } = push;
  const key = burstKey(channel, event.registry, event.repository);
  for (let round = 1; round <= maxStateRounds; round++) {
    const { state, etag } = await readBurst(deps, key);
    const step = openOrAppendBurst(state, event, deps.clock(), deps.config.notifications.burstWindow);
    if (step.action === 'duplicate') return step;
    // Parallel pushes to one repository race here: the loser re-reads and appends to the winner's state.
    if ((await deps.state.put(burstScope, key, step.state, etag)) === 'conflict') continue;
    if (step.action === 'schedule-flush-at') {
      await scheduleFlush(deps, channel, step.state, step.delaySeconds, push.correlationId);
    }
    return step;
  }
  throw keptChanging(`${event.registry}/${event.repository}`);
}
