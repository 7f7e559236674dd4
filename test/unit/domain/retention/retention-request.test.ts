import { describe, expect, it } from 'vitest';
import type { RetentionRequest } from '../../../../shared/domain/messages/action-messages';
import { isDeferral } from '../../../../shared/domain/messages/queue-contract';
import { leaseScope } from '../../../../shared/domain/retention/retention-lease';
import { handleRetentionRequest } from '../../../../shared/domain/retention/retention-request';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { retentionTestDeps } from '../../../helpers/retention-deps';
import { sampleEvent } from '../../../helpers/sample-event';
import { repository, tag } from '../../../helpers/retention-builders';

const yaml = `
teams:
  platform: { urlFrom: TEAMS_URL }
retention:
  dryRun: false
  debounce: 2m
  registries:
    - { name: prod, type: acr, loginServer: prod.azurecr.io }
  policies:
    - repositories: ['team-a/**']
      keep: { newest: 2 }
      onPush: true
`;

const request = (n: number): RetentionRequest => {
  const event = sampleEvent({ registry: 'prod.azurecr.io', repository: 'team-a/web', tag: `b${n}` });
  return {
    type: 'retention',
    dedupeKey: `key-${n}`,
    correlationId: `evt-${n}`,
    event: { ...event, dedupeKey: `key-${n}` },
    registry: 'prod',
    repository: 'team-a/web',
    notify: [{ channel: 'platform', kinds: ['retention', 'failed'] }],
  };
};

function setup() {
  let now = new Date('2026-06-01T10:00:00Z');
  const tags = Array.from({ length: 20 }, (_, i) => tag(`b${i}`, `W${i}`, 20 - i));
  const backend = memoryRegistry([repository('team-a/web', tags)]);
  const deps = retentionTestDeps({ yaml, backends: { prod: backend }, now: () => now });
  return { deps, backend, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('handleRetentionRequest (push-triggered, debounced)', () => {
  it('folds a burst of 20 pushes into one run when the window closes', async () => {
    const { deps, backend, advance } = setup();
    const outcomes = [];
    for (let n = 0; n < 20; n++) outcomes.push(await handleRetentionRequest(deps, request(n)));
    expect(isDeferral(outcomes[0])).toBe(true);
    expect(outcomes[0]).toMatchObject({ delayMs: 120_000 });
    expect(outcomes.slice(1)).toEqual(Array(19).fill({ kind: 'folded', into: 'key-0' }));
    expect(backend.calls).toEqual([]);

    advance(120_000);
    const ran = await handleRetentionRequest(deps, request(0));
    expect(ran).toMatchObject({ kind: 'ran', run: { status: 'applied' } });
    expect(backend.calls.filter((call) => call.startsWith('inventory'))).toEqual(['inventory team-a/web']);
    expect(backend.repositories.get('team-a/web')?.tags.map((t) => t.name)).toEqual(['b18', 'b19']);
    // The summary goes to the rule's channel, once.
    expect(deps.queue.sent.map((sent) => (sent.message as { channel: string }).channel)).toEqual([
      'platform',
    ]);
    // A redelivery of the same message after the run finds no window: it opens a new one.
    expect(isDeferral(await handleRetentionRequest(deps, request(0)))).toBe(true);
  });

  it('comes back when redelivered early, and a push after the window opens the next one', async () => {
    const { deps, backend, advance } = setup();
    await handleRetentionRequest(deps, request(1));
    advance(60_000);
    expect(await handleRetentionRequest(deps, request(1))).toMatchObject({
      kind: 'deferred',
      delayMs: 60_000,
    });
    advance(61_000);
    // The owner's message is due but late; a new push takes the window over and the owner folds.
    expect(isDeferral(await handleRetentionRequest(deps, request(2)))).toBe(true);
    expect(await handleRetentionRequest(deps, request(1))).toEqual({ kind: 'folded', into: 'key-2' });
    advance(120_000);
    expect(await handleRetentionRequest(deps, request(2))).toMatchObject({ kind: 'ran' });
    expect(backend.calls.filter((call) => call.startsWith('inventory'))).toHaveLength(1);
  });

  it('waits for another run that holds the registry, then runs', async () => {
    const { deps, advance } = setup();
    await handleRetentionRequest(deps, request(1));
    advance(120_000);
    await deps.state.put(leaseScope, 'prod', {
      owner: 'timer-run',
      trigger: 'timer',
      startedAt: deps.clock().toISOString(),
      expiresAt: new Date(deps.clock().getTime() + 300_000).toISOString(),
    });
    const busy = await handleRetentionRequest(deps, request(1));
    expect(busy).toMatchObject({ kind: 'deferred', delayMs: 60_000 });
    expect(isDeferral(busy) && busy.reason).toMatch(/already running: a timer run/);
    advance(300_000);
    expect(await handleRetentionRequest(deps, request(1))).toMatchObject({ kind: 'ran' });
  });

  it('skips a request for a registry that is no longer configured', async () => {
    const { deps } = setup();
    expect(await handleRetentionRequest(deps, { ...request(1), registry: 'gone' })).toEqual({
      kind: 'skipped',
      reason: 'retention registry "gone" is no longer configured',
    });
  });
});
