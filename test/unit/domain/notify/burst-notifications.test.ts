import { describe, expect, it } from 'vitest';
import { cardOf } from '../../../../shared/domain/cards/teams-message';
import { notifyFlushSchema, type NotifyFlush } from '../../../../shared/domain/messages/notification-queue';
import { handleNotification } from '../../../../shared/domain/notify/handle-notification';
import { burstKey } from '../../../../shared/domain/notify/burst-state';
import type { BurstState } from '../../../../shared/domain/cards/burst-folding';
import {
  consumeNotification,
  delayQueue,
  notification,
  notifyDeps,
  push,
} from '../../../helpers/notify-fakes';

const pushed = (tag: string, repository?: string, channel?: string) =>
  notification({ kind: 'pushed', event: push(tag, repository) }, channel);
const key = burstKey('platform', 'contoso.azurecr.io', 'payments/api');

type Run = ReturnType<typeof notifyDeps>;
const flushes = (run: Run) =>
  run.queue.sent.filter((s) => (s.message as { type: string }).type === 'notify-flush') as {
    message: NotifyFlush;
    delaySeconds: number | undefined;
  }[];
const stored = (run: Run) => run.state.value('burst', key) as BurstState | undefined;
const cardText = (run: Run, index = 0) => JSON.stringify(cardOf(run.teams.posts[index]?.body));

/** Delivers every scheduled flush message, as the queue would once their delay has passed. */
async function deliverFlushes(run: Run) {
  const due = flushes(run);
  run.queue.sent.length = 0;
  const outcomes = [];
  for (const flush of due) outcomes.push(await handleNotification(run.deps, flush.message));
  return outcomes;
}

describe('burst folding of pushes', () => {
  it('opens a burst on the first push: saves it and schedules its flush after the window, posting nothing', async () => {
    const run = notifyDeps();
    const outcome = await handleNotification(run.deps, pushed('1.0.0'));
    expect(outcome).toMatchObject({ kind: 'folded', scheduled: true });
    expect(run.teams.posts).toHaveLength(0);
    expect(stored(run)).toMatchObject({ total: 1, repository: 'payments/api' });
    const [flush] = flushes(run);
    expect(flush?.delaySeconds).toBe(30);
    expect(notifyFlushSchema.parse(flush?.message)).toEqual({
      type: 'notify-flush',
      channel: 'platform',
      registry: 'contoso.azurecr.io',
      repository: 'payments/api',
      burstId: stored(run)?.burstId,
      dedupeKey: push('1.0.0').dedupeKey,
      correlationId: push('1.0.0').id,
    });
  });

  it('folds the pushes of one window into one card and clears the state', async () => {
    const run = notifyDeps();
    for (const tag of ['1.0.0', '1.0.1', '1.0.2']) {
      await handleNotification(run.deps, pushed(tag));
      run.clock.now += 5_000;
    }
    // A redelivered push is not counted twice.
    expect(await handleNotification(run.deps, pushed('1.0.1'))).toMatchObject({
      kind: 'duplicate',
    });
    expect(flushes(run)).toHaveLength(1);
    expect(stored(run)?.total).toBe(3);

    run.clock.now += 30_000;
    expect(await deliverFlushes(run)).toEqual([{ kind: 'posted', channel: 'platform' }]);
    expect(run.teams.posts).toHaveLength(1);
    expect(cardText(run)).toMatch(/3 (images|pushes)/);
    for (const tag of ['1.0.0', '1.0.1', '1.0.2']) expect(cardText(run)).toContain(tag);
    expect(run.state.rows.size).toBe(0);
    expect(run.log.all()).toMatch(/posted the card for 3 push\(es\) to contoso.azurecr.io\/payments\/api/);
  });

  it('posts a burst of one push as the plain pushed card', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    await deliverFlushes(run);
    const direct = notifyDeps({ yaml: { notifications: { burstWindow: '0s' } } });
    await handleNotification(direct.deps, pushed('1.0.0'));
    expect(run.teams.posts[0]?.body).toEqual(direct.teams.posts[0]?.body);
  });

  it('keeps repositories and channels in bursts of their own', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    await handleNotification(run.deps, pushed('1.0.0', 'web/shop'));
    await handleNotification(run.deps, pushed('1.0.0', 'payments/api', 'releases'));
    expect(flushes(run)).toHaveLength(3);
    run.clock.now += 30_000;
    await deliverFlushes(run);
    expect(run.teams.posts).toHaveLength(3);
    expect(run.teams.posts[2]?.body).toMatchObject({ type: 'AdaptiveCard' });
  });

  it('defers a flush message that came early by the remaining delay', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 12_500;
    const [flush] = flushes(run);
    run.queue.sent.length = 0;
    expect(await handleNotification(run.deps, flush!.message)).toEqual({
      kind: 'deferred',
      delayMs: 18_000,
      reason: expect.stringMatching(/is not due yet/),
    });
    // Through the runner: sent again with that delay, no attempt counted.
    expect(await consumeNotification(run, flush!.message)).toMatchObject({
      kind: 'deferred',
      delayMs: 18_000,
    });
    expect(flushes(run)).toEqual([expect.objectContaining({ delaySeconds: 18, message: flush!.message })]);
    expect(run.teams.posts).toHaveLength(0);
  });

  it('drops a flush message whose burst was already flushed', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    const [flush] = flushes(run);
    await deliverFlushes(run);
    const again = await handleNotification(run.deps, flush!.message);
    expect(again).toMatchObject({ kind: 'nothing-to-flush', reason: 'no burst is open for this repository' });
    expect(run.teams.posts).toHaveLength(1);
  });

  it('schedules the flush again when the opening push is redelivered after the send failed', async () => {
    const run = notifyDeps();
    run.deps.queue = delayQueue({ failOn: 'notifications', failTimes: 1 });
    await expect(handleNotification(run.deps, pushed('1.0.0'))).rejects.toThrow(
      /queue notifications is down/,
    );
    expect(stored(run)?.total).toBe(1);
    const retried = await handleNotification(run.deps, pushed('1.0.0'));
    expect(retried).toMatchObject({ kind: 'folded', scheduled: true });
    expect(stored(run)?.total).toBe(1);
  });

  it('treats a push redelivered after its burst was posted as a duplicate', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    await deliverFlushes(run);
    expect(await handleNotification(run.deps, pushed('1.0.0'))).toMatchObject({
      kind: 'duplicate',
    });
    expect(run.state.rows.size).toBe(0);
  });

  it('counts both pushes when two invocations write the burst at once', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    let raced = false;
    run.state.beforeWrite = async (operation) => {
      if (operation !== 'put' || raced) return;
      raced = true;
      // Another invocation appends its push between this one's read and write.
      await handleNotification(run.deps, pushed('1.0.2'));
    };
    await handleNotification(run.deps, pushed('1.0.1'));
    expect(stored(run)?.total).toBe(3);
    expect(flushes(run)).toHaveLength(1);
  });

  it('gives up with a retryable error when the row keeps changing, releasing the push for the retry', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    let writes = 0;
    run.state.beforeWrite = () => {
      writes++;
      for (const row of run.state.rows.values()) row.etag = `W/"other-${writes}"`;
    };
    await expect(handleNotification(run.deps, pushed('1.0.1'))).rejects.toThrow(
      /changed 20 times while being updated; the queue retries/,
    );
    expect(writes).toBe(20);
    run.state.beforeWrite = undefined;
    expect(await handleNotification(run.deps, pushed('1.0.1'))).toMatchObject({
      kind: 'folded',
    });
    expect(stored(run)?.total).toBe(2);
  });

  it('opens a new burst for pushes that arrived while the card was being posted', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    const [flush] = flushes(run);
    run.queue.sent.length = 0;
    let raced = false;
    run.state.beforeWrite = async (operation) => {
      if (operation !== 'delete' || raced) return;
      raced = true;
      await handleNotification(run.deps, pushed('1.0.1'));
    };
    expect(await handleNotification(run.deps, flush!.message)).toMatchObject({
      kind: 'posted',
    });
    expect(stored(run)).toMatchObject({ total: 1, events: [expect.objectContaining({ tag: '1.0.1' })] });
    expect(stored(run)?.burstId).not.toBe(flush!.message.burstId);
    const next = flushes(run);
    expect(next).toEqual([expect.objectContaining({ delaySeconds: 30 })]);
    expect(next[0]?.message).toMatchObject({
      burstId: stored(run)?.burstId,
      dedupeKey: push('1.0.1').dedupeKey,
    });
    run.clock.now += 30_000;
    await deliverFlushes(run);
    expect(run.teams.posts).toHaveLength(2);
    expect(cardText(run, 1)).toContain('1.0.1');
    expect(cardText(run, 1)).not.toContain('1.0.0');
  });

  it('keeps the burst when posting fails, and posts it once on the retry', async () => {
    const run = notifyDeps({ statuses: [503, 503] });
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    const [flush] = flushes(run);
    await expect(handleNotification(run.deps, flush!.message)).rejects.toThrow(/answered 503/);
    expect(stored(run)?.total).toBe(1);
    expect(await handleNotification(run.deps, flush!.message)).toMatchObject({
      kind: 'posted',
    });
    expect(run.state.rows.size).toBe(0);
  });

  it('does not post twice when clearing the state failed after the card went out', async () => {
    const run = notifyDeps();
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    const [flush] = flushes(run);
    run.state.failNext = 'delete';
    await expect(handleNotification(run.deps, flush!.message)).rejects.toThrow(/table is down/);
    expect(await handleNotification(run.deps, flush!.message)).toMatchObject({
      kind: 'duplicate',
    });
    expect(run.teams.posts).toHaveLength(1);
    expect(run.state.rows.size).toBe(0);
  });

  it('does not fold a later push into a burst whose flush message was parked', async () => {
    const run = notifyDeps({ statuses: [500] });
    await handleNotification(run.deps, pushed('1.0.0'));
    run.clock.now += 30_000;
    const [flush] = flushes(run);
    expect(await consumeNotification(run, flush!.message, { attempt: 5 })).toMatchObject({ kind: 'parked' });
    expect(stored(run)?.total).toBe(1);
    run.queue.sent.length = 0;
    // Long after the dead flush time, another push arrives.
    run.clock.now += 5 * 60_000;
    expect(await handleNotification(run.deps, pushed('1.0.1'))).toMatchObject({
      kind: 'folded',
      scheduled: true,
    });
    const [next] = flushes(run);
    expect(next).toMatchObject({ delaySeconds: 30 });
    expect(Date.parse(stored(run)?.flushAt ?? '')).toBe(run.clock.now + 30_000);
    expect(run.log.all()).not.toMatch(/flush already scheduled/);
    run.clock.now += 30_000;
    await deliverFlushes(run);
    // The failed attempt, then the card of the rearmed burst with both pushes.
    expect(run.teams.posts).toHaveLength(2);
    expect(cardText(run, 1)).toContain('1.0.0');
    expect(cardText(run, 1)).toContain('1.0.1');
    expect(run.state.rows.size).toBe(0);
  });

  it('parks a flush message for a channel that is no longer configured', async () => {
    const run = notifyDeps();
    const flush: NotifyFlush = {
      type: 'notify-flush',
      channel: 'gone',
      registry: 'contoso.azurecr.io',
      repository: 'payments/api',
      burstId: 'b1',
      dedupeKey: push('1.0.0').dedupeKey,
      correlationId: 'c1',
    };
    expect(await consumeNotification(run, flush)).toMatchObject({ kind: 'parked' });
    expect(run.queue.sent).toEqual([
      expect.objectContaining({ queue: 'notifications-poison', message: expect.objectContaining(flush) }),
    ]);
  });

  it('overwrites a stored state it cannot read', async () => {
    const run = notifyDeps();
    await run.state.put('burst', key, { version: 99 });
    expect(await handleNotification(run.deps, pushed('1.0.0'))).toMatchObject({
      kind: 'folded',
    });
    expect(stored(run)).toMatchObject({ version: 1, total: 1 });
  });
});
