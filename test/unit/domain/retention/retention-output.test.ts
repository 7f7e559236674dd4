import { describe, expect, it } from 'vitest';
import { notificationPayloadSchema } from '../../../../shared/domain/messages/action-messages';
import { formatBytes, formatRetentionPlan } from '../../../../shared/domain/retention/format-retention-plan';
import {
  notifiedRepositories,
  retentionNotification,
} from '../../../../shared/domain/retention/retention-notification';
import { retentionPlanJson } from '../../../../shared/domain/retention/retention-plan-json';
import { digest, manifest, planOf, repository, short, tag } from '../../../helpers/retention-builders';

const policy = { repositories: ['team-a/**'], keep: { tags: ['latest'] }, untagged: { olderThan: '7d' } };

const prodPlan = () =>
  planOf(
    [
      repository(
        'team-a/web',
        [tag('latest', 'L', 40), tag('v1.0.0', 'V', 30)],
        [
          manifest('L', 40, { sizeBytes: 2_500_000 }),
          manifest('V', 30, { sizeBytes: 1_200_000 }),
          manifest('dangling', 10, { sizeBytes: 300_000 }),
        ],
      ),
      repository('team-b/api', [tag('old', 'O', 400)]),
      repository('team-a/empty', []),
    ],
    [policy],
  );

const labPlan = () =>
  planOf([], [], { registry: { name: 'lab', type: 'oci', url: 'http://127.0.0.1:5000' } });

describe('retentionPlanJson', () => {
  it('gives exactly the documented shape', () => {
    expect(retentionPlanJson([prodPlan(), labPlan()])).toStrictEqual({
      registries: [
        {
          name: 'prod',
          repositories: [
            { name: 'team-a/empty', tags: [], manifests: [] },
            {
              name: 'team-a/web',
              tags: [
                { tag: 'v1.0.0', digest: digest('V'), decision: 'delete', reason: 'matches no kept tag' },
                { tag: 'latest', digest: digest('L'), decision: 'keep', reason: 'matches latest' },
              ],
              manifests: [
                { digest: digest('dangling'), decision: 'delete', reason: 'untagged, older than 7d' },
              ],
            },
            {
              name: 'team-b/api',
              tags: [{ tag: 'old', digest: digest('O'), decision: 'keep', reason: 'no policy matches' }],
              manifests: [],
            },
          ],
        },
        { name: 'lab', repositories: [] },
      ],
      totals: { keep: 2, delete: 2 },
    });
  });

  it('survives a JSON round trip unchanged', () => {
    const json = retentionPlanJson([prodPlan()]);
    expect(JSON.parse(JSON.stringify(json))).toStrictEqual(json);
  });
});

describe('formatRetentionPlan', () => {
  it('lists every decision per repository with its reason, then totals', () => {
    expect(formatRetentionPlan([prodPlan(), labPlan()])).toBe(
      [
        'registry prod (prod.azurecr.io)',
        '  team-a/empty: keep 0, delete 0 (policy 0)',
        '    (empty)',
        '  team-a/web: keep 1, delete 2 (policy 0)',
        `    delete  v1.0.0      ${short('V')}  matches no kept tag`,
        `    keep    latest      ${short('L')}  matches latest`,
        `    delete  <untagged>  ${short('dangling')}  untagged, older than 7d`,
        '  team-b/api: no policy matches, keep 1',
        'registry lab (http://127.0.0.1:5000)',
        '  no repositories',
        'totals: keep 2, delete 2 (tags and untagged manifests); 2 manifests to delete (1.5 MB where sizes are known)',
        '',
      ].join('\n'),
    );
  });

  it('names several policies and leaves out sizes nobody knows', () => {
    const plan = planOf(
      [repository('team-a/x', [tag('a', 'a', 30)])],
      [policy, { ...policy, keep: { newest: 5 } }],
    );
    const text = formatRetentionPlan([plan]);
    expect(text).toContain('  team-a/x: keep 1, delete 0 (policies 0, 1)\n');
    expect(text).toContain('totals: keep 1, delete 0 (tags and untagged manifests); 0 manifests to delete\n');
  });

  it.each<[number, string]>([
    [0, '0 B'],
    [999, '999 B'],
    [1_500, '1.5 kB'],
    [1_200_000, '1.2 MB'],
    [3_400_000_000_000, '3.4 TB'],
  ])('formats %i bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('retentionNotification', () => {
  it('counts a dry run per registry and names the repositories that would lose most', () => {
    const payload = retentionNotification({
      dryRun: true,
      runs: [{ plan: prodPlan() }, { plan: labPlan() }],
    });
    expect(notificationPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toEqual({
      kind: 'retention',
      dryRun: true,
      registries: [
        {
          registry: 'prod.azurecr.io',
          kept: 2,
          deleted: 2,
          failed: 0,
          repositories: [{ repository: 'team-a/web', deleted: 2 }],
        },
        { registry: 'http://127.0.0.1:5000', kept: 0, deleted: 0, failed: 0, repositories: [] },
      ],
    });
  });

  it('counts failed deletes as failed, not deleted, once applied', () => {
    const plan = prodPlan();
    const failed = plan.operations.filter(
      (op) => op.kind === 'delete-manifest' && op.tags.includes('v1.0.0'),
    );
    expect(failed).toHaveLength(1);
    const payload = retentionNotification({ dryRun: false, runs: [{ plan, failed }] });
    expect(payload.registries[0]).toEqual({
      registry: 'prod.azurecr.io',
      kept: 2,
      deleted: 1,
      failed: 1,
      repositories: [{ repository: 'team-a/web', deleted: 1 }],
    });
    expect(retentionNotification({ dryRun: true, runs: [{ plan, failed }] }).registries[0]?.failed).toBe(0);
  });

  it('keeps the message small: at most the repositories that lost most', () => {
    const repositories = Array.from({ length: notifiedRepositories + 5 }, (_, i) =>
      repository(
        `team-a/r${String(i).padStart(3, '0')}`,
        Array.from({ length: (i % 7) + 1 }, (_, t) => tag(`t${t}`, `r${i}t${t}`, 30)),
      ),
    );
    const payload = retentionNotification({
      dryRun: true,
      runs: [{ plan: planOf(repositories, [{ repositories: ['**'], keep: {} }]) }],
    });
    const listed = payload.registries[0]?.repositories ?? [];
    expect(listed).toHaveLength(notifiedRepositories);
    expect(listed[0]).toEqual({ repository: 'team-a/r006', deleted: 7 });
    expect(listed.map((r) => r.deleted)).toEqual([...listed.map((r) => r.deleted)].sort((a, b) => b - a));
    expect(notificationPayloadSchema.parse(payload)).toEqual(payload);
  });
});
