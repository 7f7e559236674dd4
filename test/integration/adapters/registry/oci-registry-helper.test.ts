import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteManifest,
  getManifest,
  listReferrers,
  listRepositories,
  listTags,
  manifestExists,
  mediaTypes,
  OCI_REGISTRY_START_TIMEOUT_MS,
  pushImage,
  pushIndex,
  pushReferrer,
  referrersTag,
  registryFetch,
  startOciRegistry,
  type OciRegistry,
} from '../../../helpers/oci-registry';

interface ImageConfig {
  created?: string;
  architecture: string;
  os: string;
}

describe('oci-registry helper (docker-registry 2.8)', () => {
  let registry: OciRegistry;

  beforeAll(async () => {
    registry = await startOciRegistry();
  }, OCI_REGISTRY_START_TIMEOUT_MS);
  afterAll(async () => registry?.stop());

  it('pushes images with chosen created times, an index and a referrer, then deletes by digest', async () => {
    const repo = 'team-a/app';
    const old = await pushImage(registry.url, repo, {
      tag: ['v1', 'stable'],
      created: '2024-01-01T00:00:00Z',
    });
    const recent = await pushImage(registry.url, repo, {
      tag: 'v2',
      created: new Date('2025-06-01T12:00:00Z'),
      annotations: { 'org.opencontainers.image.created': '2025-06-01T12:00:00Z' },
    });
    const arm = await pushImage(registry.url, repo, {
      platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      created: '2025-06-01T12:00:00Z',
    });
    const index = await pushIndex(registry.url, repo, {
      tag: 'multi',
      manifests: [recent.digest, arm.digest],
    });
    const signature = await pushReferrer(registry.url, repo, {
      subject: recent.digest,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      annotations: { 'dev.sigstore.cosign/signature': 'test' },
    });

    expect(await listTags(registry.url, repo)).toEqual(
      ['multi', referrersTag(recent.digest), 'stable', 'v1', 'v2'].sort(),
    );
    expect(await listRepositories(registry.url)).toEqual([repo]);

    const config = await registryFetch(`${registry.url}/v2/${repo}/blobs/${old.configDigest}`);
    expect(((await config.json()) as ImageConfig).created).toBe('2024-01-01T00:00:00Z');
    const v2 = await getManifest(registry.url, repo, 'v2');
    expect(v2).toMatchObject({ digest: recent.digest, mediaType: mediaTypes.manifest, size: recent.size });
    expect(v2?.json).toMatchObject({
      annotations: { 'org.opencontainers.image.created': '2025-06-01T12:00:00Z' },
    });

    const multi = await getManifest(registry.url, repo, 'multi');
    expect(multi).toMatchObject({ digest: index.digest, mediaType: mediaTypes.index });
    expect(multi?.json).toMatchObject({
      manifests: [
        { digest: recent.digest, platform: { architecture: 'amd64', os: 'linux' } },
        { digest: arm.digest, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    });

    // Distribution 2.8 has no referrers API: the pusher maintained the fallback tag.
    expect(signature.registryTracksSubject).toBe(false);
    expect(await listReferrers(registry.url, repo, recent.digest)).toEqual([
      {
        mediaType: mediaTypes.manifest,
        digest: signature.digest,
        size: signature.size,
        artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        annotations: { 'dev.sigstore.cosign/signature': 'test' },
      },
    ]);
    expect(await listReferrers(registry.url, repo, old.digest)).toEqual([]);
    expect(await getManifest(registry.url, repo, signature.digest)).toMatchObject({
      json: { subject: { digest: recent.digest, mediaType: mediaTypes.manifest, size: recent.size } },
    });

    // Untagged pushes exist by digest only.
    expect(await manifestExists(registry.url, repo, arm.digest)).toBe(true);

    // Delete by digest removes the manifest and every tag on it; a tag cannot be deleted.
    expect(await deleteManifest(registry.url, repo, 'v1')).toBe(400);
    expect(await deleteManifest(registry.url, repo, old.digest)).toBe(202);
    expect(await manifestExists(registry.url, repo, old.digest)).toBe(false);
    expect(await manifestExists(registry.url, repo, 'stable')).toBe(false);
    expect(await listTags(registry.url, repo)).toEqual(['multi', referrersTag(recent.digest), 'v2'].sort());
    expect(await deleteManifest(registry.url, repo, old.digest)).toBe(404);
  });

  it('pushes untagged images and reports an unknown repository as empty', async () => {
    const image = await pushImage(registry.url, 'untagged/only', { created: '2023-03-03T00:00:00Z' });
    expect(await listTags(registry.url, 'untagged/only')).toEqual([]);
    expect(await manifestExists(registry.url, 'untagged/only', image.digest)).toBe(true);
    expect(await listTags(registry.url, 'never/pushed')).toEqual([]);
  });
});

describe.each(['basic', 'token'] as const)('oci-registry helper with %s auth', (auth) => {
  let registry: OciRegistry;

  beforeAll(async () => {
    registry = await startOciRegistry({ auth, storage: 'memory' });
  }, OCI_REGISTRY_START_TIMEOUT_MS);
  afterAll(async () => registry?.stop());

  it('refuses anonymous access and works with the credentials', async () => {
    const anonymous = await fetch(`${registry.url}/v2/locked/app/tags/list`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(auth === 'basic' ? /^Basic/ : /^Bearer realm=/);
    await expect(pushImage(registry.url, 'locked/app', { tag: 'v1' })).rejects.toThrow(/credentials|401/);

    const image = await pushImage(registry.url, 'locked/app', { tag: 'v1', auth: registry.credentials! });
    expect(await listTags(registry.url, 'locked/app', registry.credentials)).toEqual(['v1']);
    expect(await deleteManifest(registry.url, 'locked/app', image.digest, registry.credentials)).toBe(202);
    expect(await manifestExists(registry.url, 'locked/app', image.digest, registry.credentials)).toBe(false);
    if (auth === 'token') expect(registry.tokenServer?.requests.length).toBeGreaterThan(0);
  });
});
