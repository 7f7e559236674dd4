import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundClient } from '../../../../shared/adapters/http/outbound-client';
import { createOciBackend } from '../../../../shared/adapters/registry/oci-registry-backend';
import { runRetention } from '../../../../shared/domain/retention/run-retention';
import { captureLogger } from '../../../helpers/fakes';
import {
  listTags,
  manifestExists,
  OCI_REGISTRY_START_TIMEOUT_MS,
  pushImage,
  pushIndex,
  pushReferrer,
  referrersTag,
  startOciRegistry,
  type OciRegistry,
} from '../../../helpers/oci-registry';
import { retentionTestDeps } from '../../../helpers/retention-deps';

const now = new Date('2026-06-01T00:00:00Z');
const http = () => createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true });

/** team/app: v1 (2024, signed), v2 (2025, age in the annotation only), v3 = latest (last month), multi (old index). */
async function seed(registry: OciRegistry, repo: string, credentials?: OciRegistry['credentials']) {
  const auth = credentials ? { auth: credentials } : {};
  const v1 = await pushImage(registry.url, repo, { tag: 'v1', created: '2024-01-01T00:00:00Z', ...auth });
  const v2 = await pushImage(registry.url, repo, {
    tag: 'v2',
    annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' },
    ...auth,
  });
  const v3 = await pushImage(registry.url, repo, {
    tag: ['v3', 'latest'],
    created: '2026-05-01T00:00:00Z',
    ...auth,
  });
  const amd = await pushImage(registry.url, repo, { created: '2024-02-01T00:00:00Z', ...auth });
  const arm = await pushImage(registry.url, repo, {
    created: '2024-02-02T00:00:00Z',
    platform: { architecture: 'arm64', os: 'linux' },
    ...auth,
  });
  const multi = await pushIndex(registry.url, repo, {
    tag: 'multi',
    manifests: [amd.digest, arm.digest],
    ...auth,
  });
  const signature = await pushReferrer(registry.url, repo, {
    subject: v1.digest,
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    ...auth,
  });
  return { v1, v2, v3, amd, arm, multi, signature };
}

const yaml = (url: string, dryRun: boolean, extra = '') => `
retention:
  dryRun: ${dryRun}
  concurrency: 4
  registries:
    - { name: lab, type: oci, url: "${url}"${extra} }
  policies:
    - repositories: ['**']
      keep: { newest: 2, tags: [latest] }
`;

describe('OCI registry backend against docker-registry 2.8', () => {
  let registry: OciRegistry;
  beforeAll(async () => {
    registry = await startOciRegistry();
  }, OCI_REGISTRY_START_TIMEOUT_MS);
  afterAll(async () => registry?.stop());

  it('inventories tags, ages, index children and the referrers tag schema', async () => {
    const pushed = await seed(registry, 'inv/app');
    const backend = createOciBackend({
      registry: { name: 'lab', url: registry.url },
      http: http(),
      setting: () => undefined,
      log: captureLogger(),
    });
    expect(await backend.listRepositories()).toContain('inv/app');
    const inventory = await backend.inventory('inv/app');
    expect(inventory.tags.map((t) => t.name)).toEqual(
      ['latest', 'multi', referrersTag(pushed.v1.digest), 'v1', 'v2', 'v3'].sort(),
    );
    const byDigest = new Map(inventory.manifests.map((m) => [m.digest, m]));
    expect(byDigest.get(pushed.v1.digest)).toMatchObject({
      created: new Date('2024-01-01T00:00:00Z'),
      tags: ['v1'],
    });
    expect(byDigest.get(pushed.v2.digest)?.created).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(byDigest.get(pushed.v3.digest)?.tags.sort()).toEqual(['latest', 'v3']);
    expect(byDigest.get(pushed.multi.digest)).toMatchObject({
      children: [pushed.amd.digest, pushed.arm.digest],
      // An index without its own created: its newest child.
      created: new Date('2024-02-02T00:00:00Z'),
    });
    expect(byDigest.get(pushed.amd.digest)?.tags).toEqual([]);
    const referrersIndex = inventory.tags.find((t) => t.name === referrersTag(pushed.v1.digest));
    expect(byDigest.get(referrersIndex?.digest ?? '')?.children).toEqual([pushed.signature.digest]);
    expect(byDigest.get(pushed.signature.digest)?.subject).toBe(pushed.v1.digest);
    expect(byDigest.get(pushed.v1.digest)?.sizeBytes).toBeGreaterThan(pushed.v1.size);
    expect(await backend.inventory('no/such')).toEqual({ name: 'no/such', tags: [], manifests: [] });
  });

  it('a dry run deletes nothing; apply leaves exactly what the plan keeps', async () => {
    const repo = 'apply/app';
    const pushed = await seed(registry, repo);
    const backendFor = () =>
      createOciBackend({
        registry: { name: 'lab', url: registry.url },
        http: http(),
        setting: () => undefined,
        log: captureLogger(),
      });

    const dry = retentionTestDeps({
      yaml: yaml(registry.url, true),
      backends: { lab: backendFor() },
      now: () => now,
    });
    const planned = await runRetention(dry, {
      trigger: 'cli',
      runId: 'dry',
      correlationId: 'dry',
      apply: false,
      registries: ['lab'],
      repository: repo,
      notify: [],
    });
    expect(planned.registries[0]?.plan?.totals).toMatchObject({ keep: 2, delete: 7, manifestsDeleted: 7 });
    expect(await listTags(registry.url, repo)).toHaveLength(6);

    const deps = retentionTestDeps({
      yaml: yaml(registry.url, false),
      backends: { lab: backendFor() },
      now: () => now,
    });
    const result = await runRetention(deps, {
      trigger: 'cli',
      runId: 'apply',
      correlationId: 'apply',
      apply: true,
      registries: ['lab'],
      repository: repo,
      notify: [],
    });
    const run = result.registries[0];
    expect(run?.status).toBe('applied');
    expect(run?.result?.failed).toEqual([]);
    // Planned deletes = what is gone, no more, no less.
    const planDeletes = (planned.registries[0]?.plan?.operations ?? []).map(
      (op) => op.kind === 'delete-manifest' && op.digest,
    );
    expect(run?.result?.done.map((op) => op.kind === 'delete-manifest' && op.digest).sort()).toEqual(
      planDeletes.sort(),
    );

    expect(await listTags(registry.url, repo)).toEqual(['latest', 'v3']);
    expect(await manifestExists(registry.url, repo, pushed.v3.digest)).toBe(true);
    for (const gone of [pushed.v1, pushed.v2, pushed.multi, pushed.amd, pushed.arm, pushed.signature]) {
      expect(await manifestExists(registry.url, repo, gone.digest), gone.digest).toBe(false);
    }
  });

  it('keeps a pinned digest and an image whose age is unknown', async () => {
    const repo = 'pins/app';
    const old = await pushImage(registry.url, repo, { tag: 'old', created: '2023-01-01T00:00:00Z' });
    await pushImage(registry.url, repo, { tag: 'ageless' });
    await pushImage(registry.url, repo, { tag: ['new', 'latest'], created: '2026-05-30T00:00:00Z' });
    await pushImage(registry.url, repo, { tag: 'newer', created: '2026-05-31T00:00:00Z' });
    await pushImage(registry.url, repo, { tag: 'gone', created: '2023-02-01T00:00:00Z' });
    const deps = retentionTestDeps({
      yaml: `
gitops:
  fleet: { url: https://git.example.com/fleet.git }
${yaml(registry.url, false)}`,
      backends: {
        lab: createOciBackend({
          registry: { name: 'lab', url: registry.url },
          http: http(),
          setting: () => undefined,
          log: captureLogger(),
        }),
      },
      git: {
        read: async (_input, reader) =>
          reader({
            list: async () => ['app.yaml'],
            read: async () => `image: ${registry.host}/${repo}@${old.digest}\n`,
          }),
      },
      now: () => now,
    });
    const result = await runRetention(deps, {
      trigger: 'cli',
      runId: 'pins',
      correlationId: 'pins',
      apply: true,
      repository: repo,
      notify: [],
    });
    const tags = result.registries[0]?.plan?.repositories[0]?.tags.map(
      (t) => `${t.tag}: ${t.decision} (${t.reason})`,
    );
    expect(tags).toContain('old: keep (pinned in fleet:app.yaml)');
    expect(tags).toContain('ageless: keep (unknown age)');
    expect(await listTags(registry.url, repo)).toEqual(['ageless', 'latest', 'new', 'newer', 'old']);
  });
});

describe('OCI registry backend with credentials', () => {
  for (const auth of ['basic', 'token'] as const) {
    describe(auth, () => {
      let registry: OciRegistry;
      beforeAll(async () => {
        registry = await startOciRegistry({ auth });
      }, OCI_REGISTRY_START_TIMEOUT_MS);
      afterAll(async () => registry?.stop());

      it(`inventories and deletes with usernameFrom/passwordFrom (${auth})`, async () => {
        const credentials = registry.credentials;
        const pushed = await seed(registry, 'auth/app', credentials);
        const settings: Record<string, string> = {
          LAB_USER: credentials?.username ?? '',
          LAB_PASS: credentials?.password ?? '',
        };
        const log = captureLogger();
        const backend = createOciBackend({
          registry: { name: 'lab', url: registry.url, usernameFrom: 'LAB_USER', passwordFrom: 'LAB_PASS' },
          http: http(),
          setting: (name) => settings[name],
          log,
        });
        expect(await backend.listRepositories()).toEqual(['auth/app']);
        expect((await backend.inventory('auth/app')).tags).toHaveLength(6);
        await backend.deleteManifest('auth/app', pushed.v2.digest);
        expect(await manifestExists(registry.url, 'auth/app', pushed.v2.digest, credentials)).toBe(false);
        if (auth === 'token')
          expect(registry.tokenServer?.requests.some((url) => url.includes('delete'))).toBe(true);

        const anonymous = createOciBackend({
          registry: { name: 'lab', url: registry.url },
          http: http(),
          setting: () => undefined,
          log,
        });
        await expect(anonymous.listRepositories()).rejects.toThrow(/usernameFrom/);
        expect(log.all()).not.toContain(credentials?.password ?? 'never');
      });
    });
  }
});

describe('OCI registry backend under a 429 storm (scripted registry)', () => {
  it('honours Retry-After and deletes everything in the end', async () => {
    const { startScriptedHttpServer } = await import('../../../helpers/scripted-http-server');
    const { applyRetentionPlan } = await import('../../../../shared/domain/retention/apply-retention-plan');
    const server = await startScriptedHttpServer();
    try {
      let throttled = 0;
      const answer = (request: { method: string; url: string }) => {
        if (request.method === 'GET') return { body: { name: 'app', tags: [] } };
        if (throttled < 9) {
          throttled += 1;
          return {
            status: 429,
            headers: { 'retry-after': '1' },
            body: { errors: [{ code: 'TOOMANYREQUESTS' }] },
          };
        }
        return { status: 202, body: '' };
      };
      server.reply(...Array.from({ length: 40 }, () => answer));
      const waits: number[] = [];
      const sleep = async (ms: number) => void waits.push(ms);
      const backend = createOciBackend({
        registry: { name: 'scripted', url: server.origin },
        http: createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true, sleep }),
        setting: () => undefined,
        log: captureLogger(),
      });
      const operations = Array.from({ length: 5 }, (_, i) => ({
        kind: 'delete-manifest' as const,
        repository: 'app',
        digest: `sha256:${String(i).repeat(64)}`,
        tags: [],
        reason: 'untagged',
        wave: 0,
      }));
      const result = await applyRetentionPlan(operations, {
        backend,
        log: captureLogger(),
        concurrency: 2,
        sleep,
      });
      expect(result.failed).toEqual([]);
      expect(result.done).toHaveLength(5);
      expect(throttled).toBe(9);
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.every((ms) => ms === 1000)).toBe(true);
      const deletes = server.requests.filter((r) => r.method === 'DELETE');
      expect(deletes).toHaveLength(14);
    } finally {
      await server.close();
    }
  });
});

describe('OCI registry backend with tokenFrom (scripted registry)', () => {
  it('sends the bearer token from the app setting, and never shows it in an error', async () => {
    const { startScriptedHttpServer } = await import('../../../helpers/scripted-http-server');
    const server = await startScriptedHttpServer();
    const token = 'registry-token-that-must-not-leak';
    try {
      server.reply(
        { body: { repositories: ['b', 'a'] } },
        { status: 401, headers: { 'www-authenticate': 'Bearer realm="x"' }, body: `bad token ${token}` },
      );
      const backend = createOciBackend({
        registry: { name: 'tok', url: server.origin, tokenFrom: 'LAB_TOKEN' },
        http: createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true }),
        setting: (name) => (name === 'LAB_TOKEN' ? token : undefined),
        log: captureLogger(),
      });
      expect(await backend.listRepositories()).toEqual(['a', 'b']);
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
      const refused = await backend.inventory('a').catch((error: unknown) => error as Error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain('LAB_TOKEN');
      expect((refused as Error).message).not.toContain(token);

      expect(() =>
        createOciBackend({
          registry: { name: 'tok', url: server.origin, tokenFrom: 'LAB_TOKEN' },
          http: createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true }),
          setting: () => undefined,
          log: captureLogger(),
        }),
      ).toThrow('retention.registries "tok".tokenFrom names the app setting LAB_TOKEN, which is not set');
    } finally {
      await server.close();
    }
  });
});
