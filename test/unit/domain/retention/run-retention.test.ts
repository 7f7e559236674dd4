import { describe, expect, it } from 'vitest';
import { leaseScope } from '../../../../shared/domain/retention/retention-lease';
import { runRetention } from '../../../../shared/domain/retention/run-retention';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { memoryGitReader, retentionTestDeps } from '../../../helpers/retention-deps';
import { digest, repository, tag } from '../../../helpers/retention-builders';

const yaml = (dryRun: boolean, extra = '') => `
gitops:
  fleet: { url: https://git.example.com/fleet.git }
teams:
  platform: { urlFrom: TEAMS_URL }
retention:
  dryRun: ${dryRun}
  notify: [platform]
  registries:
    - { name: prod, type: acr, loginServer: prod.azurecr.io }
  policies:
    - repositories: ['team-a/**']
      keep: { newest: 1 }
${extra}`;

const inventory = () => [
  repository('team-a/web', [tag('v3', 'W3', 1), tag('v2', 'W2', 10), tag('v1', 'W1', 20)]),
  repository('team-b/api', [tag('v1', 'B1', 20), tag('v0', 'B0', 30)]),
];

const fleet = {
  'apps/web/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: web
          image: prod.azurecr.io/team-a/web:v1
`,
};

const request = (apply: boolean, runId = 'run-1') => ({
  trigger: 'http' as const,
  runId,
  correlationId: runId,
  apply,
  notify: ['platform'],
});

describe('runRetention', () => {
  it('plans without deleting in a dry run, and says what it would delete', async () => {
    const backend = memoryRegistry(inventory());
    const deps = retentionTestDeps({
      yaml: yaml(true),
      backends: { prod: backend },
      git: memoryGitReader({ 'https://git.example.com/fleet.git': fleet }),
    });
    const result = await runRetention(deps, request(false));
    expect(result.registries[0]?.status).toBe('planned');
    expect(backend.calls.filter((call) => /^(delete|untag)/.test(call))).toEqual([]);
    // Only repositories a policy matches are read.
    expect(backend.calls).toEqual(['list', 'inventory team-a/web']);
    const web = result.registries[0]?.plan?.repositories[0];
    expect(web?.tags.map((t) => `${t.tag} ${t.decision}: ${t.reason}`)).toEqual([
      'v3 keep: newest 1 of 3',
      'v2 delete: not in newest 1 of 3',
      'v1 keep: pinned in fleet:apps/web/deploy.yaml (by tag v1)',
    ]);
    expect(deps.queue.sent).toEqual([
      {
        queue: 'notifications',
        message: expect.objectContaining({
          channel: 'platform',
          dedupeKey: 'retention-run-1',
          payload: {
            kind: 'retention',
            dryRun: true,
            registries: [
              {
                registry: 'prod.azurecr.io',
                kept: 2,
                deleted: 1,
                failed: 0,
                repositories: [{ repository: 'team-a/web', deleted: 1 }],
              },
            ],
          },
        }),
      },
    ]);
  });

  it('applies exactly the plan, keeping the digest a gitops repo pins', async () => {
    const backend = memoryRegistry(inventory());
    const deps = retentionTestDeps({
      yaml: yaml(false),
      backends: { prod: backend },
      git: memoryGitReader({ 'https://git.example.com/fleet.git': fleet }),
    });
    const result = await runRetention(deps, request(true));
    expect(result.registries[0]?.status).toBe('applied');
    expect(backend.calls.filter((call) => /^(delete|untag)/.test(call))).toEqual([
      `delete team-a/web@${digest('W2')}`,
    ]);
    expect(backend.repositories.get('team-a/web')?.tags.map((t) => t.name)).toEqual(['v3', 'v1']);
    expect(deps.state.rows.size).toBe(0); // the lease was given back
  });

  it('deletes nothing when a gitops repo cannot be read, and says why', async () => {
    const backend = memoryRegistry(inventory());
    const deps = retentionTestDeps({
      yaml: yaml(false),
      backends: { prod: backend },
      git: memoryGitReader({
        'https://git.example.com/fleet.git': new Error(
          'fetch of main from https://git.example.com/fleet.git was refused (403)',
        ),
      }),
    });
    const result = await runRetention(deps, request(true));
    const run = result.registries[0];
    expect(run?.status).toBe('blocked');
    expect(run?.reason).toMatch(/gitops repo "fleet" \(.*403.*\) could not be read/);
    expect(backend.calls.filter((call) => /^(delete|untag)/.test(call))).toEqual([]);
    expect(run?.plan?.totals.delete).toBe(0);
    expect(run?.plan?.repositories[0]?.tags[1]?.reason).toBe('kept: gitops repo fleet could not be read');
    const kinds = deps.queue.sent.map((sent) => (sent.message as { payload: { kind: string } }).payload.kind);
    expect(kinds).toEqual(['retention', 'failed']);
  });

  it('runs in one registry at a time: a second run finds the lease and does not apply', async () => {
    const backend = memoryRegistry(inventory());
    const deps = retentionTestDeps({
      yaml: yaml(false),
      backends: { prod: backend },
      git: memoryGitReader({ 'https://git.example.com/fleet.git': fleet }),
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    backend.beforeDelete = () => gate;
    const first = runRetention(deps, request(true, 'first'));
    // Let the first run take the lease and reach its first delete.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await runRetention(deps, request(true, 'second'));
    expect(second.registries[0]?.status).toBe('busy');
    expect(second.registries[0]?.reason).toMatch(/already running: a http run \(first\)/);
    release();
    expect((await first).registries[0]?.status).toBe('applied');
    expect(backend.calls.filter((call) => call.startsWith('delete'))).toHaveLength(1);
    expect(deps.state.value(leaseScope, 'prod')).toBeUndefined();
  });

  it('takes over the lease of a run that died half-way', async () => {
    const backend = memoryRegistry(inventory());
    const deps = retentionTestDeps({
      yaml: yaml(false),
      backends: { prod: backend },
      git: memoryGitReader({ 'https://git.example.com/fleet.git': fleet }),
    });
    await deps.state.put(leaseScope, 'prod', {
      owner: 'dead',
      trigger: 'timer',
      startedAt: '2026-05-31T23:00:00.000Z',
      expiresAt: '2026-05-31T23:05:00.000Z',
    });
    const result = await runRetention(deps, request(true));
    expect(result.registries[0]?.status).toBe('applied');
  });

  it('refuses an unknown registry name with the known ones', async () => {
    const deps = retentionTestDeps({ yaml: yaml(true), backends: {} });
    await expect(runRetention(deps, { ...request(false), registries: ['prd'] })).rejects.toThrow(
      'unknown retention registry "prd"; retention.registries has prod',
    );
  });
});
