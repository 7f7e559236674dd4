import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAcrBackend } from '../../../../shared/adapters/registry/acr-registry-backend';
import { runRetention } from '../../../../shared/domain/retention/run-retention';
import { captureLogger } from '../../../helpers/fakes';
import {
  acrImage,
  acrIndex,
  acrReferrer,
  startFakeAcrServer,
  type FakeAcrServer,
} from '../../../helpers/fake-acr-server';
import { retentionTestDeps } from '../../../helpers/retention-deps';

const day = (n: number) => new Date(Date.UTC(2026, 4, n)).toISOString(); // May 2026
const now = new Date('2026-06-01T00:00:00Z');

const images = Array.from({ length: 5 }, (_, i) =>
  acrImage({ tags: [`v${i}`], createdOn: day(1 + i), lastUpdatedOn: day(1 + i) }),
);
const locked = acrImage({ tags: [{ name: 'prod', deleteEnabled: false }], createdOn: day(1) });
const lockedUntagged = acrImage({ deleteEnabled: false, createdOn: day(1) });
const amd = acrImage({ architecture: 'amd64', os: 'linux', createdOn: day(2) });
const arm = acrImage({ architecture: 'arm64', os: 'linux', createdOn: day(2) });
const multi = acrIndex([amd, arm], { tags: ['multi'], createdOn: day(2) });
const keptSignature = acrReferrer(
  images[4] as (typeof images)[number],
  'application/vnd.cncf.notary.signature',
  {
    createdOn: day(1),
  },
);
const dangling = acrImage({ createdOn: day(1) });

function seed(fake: FakeAcrServer) {
  const extra = Object.fromEntries(
    Array.from({ length: 104 }, (_, i) => [
      `bulk/r${String(i).padStart(3, '0')}`,
      { manifests: [acrImage({ tags: ['x'] })] },
    ]),
  );
  fake.reset({
    repositories: {
      'team-a/app': {
        manifests: [...images, locked, lockedUntagged, amd, arm, multi, keptSignature, dangling],
      },
      ...extra,
    },
  });
}

const yaml = (loginServer: string, dryRun = false) => `
retention:
  dryRun: ${dryRun}
  registries:
    - { name: prod, type: acr, loginServer: "${loginServer}" }
  policies:
    - repositories: ['team-a/**']
      keep: { newest: 2 }
      untagged: { olderThan: 7d }
`;

describe('ACR backend with the real SDK against the fake ACR server', () => {
  let fake: FakeAcrServer;
  const backend = () =>
    createAcrBackend({
      name: 'prod',
      loginServer: fake.loginServer,
      credential: fake.credential,
      clientOptions: { ...fake.clientOptions, retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
      log: captureLogger(),
    });

  beforeAll(async () => {
    fake = await startFakeAcrServer();
  });
  afterAll(async () => fake?.close());
  beforeEach(() => seed(fake));

  it('lists repositories across Link pages', async () => {
    const names = await backend().listRepositories();
    expect(names).toHaveLength(105);
    expect(fake.requests.some((r) => r.path === '/acr/v1/_catalog' && r.query.last !== undefined)).toBe(true);
  });

  it('inventories tags with times and locks, index children and the subject of untagged referrers', async () => {
    const inventory = await backend().inventory('team-a/app');
    expect(inventory.tags.map((t) => t.name).sort()).toEqual(['multi', 'prod', 'v0', 'v1', 'v2', 'v3', 'v4']);
    expect(inventory.tags.find((t) => t.name === 'prod')).toMatchObject({ locked: true });
    expect(inventory.tags.find((t) => t.name === 'v1')?.lastUpdated).toEqual(new Date(day(2)));
    const byDigest = new Map(inventory.manifests.map((m) => [m.digest, m]));
    expect(byDigest.get(multi.digest)?.children).toEqual([amd.digest, arm.digest]);
    expect(byDigest.get(lockedUntagged.digest)?.locked).toBe(true);
    expect(byDigest.get(keptSignature.digest)).toMatchObject({
      subject: images[4]?.digest,
      artifactType: 'application/vnd.cncf.notary.signature',
    });
    expect(byDigest.get(dangling.digest)?.subject).toBeUndefined();
    expect(byDigest.get(images[0]?.digest ?? '')?.sizeBytes).toBe(images[0]?.imageSize);
    // Index children are not read (they are children); untagged others are, for their subject.
    const reads = fake.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/v2/') && r.status === 200,
    );
    expect(reads.map((r) => r.path.split('/').at(-1)).sort()).toEqual(
      [keptSignature.digest, dangling.digest, lockedUntagged.digest].sort(),
    );
  });

  it('applies the plan: deletes what goes, keeps locks, the newest and referrers of kept images', async () => {
    const deps = retentionTestDeps({
      yaml: yaml(fake.loginServer),
      backends: { prod: backend() },
      now: () => now,
    });
    const result = await runRetention(deps, {
      trigger: 'cli',
      runId: 'r',
      correlationId: 'r',
      apply: true,
      notify: [],
    });
    const run = result.registries[0];
    expect(run?.status).toBe('applied');
    expect(run?.result?.failed).toEqual([]);
    expect(fake.tags('team-a/app')).toEqual(['prod', 'v3', 'v4']);
    const left = fake.manifests('team-a/app');
    for (const kept of [locked, lockedUntagged, images[3], images[4], keptSignature])
      expect(left).toContain(kept?.digest);
    for (const gone of [images[0], images[1], images[2], multi, amd, arm, dangling])
      expect(left).not.toContain(gone?.digest);
    // Nothing outside the policy's repositories was read or touched.
    expect(fake.requests.some((r) => r.path.startsWith('/acr/v1/bulk/'))).toBe(false);
  });

  it('survives a storm of 429s on deletes', async () => {
    fake.failNext(12, { status: 429, retryAfter: 0 }, { method: 'DELETE' });
    const deps = retentionTestDeps({
      yaml: yaml(fake.loginServer),
      backends: { prod: backend() },
      now: () => now,
    });
    const result = await runRetention(deps, {
      trigger: 'cli',
      runId: 'r',
      correlationId: 'r',
      apply: true,
      notify: [],
    });
    expect(result.registries[0]?.result?.failed).toEqual([]);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(12);
    expect(fake.tags('team-a/app')).toEqual(['prod', 'v3', 'v4']);
  });

  it('a dry run reads and deletes nothing', async () => {
    const deps = retentionTestDeps({
      yaml: yaml(fake.loginServer, true),
      backends: { prod: backend() },
      now: () => now,
    });
    const result = await runRetention(deps, {
      trigger: 'cli',
      runId: 'r',
      correlationId: 'r',
      apply: false,
      notify: [],
    });
    expect(result.registries[0]?.plan?.totals.delete).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('names the roles to grant when the registry refuses the identity', async () => {
    const refusing = createAcrBackend({
      name: 'prod',
      loginServer: fake.loginServer,
      credential: {
        getToken: async () => ({ token: 'not-the-right-one', expiresOnTimestamp: Date.now() + 60_000 }),
      },
      clientOptions: fake.clientOptions,
      log: captureLogger(),
    });
    await expect(refusing.listRepositories()).rejects.toThrow(/AcrPull and AcrDelete/);
  });
});
