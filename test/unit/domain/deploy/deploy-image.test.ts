import { describe, expect, it } from 'vitest';
import { runQueueConsumer } from '../../../../shared/adapters/queue/queue-consumer';
import { parseConfig } from '../../../../shared/config/load-config';
import { deployImage, deployQueue } from '../../../../shared/domain/deploy/deploy-image';
import type { DeployDeps } from '../../../../shared/domain/deploy/deploy-ports';
import { deployOutcomeKey } from '../../../../shared/domain/deploy/deploy-notifications';
import { ConfigError, RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import type { DeployRequest, Notification } from '../../../../shared/domain/messages/action-messages';
import { defaultRetryPolicy } from '../../../../shared/domain/retry/retry-policy';
import { memoryArrivals, scriptedTriggers } from '../../../helpers/deploy-fakes';
import { captureLogger, memoryDedupe, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
deployTargets:
  web: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH_TOKEN }
  eu: { type: webhook, url: 'https://hooks.contoso.com/deploy', regions: [westeurope, northeurope], regionTimeout: 10m }
`);
const event = sampleEvent();
const t0 = new Date('2026-11-25T10:00:00.000Z');

function request(overrides: Partial<DeployRequest> = {}): DeployRequest {
  return {
    type: 'deploy',
    dedupeKey: event.dedupeKey,
    correlationId: event.id,
    event,
    rule: { index: 0, name: 'payments' },
    notify: [
      { channel: 'platform', kinds: ['deployed', 'failed'] },
      { channel: 'quiet', kinds: ['pushed'] },
    ],
    target: 'web',
    ...overrides,
  };
}

function setup() {
  let now = t0;
  const triggers = scriptedTriggers();
  const dedupe = memoryDedupe();
  const arrivals = memoryArrivals();
  const queue = memoryQueue();
  const log = captureLogger();
  const deps: DeployDeps = { config, triggers, dedupe, arrivals, queue, clock: () => now, log };
  const notes = () =>
    queue.sent.filter((m) => m.queue === 'notifications').map((m) => m.message as Notification);
  const consume = (message: unknown) =>
    runQueueConsumer(
      { queue, log, clock: () => now, random: () => 0.5, retry: { ...defaultRetryPolicy, maxAttempts: 5 } },
      deployQueue,
      (parsed) => deployImage(deps, parsed),
      message,
    );
  return {
    deps,
    triggers,
    dedupe,
    arrivals,
    queue,
    log,
    notes,
    consume,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

describe('deployImage', () => {
  it('triggers the target and sends one deployed card per route that wants it', async () => {
    const t = setup();

    const outcome = await deployImage(t.deps, request());

    expect(outcome).toEqual({
      kind: 'deployed',
      target: 'web',
      targetType: 'github-workflow',
      runUrl: 'https://runs.example/1',
    });
    expect(t.triggers.calls).toHaveLength(1);
    expect(t.triggers.calls[0]?.input).toEqual({ target: 'web', event, pin: undefined });
    expect(t.notes()).toEqual([
      {
        type: 'notify',
        dedupeKey: deployOutcomeKey(request()),
        correlationId: event.id,
        channel: 'platform',
        payload: {
          kind: 'deployed',
          event,
          target: 'web',
          targetType: 'github-workflow',
          runUrl: 'https://runs.example/1',
        },
      },
    ]);
    expect(t.dedupe.records.get(`deploy/${deployOutcomeKey(request())}`)?.state).toBe('done');
  });

  it('sends one request for ten deliveries of the same deploy request', async () => {
    const t = setup();
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await deployImage(t.deps, request()));
    expect(t.triggers.calls).toHaveLength(1);
    expect(outcomes.slice(1).every((outcome) => outcome.kind === 'duplicate')).toBe(true);
    expect(t.notes()).toHaveLength(1);
  });

  it('keeps the targets of one push apart', async () => {
    const t = setup();
    await deployImage(t.deps, request());
    await deployImage(t.deps, request({ target: 'eu' }));
    expect(t.triggers.calls.map((call) => call.input.target)).toEqual(['web']);
    // eu waits for its regions; web was sent once.
    expect(t.dedupe.records.size).toBe(1);
  });

  it('gives the record back when the trigger fails, so the retry sends it: 503 twice, then one run', async () => {
    const t = setup();
    t.triggers.next(new UpstreamError('GitHub answered 503'), new UpstreamError('GitHub answered 503'));

    const first = await t.consume(request());
    const retry1 = t.queue.sent.find((m) => m.queue === 'deploy-requests')?.message;
    const second = await t.consume(retry1);
    const retry2 = t.queue.sent.filter((m) => m.queue === 'deploy-requests')[1]?.message;
    const third = await t.consume(retry2);

    expect([first.kind, second.kind, third.kind]).toEqual(['retrying', 'retrying', 'done']);
    expect(t.triggers.calls).toHaveLength(3);
    expect(t.notes().map((note) => note.payload.kind)).toEqual(['deployed']);
    // A copy delivered again afterwards sends nothing.
    expect(await t.consume(retry2)).toMatchObject({ kind: 'done', outcome: { kind: 'duplicate' } });
    expect(t.triggers.calls).toHaveLength(3);
  });

  it("parks a refusal with one failed card carrying the API's message", async () => {
    const t = setup();
    t.triggers.next(
      new RefusedError('GitHub (deployTargets.web): POST … answered 422: No ref found for: nope'),
    );

    expect(await t.consume(request())).toMatchObject({ kind: 'parked' });

    expect(t.notes()).toEqual([
      expect.objectContaining({
        channel: 'platform',
        dedupeKey: deployOutcomeKey(request()),
        payload: expect.objectContaining({
          kind: 'failed',
          action: 'deploy',
          target: 'web',
          error: expect.stringContaining('No ref found for: nope'),
          poisoned: true,
          parkedOn: 'deploy-requests-poison',
        }),
      }),
    ]);
    // Nothing was sent: a replay after fixing the ref is sent.
    expect(t.dedupe.records.size).toBe(0);
  });

  it('looks again shortly while another delivery is sending the same deployment', async () => {
    const t = setup();
    await t.deps.dedupe.claim('deploy', deployOutcomeKey(request()), { now: t0, windowMs: 1 });
    expect(await deployImage(t.deps, request())).toMatchObject({ kind: 'deferred', delayMs: 15_000 });
    expect(t.triggers.calls).toEqual([]);
  });

  it('adds what the follow-up found, and says a pull-request pin deploys before the merge', async () => {
    const t = setup();
    t.triggers.next({
      report: {},
      follow: async () => ({ runUrl: 'https://github.com/contoso/web/actions/runs/7' }),
    });
    const outcome = await deployImage(
      t.deps,
      request({
        after: 'pin',
        pin: {
          repo: 'fleet',
          result: 'pull-request',
          commit: 'abc123abc123abc123',
          pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
        },
      }),
    );
    expect(outcome).toMatchObject({
      runUrl: 'https://github.com/contoso/web/actions/runs/7',
      warning:
        "triggered when the pin's pull request was opened (https://github.com/contoso/fleet/pull/7), not when it is merged",
    });
    expect(t.notes()[0]?.payload).toMatchObject({
      commit: 'abc123abc123abc123',
      pullRequestUrl: expect.any(String),
    });
  });

  it('passes a final failure of the follow-up on, with the trigger recorded as sent', async () => {
    const t = setup();
    t.triggers.next({
      report: {},
      follow: async () => {
        throw new RefusedError('the update of container app payments-api ended Failed: exit 1');
      },
    });
    await expect(deployImage(t.deps, request())).rejects.toThrow(/ended Failed/);
    expect(t.dedupe.records.get(`deploy/${deployOutcomeKey(request())}`)?.state).toBe('done');
  });

  it('names the configured targets for an unknown one', async () => {
    const t = setup();
    await expect(deployImage(t.deps, request({ target: 'gone' }))).rejects.toThrow(ConfigError);
    await expect(deployImage(t.deps, request({ target: 'gone' }))).rejects.toThrow(
      'deploy target "gone" is not configured (defined: web, eu); add deployTargets.gone to the config, or change rule "payments".deploy',
    );
  });
});

describe('deployImage: replication gate', () => {
  it.each([
    ['West Europe first', 'westeurope', 'northeurope'],
    ['North Europe first', 'northeurope', 'westeurope'],
  ])('fires once, after the second region arrived (%s)', async (_name, first, second) => {
    const t = setup();
    await t.arrivals.record(event.dedupeKey, first, t0);

    const waiting = await t.consume(request({ target: 'eu' }));
    expect(waiting).toMatchObject({ kind: 'deferred', delayMs: 10_000 });
    expect(waiting.kind === 'deferred' && waiting.reason).toMatch(`waiting for the image to reach ${second}`);
    expect(t.triggers.calls).toEqual([]);

    t.advance(40_000);
    await t.arrivals.record(event.dedupeKey, second, new Date(t0.getTime() + 40_000));
    const again = t.queue.sent.filter((m) => m.queue === 'deploy-requests').at(-1)?.message;
    expect(await t.consume(again)).toMatchObject({ kind: 'done', outcome: { kind: 'deployed' } });
    // A late copy (the deferral raced a redelivery) sends nothing more.
    expect(await t.consume(again)).toMatchObject({ kind: 'done', outcome: { kind: 'duplicate' } });
    expect(t.triggers.calls).toHaveLength(1);
    expect(t.notes()[0]?.payload).not.toHaveProperty('warning');
  });

  it('fires once at the timeout, with the warning, when only one region arrives', async () => {
    const t = setup();
    await t.arrivals.record(event.dedupeKey, 'westeurope', t0);
    let outcome = await t.consume(request({ target: 'eu' }));
    let polls = 0;
    while (outcome.kind === 'deferred') {
      polls++;
      t.advance(outcome.delayMs);
      const again = t.queue.sent.filter((m) => m.queue === 'deploy-requests').at(-1)?.message;
      outcome = await t.consume(again);
    }
    expect(polls).toBe(60);
    expect(outcome).toMatchObject({
      kind: 'done',
      outcome: {
        kind: 'deployed',
        warning:
          'the image was not seen in northeurope within 10m of the push; deployed anyway (check the regional ACR webhooks and replication)',
      },
    });
    expect(t.triggers.calls).toHaveLength(1);
    expect(t.notes()[0]?.payload).toMatchObject({
      kind: 'deployed',
      warning: expect.stringContaining('northeurope'),
    });
    expect(t.log.all()).toMatch(/warn .*not seen in northeurope/);
  });

  it('counts the timeout from the first time it looked when no region reported at all', async () => {
    const t = setup();
    expect(await deployImage(t.deps, request({ target: 'eu' }))).toMatchObject({ kind: 'deferred' });
    t.advance(600_000);
    expect(await deployImage(t.deps, request({ target: 'eu' }))).toMatchObject({
      kind: 'deployed',
      warning: expect.stringContaining('westeurope, northeurope'),
    });
  });
});
