import { describe, expect, it } from 'vitest';
import { applyRetentionPlan } from '../../../../shared/domain/retention/apply-retention-plan';
import type { RetentionOperation } from '../../../../shared/domain/retention/retention-plan';
import { captureLogger } from '../../../helpers/fakes';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { digest, manifest, planOf, repository, tag } from '../../../helpers/retention-builders';

const keepNewest1 = [{ repositories: ['**'], keep: { newest: 1 } }];

function options(backend: ReturnType<typeof memoryRegistry>, extra: { concurrency?: number } = {}) {
  const waits: number[] = [];
  return {
    waits,
    options: {
      backend,
      log: captureLogger(),
      concurrency: extra.concurrency ?? 4,
      sleep: async (ms: number) => void waits.push(ms),
      random: () => 0.5,
    },
  };
}

describe('applyRetentionPlan', () => {
  it('deletes exactly the plan, children and referrers before their index and subject', async () => {
    const repos = [
      repository(
        'app',
        [tag('new', 'N', 1), tag('old', 'I', 30)],
        [
          manifest('I', 30, { children: [digest('amd'), digest('arm')], tags: ['old'] }),
          manifest('amd', 30),
          manifest('arm', 30),
          manifest('sig', 30, { subject: digest('I') }),
        ],
      ),
    ];
    const plan = planOf(repos, keepNewest1);
    const backend = memoryRegistry(repos);
    const { options: opts } = options(backend);
    const result = await applyRetentionPlan(plan.operations, opts);

    expect(result.failed).toEqual([]);
    expect(result.done).toHaveLength(4);
    const deletes = backend.calls.filter((call) => call.startsWith('delete'));
    expect(deletes.at(-1)).toBe(`delete app@${digest('I')}`);
    expect(backend.repositories.get('app')?.manifests.map((m) => m.digest)).toEqual([digest('N')]);
    expect(backend.repositories.get('app')?.tags.map((t) => t.name)).toEqual(['new']);
  });

  it('keeps at most `concurrency` deletes in flight', async () => {
    const tags = Array.from({ length: 30 }, (_, i) => tag(`t${i}`, `m${i}`, 10 + i));
    const repos = [repository('app', tags)];
    const plan = planOf(repos, keepNewest1);
    const backend = memoryRegistry(repos);
    backend.beforeDelete = () => new Promise((resolve) => setTimeout(resolve, 2));
    const result = await applyRetentionPlan(plan.operations, options(backend, { concurrency: 3 }).options);
    expect(result.done).toHaveLength(29);
    expect(backend.maxInFlight).toBe(3);
  });

  it('skips a manifest that gained a tag and a tag that moved since planning', async () => {
    const repos = [
      repository('app', [tag('new', 'N', 1), tag('a', 'A', 20), tag('b', 'B', 30)], [manifest('P', 40)]),
    ];
    const plan = planOf(repos, [{ repositories: ['**'], keep: { newest: 1 } }], {
      pinned: { P: 'fleet:x.yaml' },
    });
    const backend = memoryRegistry(repos);
    // After planning: someone tags A as `prod` (a rollback), and moves `b` onto the pinned image.
    const app = backend.repositories.get('app');
    app?.tags.push({ name: 'prod', digest: digest('A') });
    const b = app?.tags.find((t) => t.name === 'b');
    if (b) b.digest = digest('P');
    const result = await applyRetentionPlan(plan.operations, options(backend).options);
    expect(result.skipped.map((s) => s.reason)).toEqual(
      expect.arrayContaining(['gained tag prod since planning']),
    );
    expect(backend.repositories.get('app')?.manifests.map((m) => m.digest)).toContain(digest('A'));
    // `b`'s manifest went (its tag list as planned did not gain anything); the tag itself now points elsewhere.
    expect(backend.calls).not.toContain(`delete app@${digest('A')}`);
  });

  it('waits as long as a 429 asks, for every delete, and survives a storm', async () => {
    const tags = Array.from({ length: 10 }, (_, i) => tag(`t${i}`, `m${i}`, 10 + i));
    const repos = [repository('app', tags)];
    const plan = planOf(repos, keepNewest1);
    const backend = memoryRegistry(repos);
    backend.failDeletes(12, { status: 429, retryAfterMs: 1500 });
    const { options: opts, waits } = options(backend);
    const result = await applyRetentionPlan(plan.operations, opts);
    expect(result.failed).toEqual([]);
    expect(result.done).toHaveLength(9);
    expect(waits.every((ms) => ms === 1500)).toBe(true);
    expect(waits.length).toBeGreaterThan(0);
    expect(backend.repositories.get('app')?.tags.map((t) => t.name)).toEqual(['t0']);
  });

  it('goes on past a failure, and keeps what waits for it in the same repository', async () => {
    const repos = [
      repository(
        'app',
        [tag('new', 'N', 1), tag('old', 'I', 30)],
        [manifest('I', 30, { children: [digest('amd')], tags: ['old'] }), manifest('amd', 30)],
      ),
      repository('other', [tag('new', 'N2', 1), tag('old', 'O2', 30)]),
    ];
    const plan = planOf(repos, keepNewest1);
    const backend = memoryRegistry(repos);
    backend.failDeletes(1, { status: 405 });
    const result = await applyRetentionPlan(plan.operations, options(backend, { concurrency: 1 }).options);
    expect(result.failed.map((f) => f.operation.kind === 'delete-manifest' && f.operation.digest)).toEqual([
      digest('amd'),
    ]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'a delete this one waits for failed in the same repository; kept so a later run can finish in order',
    ]);
    expect(backend.repositories.get('other')?.tags.map((t) => t.name)).toEqual(['new']);
  });

  it('stops starting deletes once the lease is lost', async () => {
    const ops: RetentionOperation[] = [
      { kind: 'delete-manifest', repository: 'app', digest: digest('A'), tags: [], reason: '', wave: 0 },
    ];
    const backend = memoryRegistry([repository('app', [], [manifest('A', 30)])]);
    const result = await applyRetentionPlan(ops, { ...options(backend).options, mayContinue: () => false });
    expect(result.skipped[0]?.reason).toMatch(/lost its lease/);
    expect(backend.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
  });
});
