import { describe, expect, it } from 'vitest';
import { cardOf } from '../../../../shared/domain/cards/teams-message';
import { UpstreamError } from '../../../../shared/domain/errors';
import { handleNotification } from '../../../../shared/domain/notify/handle-notification';
import {
  consumeNotification,
  notification,
  notifyDeps,
  push,
  signature,
  teamsUrl,
} from '../../../helpers/notify-fakes';

const deleted = notification({ kind: 'deleted', event: push('1.0.0', 'payments/api', 'delete') });
const pinned = notification({
  kind: 'pinned',
  event: push('1.0.0'),
  repo: 'fleet',
  result: 'committed',
  files: [{ file: 'apps/api.yaml', line: 3, before: 'api:0.9', after: 'api:1.0.0@sha256:ab' }],
  skipped: [],
});
const noBursts = { notifications: { burstWindow: '0s' } };
const poisonOf = (queue: ReturnType<typeof notifyDeps>['queue']) =>
  queue.sent.filter((s) => s.queue === 'notifications-poison').map((s) => s.message);

describe('handleNotification: posting a card', () => {
  it('posts the card for the payload to the URL in the channel setting, as a Workflows envelope', async () => {
    const { deps, teams, log } = notifyDeps();
    const outcome = await handleNotification(deps, deleted);
    expect(outcome).toEqual({ kind: 'posted', channel: 'platform' });
    expect(teams.posts).toHaveLength(1);
    expect(teams.posts[0]?.url).toBe(teamsUrl);
    expect(teams.posts[0]?.body).toMatchObject({
      type: 'message',
      attachments: [{ content: { type: 'AdaptiveCard' } }],
    });
    expect(JSON.stringify(cardOf(teams.posts[0]?.body))).toContain('payments/api');
    expect(log.lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(
        /^posted the deleted card for contoso.azurecr.io\/payments\/api:1.0.0@sha256:\S+ to Teams channel "platform"/,
      ),
    });
  });

  it('posts the bare card to a channel in card mode', async () => {
    const { deps, teams } = notifyDeps();
    await handleNotification(deps, { ...deleted, channel: 'releases' });
    expect(teams.posts[0]?.body).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
  });

  it('posts a push directly when the burst window is 0', async () => {
    const { deps, teams, state } = notifyDeps({ yaml: noBursts });
    const outcome = await handleNotification(deps, notification({ kind: 'pushed', event: push('2.0.0') }));
    expect(outcome.kind).toBe('posted');
    expect(teams.posts).toHaveLength(1);
    expect(state.rows.size).toBe(0);
  });

  it('skips a redelivered notification with an info line, posting once', async () => {
    const { deps, teams, log } = notifyDeps();
    await handleNotification(deps, deleted);
    expect(await handleNotification(deps, deleted)).toEqual({
      kind: 'duplicate',
      channel: 'platform',
    });
    expect(teams.posts).toHaveLength(1);
    expect(log.lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/was already delivered; skipped$/),
    });
  });

  it('keeps cards of other kinds and other channels apart', async () => {
    const { deps, teams, dedupe } = notifyDeps();
    await handleNotification(deps, pinned);
    await handleNotification(deps, { ...pinned, channel: 'releases' });
    await handleNotification(
      deps,
      notification({ kind: 'deployed', event: push('1.0.0'), target: 'prod', targetType: 'argocd' }),
    );
    expect(teams.posts).toHaveLength(3);
    expect([...dedupe.records.keys()].sort()).toEqual([
      `notify/${pinned.dedupeKey}:deployed:platform`,
      `notify/${pinned.dedupeKey}:pinned:platform`,
      `notify/${pinned.dedupeKey}:pinned:releases`,
    ]);
    expect([...dedupe.records.values()].every((record) => record.state === 'done')).toBe(true);
  });

  it('hashes a claim key that a table row key could not hold', async () => {
    const { deps, dedupe } = notifyDeps();
    await handleNotification(deps, {
      ...notification({ kind: 'retention', dryRun: true, registries: [] }),
      dedupeKey: 'retention/2026-11-25#nightly',
    });
    expect([...dedupe.records.keys()]).toEqual([expect.stringMatching(/^notify\/sha256-[0-9a-f]{64}$/)]);
  });
});

describe('handleNotification through the queue-consumer runner: problems retrying cannot fix', () => {
  it('parks a notification for a channel missing from the config, naming the YAML path', async () => {
    const run = notifyDeps();
    const message = { ...deleted, channel: 'nope' };
    const result = await consumeNotification(run, message);
    expect(result.kind).toBe('parked');
    expect(poisonOf(run.queue)).toEqual([{ ...message, delivery: expect.objectContaining({ attempt: 1 }) }]);
    expect(run.teams.posts).toHaveLength(0);
    expect(run.log.lines).toContainEqual({
      level: 'error',
      message: expect.stringMatching(
        /teams\.nope is missing from the config \(defined: platform, releases\).*Moved to notifications-poison \(retrying cannot help\)/,
      ),
    });
  });

  it('parks a notification whose urlFrom setting is not set, naming the path and the setting', async () => {
    const run = notifyDeps({ env: { TEAMS_PLATFORM: '  ' } });
    expect((await consumeNotification(run, deleted)).kind).toBe('parked');
    expect(poisonOf(run.queue)).toHaveLength(1);
    expect(run.log.all()).toMatch(
      /teams\.platform\.urlFrom names the app setting TEAMS_PLATFORM, which is not set/,
    );
  });

  it('parks a notification whose URL the Workflows policy refuses, and releases its claim', async () => {
    const run = notifyDeps({ env: { TEAMS_PLATFORM: `https://example.com/hook?sig=${signature}` } });
    expect((await consumeNotification(run, deleted)).kind).toBe('parked');
    expect(run.teams.posts).toHaveLength(0);
    expect(poisonOf(run.queue)).toHaveLength(1);
    expect(run.dedupe.records.size).toBe(0);
    expect(run.log.all()).toMatch(
      /TEAMS_PLATFORM points at example.com, which is not a Teams Workflows host/,
    );
    expect(run.log.all()).not.toContain(signature);
  });

  it('parks a notification the flow refuses with a 4xx, saying what to fix', async () => {
    const run = notifyDeps({ statuses: [404] });
    expect((await consumeNotification(run, deleted)).kind).toBe('parked');
    expect(poisonOf(run.queue)).toHaveLength(1);
    expect(run.dedupe.records.size).toBe(0);
    expect(run.log.all()).toMatch(
      /answered 404 \(the flow was deleted or turned off; create a new Workflows URL and put it in TEAMS_PLATFORM\).*fix teams\.platform or the app setting TEAMS_PLATFORM/,
    );
  });
});

describe('handleNotification through the queue-consumer runner: failures a retry can fix', () => {
  it('throws a retryable error on a 5xx, releasing the claim so the retry posts', async () => {
    const run = notifyDeps({ statuses: [503, 503] });
    await expect(handleNotification(run.deps, deleted)).rejects.toBeInstanceOf(UpstreamError);
    expect(run.dedupe.records.size).toBe(0);
    expect(await handleNotification(run.deps, deleted)).toMatchObject({ kind: 'posted' });
    expect(run.teams.posts).toHaveLength(3);
  });

  it('re-queues a 5xx with a delay and the next attempt number, and posts on the retry', async () => {
    const run = notifyDeps({ statuses: [503, 503] });
    const result = await consumeNotification(run, deleted);
    expect(result).toMatchObject({ kind: 'retrying', attempt: 1 });
    expect(poisonOf(run.queue)).toHaveLength(0);
    const copy = run.queue.sent.find((sent) => sent.queue === 'notifications');
    expect(copy).toMatchObject({
      delaySeconds: expect.any(Number),
      message: { ...deleted, delivery: { attempt: 2 } },
    });
    expect(copy?.delaySeconds).toBeGreaterThan(0);
    expect(run.log.lines).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(
        /failed \(attempt 1 of 5\): Teams channel "platform" \(TEAMS_PLATFORM\).*answered 503.*; retrying in/,
      ),
    });
    expect(await consumeNotification(run, copy?.message)).toMatchObject({ kind: 'done', attempt: 2 });
    expect(run.teams.posts).toHaveLength(3);
  });

  it('parks the message after the last attempt, saying how to replay it', async () => {
    const run = notifyDeps({ statuses: [500, 500] });
    expect(await consumeNotification(run, deleted, { attempt: 5 })).toMatchObject({ kind: 'parked' });
    expect(poisonOf(run.queue)).toHaveLength(1);
    expect(run.log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(
        /answered 500.*gave up: all 5 attempts failed.*Moved to notifications-poison.*replay it: acr-autopilot poison requeue notifications --id \S+$/,
      ),
    });
  });

  it('retries while another delivery holds the card, up to the poison queue, and never drops it', async () => {
    const run = notifyDeps();
    run.dedupe.records.set(`notify/${deleted.dedupeKey}:deleted:platform`, { state: 'pending', at: 0 });
    expect(await consumeNotification(run, deleted)).toMatchObject({ kind: 'retrying' });
    expect(await consumeNotification(run, deleted, { attempt: 5 })).toMatchObject({ kind: 'parked' });
    expect(run.teams.posts).toHaveLength(0);
    expect(poisonOf(run.queue)).toHaveLength(1);
    expect(run.log.lines.at(-1)?.message).toMatch(/another delivery of \S+ is being handled/);
  });

  it('does not fail a posted card when marking it done fails', async () => {
    const { deps, teams, log } = notifyDeps();
    deps.dedupe.complete = async () => {
      throw new Error('table is down');
    };
    expect(await handleNotification(deps, deleted)).toMatchObject({ kind: 'posted' });
    expect(teams.posts).toHaveLength(1);
    expect(log.all()).toMatch(/could not mark .* done: Error: table is down/);
  });
});

describe('handleNotification: the URL stays secret', () => {
  it('never logs the URL or its signature, whatever happens', async () => {
    const runs = [
      notifyDeps(),
      notifyDeps({ statuses: [404] }),
      notifyDeps({ statuses: [503, 503] }),
      notifyDeps({ env: { TEAMS_PLATFORM: teamsUrl.replace('https:', 'http:') } }),
    ];
    for (const run of runs) {
      await consumeNotification(run, deleted, { attempt: 5 });
      await consumeNotification(run, notification({ kind: 'pushed', event: push('9.9.9') }), { attempt: 5 });
      expect(run.log.lines.length).toBeGreaterThan(0);
      expect(run.log.all()).not.toContain(signature);
      expect(run.log.all()).not.toContain(teamsUrl);
    }
  });
});
