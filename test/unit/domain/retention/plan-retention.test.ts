import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { planRetention } from '../../../../shared/domain/retention/plan-retention';
import {
  daysAgo,
  decisionsOf,
  digest,
  manifest,
  now,
  operationsOf,
  planOf,
  repository,
  tag,
} from '../../../helpers/retention-builders';

/** Six tags, one manifest each: the classic CI repository. */
const app = () =>
  repository('app', [
    tag('latest', 'latest', 40),
    tag('v1.0.0', 'v1.0.0', 30),
    tag('v1.1.0', 'v1.1.0', 20),
    tag('build-3', 'build-3', 10),
    tag('build-4', 'build-4', 2),
    tag('build-5', 'build-5', 1),
  ]);

describe('planRetention keep clauses', () => {
  it.each<[string, unknown, Record<string, string>]>([
    [
      'newest alone',
      { newest: 2 },
      {
        'build-5': 'keep: newest 1 of 6',
        'build-4': 'keep: newest 2 of 6',
        'build-3': 'delete: not in newest 2 of 6',
        'v1.1.0': 'delete: not in newest 2 of 6',
        'v1.0.0': 'delete: not in newest 2 of 6',
        latest: 'delete: not in newest 2 of 6',
      },
    ],
    [
      'youngerThan alone',
      { youngerThan: '14d' },
      {
        'build-5': 'keep: younger than 14d',
        'build-4': 'keep: younger than 14d',
        'build-3': 'keep: younger than 14d',
        'v1.1.0': 'delete: older than 14d',
        'v1.0.0': 'delete: older than 14d',
        latest: 'delete: older than 14d',
      },
    ],
    [
      'a glob tag pattern alone',
      { tags: ['latest'] },
      {
        'build-5': 'delete: matches no kept tag',
        'build-4': 'delete: matches no kept tag',
        'build-3': 'delete: matches no kept tag',
        'v1.1.0': 'delete: matches no kept tag',
        'v1.0.0': 'delete: matches no kept tag',
        latest: 'keep: matches latest',
      },
    ],
    [
      'a regex tag pattern alone',
      { tags: ['re:^v\\d+\\.\\d+\\.\\d+$'] },
      {
        'build-5': 'delete: matches no kept tag',
        'build-4': 'delete: matches no kept tag',
        'build-3': 'delete: matches no kept tag',
        'v1.1.0': 'keep: matches re:^v\\d+\\.\\d+\\.\\d+$',
        'v1.0.0': 'keep: matches re:^v\\d+\\.\\d+\\.\\d+$',
        latest: 'delete: matches no kept tag',
      },
    ],
    [
      'a semver tag pattern alone',
      { tags: ['semver:>=1.1.0'] },
      {
        'build-5': 'delete: matches no kept tag',
        'build-4': 'delete: matches no kept tag',
        'build-3': 'delete: matches no kept tag',
        'v1.1.0': 'keep: matches semver:>=1.1.0',
        'v1.0.0': 'delete: matches no kept tag',
        latest: 'delete: matches no kept tag',
      },
    ],
    [
      'all clauses combined (any clause keeps)',
      { newest: 1, youngerThan: '14d', tags: ['latest'] },
      {
        'build-5': 'keep: newest 1 of 6',
        'build-4': 'keep: younger than 14d',
        'build-3': 'keep: younger than 14d',
        'v1.1.0': 'delete: older than 14d, not in newest 1 of 6, matches no kept tag',
        'v1.0.0': 'delete: older than 14d, not in newest 1 of 6, matches no kept tag',
        latest: 'keep: matches latest',
      },
    ],
    [
      'no clause at all',
      {},
      {
        'build-5': 'delete: the policy keeps no tag',
        'build-4': 'delete: the policy keeps no tag',
        'build-3': 'delete: the policy keeps no tag',
        'v1.1.0': 'delete: the policy keeps no tag',
        'v1.0.0': 'delete: the policy keeps no tag',
        latest: 'delete: the policy keeps no tag',
      },
    ],
  ])('decides every tag by %s', (_name, keep, expected) => {
    expect(decisionsOf(planOf([app()], [{ repositories: ['app'], keep }]))).toEqual(expected);
  });

  it('deletes each manifest whose only tag goes, and nothing else', () => {
    const plan = planOf([app()], [{ repositories: ['app'], keep: { newest: 1, youngerThan: '14d' } }]);
    expect(operationsOf(plan)).toEqual([
      'delete app@latest (latest) wave 0',
      'delete app@v1.0.0 (v1.0.0) wave 0',
      'delete app@v1.1.0 (v1.1.0) wave 0',
    ]);
    expect(plan.repositories[0]?.counts).toEqual({
      keep: 3,
      delete: 3,
      manifestsDeleted: 3,
      bytesDeleted: 0,
    });
  });

  it('counts a tag exactly as old as youngerThan as old', () => {
    const repo = repository('app', [tag('edge', 'edge', 14), tag('inside', 'inside', 13.9)]);
    expect(decisionsOf(planOf([repo], [{ repositories: ['app'], keep: { youngerThan: '14d' } }]))).toEqual({
      inside: 'keep: younger than 14d',
      edge: 'delete: older than 14d',
    });
  });

  it('breaks ties in newest by name, whatever the listing order', () => {
    const same = daysAgo(3);
    const tags = ['c', 'a', 'b'].map((name) => ({ name, digest: digest(name), lastUpdated: same }));
    const plan = planOf([repository('app', tags)], [{ repositories: ['app'], keep: { newest: 2 } }]);
    expect(decisionsOf(plan)).toEqual({
      a: 'keep: newest 1 of 3',
      b: 'keep: newest 2 of 3',
      c: 'delete: not in newest 2 of 3',
    });
    expect(plan.repositories[0]?.tags.map((t) => t.tag)).toEqual(['a', 'b', 'c']);
  });
});

describe('planRetention policies', () => {
  it('keeps a tag when any matching policy keeps it', () => {
    const plan = planOf(
      [app()],
      [
        { repositories: ['app'], keep: { newest: 1 } },
        { repositories: ['**'], keep: { tags: ['latest'] } },
        { repositories: ['other/**'], keep: { tags: ['v1.0.0'] } },
      ],
    );
    expect(plan.repositories[0]?.policies).toEqual([0, 1]);
    expect(decisionsOf(plan)).toEqual({
      'build-5': 'keep: newest 1 of 6',
      'build-4': 'delete: not in newest 1 of 6, matches no kept tag',
      'build-3': 'delete: not in newest 1 of 6, matches no kept tag',
      'v1.1.0': 'delete: not in newest 1 of 6, matches no kept tag',
      'v1.0.0': 'delete: not in newest 1 of 6, matches no kept tag',
      latest: 'keep: matches latest',
    });
  });

  it('uses the largest newest and the longest youngerThan of the matching policies', () => {
    const plan = planOf(
      [app()],
      [
        { repositories: ['app'], keep: { newest: 1, youngerThan: '5d' } },
        { repositories: ['app'], keep: { newest: 2, youngerThan: '25d' } },
      ],
    );
    expect(decisionsOf(plan)).toMatchObject({
      'build-4': 'keep: newest 2 of 6',
      'v1.1.0': 'keep: younger than 25d',
      'v1.0.0': 'delete: older than 25d, not in newest 2 of 6',
    });
  });

  it('keeps every tag of a repository no policy matches', () => {
    const other = repository('team-b/web', [tag('old', 'old', 400)]);
    const plan = planOf([other], [{ repositories: ['team-a/**'], keep: {} }]);
    expect(decisionsOf(plan, 'team-b/web')).toEqual({ old: 'keep: no policy matches' });
    expect(plan.repositories[0]?.policies).toEqual([]);
    expect(plan.operations).toEqual([]);
  });

  it.each<[string, string[], string]>([
    ['a glob over a team', ['team-a/**'], 'delete: the policy keeps no tag'],
    ['an exact name', ['team-a/web'], 'delete: the policy keeps no tag'],
    ['another team', ['team-b/**'], 'keep: no policy matches'],
    ['a single-level glob', ['*'], 'keep: no policy matches'],
  ])('matches repositories by %s', (_name, repositories, expected) => {
    const repo = repository('team-a/web', [tag('old', 'old', 400)]);
    expect(decisionsOf(planOf([repo], [{ repositories, keep: {} }]), 'team-a/web').old).toBe(expected);
  });

  it.each<[string, string[] | undefined, string]>([
    ['a policy for every registry', undefined, 'delete: the policy keeps no tag'],
    ['a policy naming this registry', ['prod'], 'delete: the policy keeps no tag'],
    ['a policy naming another registry', ['lab'], 'keep: no policy matches'],
  ])('applies %s', (_name, registries, expected) => {
    const repo = repository('app', [tag('old', 'old', 400)]);
    const policy = { repositories: ['**'], keep: {}, ...(registries ? { registries } : {}) };
    expect(decisionsOf(planOf([repo], [policy])).old).toBe(expected);
  });

  it('plans only the repository in scope', () => {
    const repos = [repository('a', [tag('x', 'ax', 40)]), repository('b', [tag('x', 'bx', 40)])];
    const plan = planOf(repos, [{ repositories: ['**'], keep: {} }], { scope: { repository: 'b' } });
    expect(plan.repositories.map((r) => r.name)).toEqual(['b']);
    expect(operationsOf(plan)).toEqual(['delete b@bx (x) wave 0']);
  });

  it('plans an empty repository as empty', () => {
    const plan = planOf([repository('empty', [])], [{ repositories: ['**'], keep: {} }]);
    expect(plan.repositories).toEqual([
      {
        name: 'empty',
        policies: [0],
        tags: [],
        manifests: [],
        counts: { keep: 0, delete: 0, manifestsDeleted: 0, bytesDeleted: 0 },
      },
    ]);
    expect(plan.totals).toEqual({ keep: 0, delete: 0, manifestsDeleted: 0, bytesDeleted: 0 });
  });

  it('lists repositories by name and sums their counts', () => {
    const repos = [repository('z', [tag('old', 'z-old', 40)]), repository('a', [tag('new', 'a-new', 1)])];
    const plan = planOf(repos, [{ repositories: ['**'], keep: { youngerThan: '7d' } }]);
    expect(plan.repositories.map((r) => r.name)).toEqual(['a', 'z']);
    expect(plan.totals).toEqual({ keep: 1, delete: 1, manifestsDeleted: 1, bytesDeleted: 0 });
    expect(plan).toMatchObject({ registry: 'prod', address: 'prod.azurecr.io' });
  });
});

describe('planRetention from the config', () => {
  it('takes a registry and the policies straight from autopilot.yaml', () => {
    const { retention } = parseConfig(`
retention:
  registries:
    - { name: prod, type: acr, loginServer: myreg.azurecr.io }
    - { name: lab, type: oci, url: "http://127.0.0.1:5000", usernameFrom: U, passwordFrom: P }
  policies:
    - { registries: [lab], repositories: ["**"], keep: { tags: [latest] } }
`);
    if (!retention) throw new Error('expected a retention section');
    const [prod, lab] = retention.registries;
    const plan = (registry: typeof prod) =>
      planRetention({
        registry: registry as NonNullable<typeof registry>,
        inventory: { repositories: [app()] },
        policies: retention.policies,
        now,
        protectedDigests: new Map(),
      });
    expect(plan(prod).totals).toMatchObject({ keep: 6, delete: 0 });
    expect(plan(lab)).toMatchObject({ address: 'http://127.0.0.1:5000', totals: { keep: 1, delete: 5 } });
  });
});

describe('planRetention safety', () => {
  const policy = { repositories: ['app'], keep: { youngerThan: '14d' }, untagged: { olderThan: '7d' } };

  it('keeps locked tags and locked manifests', () => {
    const repo = repository(
      'app',
      [tag('frozen', 'frozen', 90, { locked: true }), tag('old', 'old', 90)],
      [manifest('old', 90, { locked: true }), manifest('dangling', 90, { locked: true })],
    );
    const plan = planOf([repo], [policy]);
    expect(decisionsOf(plan)).toEqual({
      frozen: 'keep: locked',
      old: 'delete: older than 14d; untag only, manifest stays (locked)',
      '@dangling': 'keep: locked',
    });
    expect(operationsOf(plan)).toEqual(['untag app:old']);
  });

  it('keeps a tag whose locked manifest stays when the registry cannot delete a tag alone', () => {
    const repo = repository('app', [tag('old', 'old', 90)], [manifest('old', 90, { locked: true })]);
    const plan = planOf([repo], [policy], { registry: { name: 'lab', type: 'oci' } });
    expect(decisionsOf(plan)).toEqual({
      old: 'keep: manifest stays (locked) and the registry cannot delete a tag alone',
    });
    expect(plan.operations).toEqual([]);
  });

  it('counts unknown age as young and leaves it out of newest', () => {
    const repo = repository(
      'app',
      [tag('mystery', 'mystery'), tag('new', 'new', 1), tag('old', 'old', 30)],
      [manifest('dangling')],
    );
    const plan = planOf([repo], [{ ...policy, keep: { newest: 1 } }]);
    expect(decisionsOf(plan)).toEqual({
      mystery: 'keep: unknown age',
      new: 'keep: newest 1 of 2',
      old: 'delete: not in newest 1 of 2',
      '@dangling': 'keep: unknown age',
    });
    expect(plan.repositories[0]?.tags.map((t) => t.tag)).toEqual(['mystery', 'new', 'old']);
  });

  it('takes the age of a tag without a time from its manifest, and ignores invalid dates', () => {
    const repo = repository(
      'app',
      [
        { name: 'from-created', digest: digest('created') },
        { name: 'invalid', digest: digest('invalid'), lastUpdated: new Date('not a date') },
      ],
      [manifest('created', undefined, { created: daysAgo(30) }), manifest('invalid')],
    );
    expect(decisionsOf(planOf([repo], [policy]))).toEqual({
      invalid: 'keep: unknown age',
      'from-created': 'delete: older than 14d',
    });
  });

  it('keeps pinned digests and their tags, and says where they are pinned', () => {
    const repo = repository(
      'app',
      [tag('v1', 'pinned', 90), tag('v1-alias', 'pinned', 90), tag('old', 'old', 90)],
      [manifest('pinned-untagged', 90)],
    );
    const plan = planOf([repo], [policy], {
      pinned: { pinned: 'fleet:apps/web/deploy.yaml', 'pinned-untagged': 'fleet:apps/api/values.yaml' },
    });
    expect(decisionsOf(plan)).toEqual({
      v1: 'keep: pinned in fleet:apps/web/deploy.yaml',
      'v1-alias': 'keep: pinned in fleet:apps/web/deploy.yaml',
      old: 'delete: older than 14d',
      '@pinned-untagged': 'keep: pinned in fleet:apps/api/values.yaml',
    });
    expect(operationsOf(plan)).toEqual(['delete app@old (old) wave 0']);
  });

  it('does not protect pinned digests when no matching policy asks for it', () => {
    const repo = repository('app', [tag('v1', 'pinned', 90)]);
    const plan = planOf([repo], [{ ...policy, protectPinned: false }], {
      pinned: { pinned: 'fleet:a.yaml' },
    });
    expect(decisionsOf(plan)).toEqual({ v1: 'delete: older than 14d' });
  });

  it('keeps a manifest while any of its tags stays and untags the others', () => {
    const repo = repository('app', [tag('latest', 'm', 90), tag('build-1', 'm', 90)]);
    const written = [{ repositories: ['app'], keep: { tags: ['latest'] } }];
    const acr = planOf([repo], written);
    expect(decisionsOf(acr)).toEqual({
      latest: 'keep: matches latest',
      'build-1': 'delete: matches no kept tag; untag only, manifest stays (tag latest is kept)',
    });
    expect(operationsOf(acr)).toEqual(['untag app:build-1']);
    const oci = planOf([repo], written, { registry: { name: 'lab', type: 'oci', canDeleteTags: true } });
    expect(operationsOf(oci)).toEqual(['untag app:build-1']);
  });

  it('deletes a manifest with all its tags in one operation', () => {
    const repo = repository(
      'app',
      [tag('a', 'm', 90), tag('b', 'm', 90)],
      [manifest('m', 90, { sizeBytes: 1234 })],
    );
    const plan = planOf([repo], [policy]);
    expect(plan.operations).toEqual([
      {
        kind: 'delete-manifest',
        repository: 'app',
        digest: digest('m'),
        tags: ['a', 'b'],
        reason: 'all 2 tags deleted',
        sizeBytes: 1234,
        wave: 0,
      },
    ]);
    expect(plan.totals).toEqual({ keep: 0, delete: 2, manifestsDeleted: 1, bytesDeleted: 1234 });
  });

  it('decides tags the registry lists only on the manifest', () => {
    const repo = repository('app', [], [manifest('m', 30, { tags: ['ghost'] })]);
    expect(decisionsOf(planOf([repo], [policy]))).toEqual({ ghost: 'delete: older than 14d' });
  });

  it('plans the same input the same way, from the given time', () => {
    const first = planOf([app()], [policy]);
    expect(planOf([app()], [policy])).toEqual(first);
    expect(now.toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });
});
