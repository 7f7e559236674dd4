import { describe, expect, it } from 'vitest';
import { referrersTagFor } from '../../../../shared/domain/retention/referrers-tag';
import {
  daysAgo,
  decisionsOf,
  digest,
  manifest,
  operationsOf,
  planOf,
  repository,
  short,
  tag,
} from '../../../helpers/retention-builders';

const keepLatest = { repositories: ['app'], keep: { tags: ['latest'] }, untagged: { olderThan: '7d' } };

describe('planRetention with multi-arch indexes', () => {
  /** Index I (tag v1, goes) lists A and B; index J (tag latest, stays) lists B and C. */
  const indexes = () =>
    repository(
      'app',
      [tag('v1', 'I', 30), tag('latest', 'J', 30)],
      [
        manifest('I', 30, { children: [digest('A'), digest('B')] }),
        manifest('J', 30, { children: [digest('B'), digest('C')] }),
        manifest('A', 30),
        manifest('B', 30),
        manifest('C', 30),
      ],
    );

  it.each<[string, unknown]>([
    ['deletes old untagged manifests', keepLatest],
    ['keeps untagged manifests', { ...keepLatest, untagged: undefined }],
  ])('keeps children of a kept index and deletes those of a deleted one, when the policy %s', (_, policy) => {
    const plan = planOf([indexes()], [policy]);
    expect(decisionsOf(plan)).toEqual({
      latest: 'keep: matches latest',
      v1: 'delete: matches no kept tag',
      '@A': `delete: child of deleted index ${short('I')}`,
      '@B': `keep: child of kept index ${short('J')}`,
      '@C': `keep: child of kept index ${short('J')}`,
    });
    expect(operationsOf(plan)).toEqual(['delete app@A wave 0', 'delete app@I (v1) wave 1']);
  });

  it('keeps the children of an index kept only because it is young', () => {
    const repo = repository('app', [], [manifest('I', 2, { children: [digest('A')] }), manifest('A', 30)]);
    expect(decisionsOf(planOf([repo], [keepLatest]))).toEqual({
      '@I': 'keep: untagged, younger than 7d',
      '@A': `keep: child of kept index ${short('I')}`,
    });
  });

  it('follows nested indexes and deletes the innermost first', () => {
    const repo = repository(
      'app',
      [tag('v1', 'outer', 30)],
      [
        manifest('outer', 30, { children: [digest('inner')] }),
        manifest('inner', 30, { children: [digest('leaf')] }),
        manifest('leaf', 30),
      ],
    );
    const plan = planOf([repo], [keepLatest]);
    expect(decisionsOf(plan)).toEqual({
      v1: 'delete: matches no kept tag',
      '@inner': `delete: child of deleted index ${short('outer')}`,
      '@leaf': `delete: child of deleted index ${short('inner')}`,
    });
    expect(operationsOf(plan)).toEqual([
      'delete app@leaf wave 0',
      'delete app@inner wave 1',
      'delete app@outer (v1) wave 2',
    ]);
  });

  it('keeps a pinned child of a deleted index', () => {
    const plan = planOf([indexes()], [keepLatest], { pinned: { A: 'fleet:apps/arm/deploy.yaml' } });
    expect(decisionsOf(plan)['@A']).toBe('keep: pinned in fleet:apps/arm/deploy.yaml');
    expect(operationsOf(plan)).toEqual(['delete app@I (v1) wave 0']);
  });

  it('ignores children the inventory does not list', () => {
    const repo = repository(
      'app',
      [tag('v1', 'I', 30)],
      [manifest('I', 30, { children: [digest('elsewhere')] })],
    );
    expect(operationsOf(planOf([repo], [keepLatest]))).toEqual(['delete app@I (v1) wave 0']);
  });

  it('keeps manifests that list each other, which no registry should produce', () => {
    const repo = repository(
      'app',
      [],
      [manifest('X', 30, { children: [digest('Y')] }), manifest('Y', 30, { children: [digest('X')] })],
    );
    expect(decisionsOf(planOf([repo], [keepLatest]))).toEqual({
      '@X': 'keep: in a reference cycle',
      '@Y': `keep: child of kept index ${short('X')}`,
    });
  });
});

describe('planRetention with referrers', () => {
  it('keeps referrers of a kept manifest and deletes those of a deleted one, first', () => {
    const repo = repository(
      'app',
      [tag('latest', 'K', 30), tag('v1', 'M', 30)],
      [
        manifest('sbom-of-K', 30, { subject: digest('K'), artifactType: 'application/spdx+json' }),
        manifest('sig-of-M', 1, { subject: digest('M') }),
        manifest('sig-of-sig', 1, { subject: digest('sig-of-M') }),
      ],
    );
    const plan = planOf([repo], [keepLatest]);
    expect(decisionsOf(plan)).toEqual({
      latest: 'keep: matches latest',
      v1: 'delete: matches no kept tag',
      '@sig-of-M': `delete: referrer of deleted ${short('M')}`,
      '@sig-of-sig': `delete: referrer of deleted ${short('sig-of-M')}`,
      '@sbom-of-K': `keep: referrer of kept ${short('K')}`,
    });
    expect(operationsOf(plan)).toEqual([
      'delete app@sig-of-sig wave 0',
      'delete app@sig-of-M wave 1',
      'delete app@M (v1) wave 2',
    ]);
  });

  it('keeps a locked referrer of a deleted manifest', () => {
    const repo = repository(
      'app',
      [tag('v1', 'M', 30)],
      [manifest('sig', 30, { subject: digest('M'), locked: true })],
    );
    const plan = planOf([repo], [keepLatest]);
    expect(decisionsOf(plan)['@sig']).toBe('keep: locked');
    expect(operationsOf(plan)).toEqual(['delete app@M (v1) wave 0']);
  });

  it('treats a referrer whose subject is gone as an untagged manifest', () => {
    const repo = repository('app', [], [manifest('orphan', 30, { subject: digest('gone') })]);
    expect(decisionsOf(planOf([repo], [keepLatest]))).toEqual({
      '@orphan': 'delete: untagged, older than 7d',
    });
  });

  describe('through the referrers tag schema (sha256-<hex>)', () => {
    /** K stays (latest), M goes (v1); each has a referrers index tagged `sha256-<hex>` listing a signature. */
    const fallback = () =>
      repository(
        'app',
        [
          tag('latest', 'K', 30),
          tag('v1', 'M', 30),
          { name: referrersTagFor(digest('K')), digest: digest('K-referrers'), lastUpdated: daysAgo(0) },
          { name: referrersTagFor(digest('M')), digest: digest('M-referrers'), lastUpdated: daysAgo(0) },
        ],
        [
          manifest('K-referrers', 0, { children: [digest('K-sig')] }),
          manifest('M-referrers', 0, { children: [digest('M-sig')] }),
          manifest('K-sig', 30),
          manifest('M-sig', 30),
        ],
      );

    it('keeps or deletes the referrers tag, its index and the index children with the subject', () => {
      const plan = planOf([fallback()], [{ ...keepLatest, keep: { tags: ['latest'], newest: 1 } }]);
      expect(decisionsOf(plan)).toEqual({
        [referrersTagFor(digest('K'))]: `keep: referrer of kept ${short('K')}`,
        [referrersTagFor(digest('M'))]: `delete: referrer of deleted ${short('M')}`,
        latest: 'keep: matches latest',
        v1: 'delete: not in newest 1 of 2, matches no kept tag',
        '@K-sig': `keep: child of kept index ${short('K-referrers')}`,
        '@M-sig': `delete: child of deleted index ${short('M-referrers')}`,
      });
      expect(operationsOf(plan)).toEqual([
        'delete app@M-sig wave 0',
        `delete app@M-referrers (${referrersTagFor(digest('M'))}) wave 1`,
        'delete app@M (v1) wave 2',
      ]);
    });

    it('leaves a referrers tag out of newest', () => {
      const plan = planOf([fallback()], [{ repositories: ['app'], keep: { newest: 2 } }]);
      expect(decisionsOf(plan)).toMatchObject({ latest: 'keep: newest 1 of 2', v1: 'keep: newest 2 of 2' });
    });

    it('follows the subject once when the referrers index also names it as subject', () => {
      const repo = repository(
        'app',
        [tag('v1', 'M', 30), tag(referrersTagFor(digest('M')), 'M-referrers', 0)],
        [manifest('M-referrers', 0, { subject: digest('M') })],
      );
      const plan = planOf([repo], [keepLatest]);
      expect(decisionsOf(plan)).toEqual({
        [referrersTagFor(digest('M'))]: `delete: referrer of deleted ${short('M')}`,
        v1: 'delete: matches no kept tag',
      });
      expect(operationsOf(plan)).toEqual([
        `delete app@M-referrers (${referrersTagFor(digest('M'))}) wave 0`,
        'delete app@M (v1) wave 1',
      ]);
    });

    it('decides a referrers tag whose subject is not in the repository like any tag', () => {
      const repo = repository('app', [tag(referrersTagFor(digest('gone')), 'orphan-index', 30)]);
      expect(decisionsOf(planOf([repo], [keepLatest]))).toEqual({
        [referrersTagFor(digest('gone'))]: 'delete: matches no kept tag',
      });
    });
  });
});

describe('planRetention with untagged manifests', () => {
  it.each<[string, unknown[], number | undefined, string]>([
    ['an old one', [keepLatest], 30, 'delete: untagged, older than 7d'],
    ['a young one', [keepLatest], 3, 'keep: untagged, younger than 7d'],
    ['one of unknown age', [keepLatest], undefined, 'keep: unknown age'],
    [
      'one under a policy without untagged',
      [{ ...keepLatest, untagged: undefined }],
      30,
      'keep: untagged, the policy keeps untagged manifests',
    ],
    [
      'one where another matching policy keeps untagged',
      [keepLatest, { repositories: ['**'], keep: {} }],
      30,
      'keep: untagged, the policy keeps untagged manifests',
    ],
    [
      'one younger than the longest olderThan of the matching policies',
      [keepLatest, { ...keepLatest, untagged: { olderThan: '60d' } }],
      30,
      'keep: untagged, younger than 60d',
    ],
    ['one no policy matches', [{ ...keepLatest, repositories: ['other'] }], 30, 'keep: no policy matches'],
  ])('decides %s', (_name, written, age, expected) => {
    const repo = repository('app', [], [manifest('dangling', age)]);
    expect(decisionsOf(planOf([repo], written))).toEqual({ '@dangling': expected });
  });

  it('lists untagged manifests newest first, unknown age first', () => {
    const repo = repository('app', [], [manifest('old', 30), manifest('unknown'), manifest('new', 1)]);
    const plan = planOf([repo], [keepLatest]);
    expect(plan.repositories[0]?.manifests.map((m) => m.digest)).toEqual(
      ['unknown', 'new', 'old'].map(digest),
    );
  });
});

describe('planRetention operations', () => {
  it('orders operations by wave across repositories, repositories by name within a wave', () => {
    const withSignature = (name: string) =>
      repository(
        name,
        [tag('v1', `${name}-M`, 30)],
        [manifest(`${name}-sig`, 30, { subject: digest(`${name}-M`) })],
      );
    const plan = planOf([withSignature('b'), withSignature('a')], [{ ...keepLatest, repositories: ['**'] }]);
    expect(operationsOf(plan)).toEqual([
      'delete a@a-sig wave 0',
      'delete b@b-sig wave 0',
      'delete a@a-M (v1) wave 1',
      'delete b@b-M (v1) wave 1',
    ]);
  });

  it('records the digest an untagged tag pointed to', () => {
    const repo = repository('app', [tag('latest', 'm', 30), tag('old', 'm', 30)]);
    expect(planOf([repo], [keepLatest]).operations).toEqual([
      { kind: 'delete-tag', repository: 'app', tag: 'old', digest: digest('m'), wave: 0 },
    ]);
  });
});

describe('planRetention at scale', () => {
  it('stays linear in one huge repository (an index with 50,000 children, 50,000 referrers)', () => {
    const count = 50_000;
    const lastUpdated = daysAgo(30);
    const children = Array.from({ length: count }, (_, i) => `sha256:${String(i).padStart(64, 'c')}`);
    const referrers = Array.from({ length: count }, (_, i) => `sha256:${String(i).padStart(64, 'r')}`);
    const repo = repository(
      'app',
      [
        tag('latest', 'index', 30),
        ...Array.from({ length: 2 * count }, (_, i) => ({
          name: `build-${i}`,
          digest: `sha256:${String(i).padStart(64, 't')}`,
          lastUpdated,
        })),
      ],
      [
        manifest('index', 30, { children }),
        ...children.map((d) => ({ digest: d, tags: [], lastUpdated })),
        ...referrers.map((d) => ({ digest: d, tags: [], lastUpdated, subject: digest('index') })),
      ],
    );
    const plan = planOf([repo], [keepLatest]);
    expect(plan.totals).toEqual({
      keep: 1 + 2 * count,
      delete: 2 * count,
      manifestsDeleted: 2 * count,
      bytesDeleted: 0,
    });
  });
});
