import {
  ContainerRegistryClient,
  ContainerRegistryContentClient,
  type ArtifactTagProperties,
} from '@azure/container-registry';
import { request } from 'node:https';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acrImage,
  acrIndex,
  acrMediaTypes,
  acrReferrer,
  startFakeAcrServer,
  type FakeAcrServer,
} from '../../../helpers/fake-acr-server';

const day = (n: number) => new Date(Date.UTC(2025, 0, n)).toISOString();
const signatureType = 'application/vnd.cncf.notary.signature';

const images = Array.from({ length: 5 }, (_, i) =>
  acrImage({ tags: [`v${i}`], createdOn: day(1 + i), lastUpdatedOn: day(10 - i) }),
);
const locked = acrImage({
  tags: [{ name: 'prod', deleteEnabled: false }],
  deleteEnabled: false,
  writeEnabled: true,
  createdOn: day(20),
});
const amd = acrImage({ architecture: 'amd64', os: 'linux', createdOn: day(21) });
const arm = acrImage({ architecture: 'arm64', os: 'linux', createdOn: day(21) });
const index = acrIndex([amd, arm], { tags: ['multi'], createdOn: day(22) });
const signature = acrReferrer(amd, signatureType, { createdOn: day(23) });
const sbom = acrReferrer(amd, 'application/spdx+json', { createdOn: day(23) });

describe('fake ACR server with the real @azure/container-registry SDK', () => {
  let fake: FakeAcrServer;
  let client: ContainerRegistryClient;

  beforeAll(async () => {
    fake = await startFakeAcrServer({ referrersPageSize: 1 });
    client = new ContainerRegistryClient(fake.endpoint, fake.credential, {
      ...fake.clientOptions,
      retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    });
  });
  afterAll(async () => fake?.close());
  beforeEach(() => {
    fake.reset({
      repositories: {
        'team-a/app': { manifests: [...images, locked, amd, arm, index, signature, sbom] },
        'team-a/api': { manifests: [acrImage({ tags: ['latest'] })] },
        'team-b/web': { manifests: [acrImage({ tags: ['1.0.0'] })] },
      },
    });
  });

  it('goes through the challenge, the token exchange and lists repositories across pages', async () => {
    const pages: string[][] = [];
    for await (const page of client.listRepositoryNames().byPage({ maxPageSize: 2 })) pages.push([...page]);
    expect(pages).toEqual([['team-a/api', 'team-a/app'], ['team-b/web']]);

    const calls = fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls.slice(0, 4)).toEqual([
      'GET /acr/v1/_catalog 401',
      'POST /oauth2/exchange 200',
      'POST /oauth2/token 200',
      'GET /acr/v1/_catalog 200',
    ]);
    expect(fake.requests[1]?.body).toContain('grant_type=access_token');
    expect(fake.requests[2]?.body).toContain('scope=registry%3Acatalog%3A*');
    expect(fake.requests[4]?.url).toBe('/acr/v1/_catalog?last=team-a%2Fapp&n=2');
  });

  it('lists tags by last update, newest first, across Link pages', async () => {
    const artifact = client.getArtifact('team-a/app', 'v0');
    const pages: string[][] = [];
    const iterator = artifact
      .listTagProperties({ order: 'LastUpdatedOnDescending' })
      .byPage({ maxPageSize: 2 });
    for await (const page of iterator) pages.push(page.map((t: ArtifactTagProperties) => t.name));
    expect(pages).toEqual([['multi', 'prod'], ['v0', 'v1'], ['v2', 'v3'], ['v4']]);
    const tagCalls = fake.requests.filter((r) => r.path === '/acr/v1/team-a/app/_tags' && r.status === 200);
    expect(tagCalls.map((r) => r.query)).toEqual([
      { n: '2', 'api-version': '2021-07-01', orderby: 'timedesc' },
      { last: 'prod', n: '2', orderby: 'timedesc' },
      { last: 'v1', n: '2', orderby: 'timedesc' },
      { last: 'v3', n: '2', orderby: 'timedesc' },
    ]);

    const ascending = [];
    for await (const tag of artifact.listTagProperties({ order: 'LastUpdatedOnAscending' }))
      ascending.push(tag);
    expect(ascending.map((t) => t.name)).toEqual(['v4', 'v3', 'v2', 'v1', 'v0', 'prod', 'multi']);
    expect(ascending[5]).toMatchObject({ digest: locked.digest, canDelete: false, canWrite: true });
    expect(ascending[4]?.lastUpdatedOn).toEqual(new Date(day(10)));
  });

  it('reads manifest properties with locks, index children, and changes a lock', async () => {
    const manifests = [];
    for await (const m of client.getRepository('team-a/app').listManifestProperties()) manifests.push(m);
    expect(manifests).toHaveLength(11);
    const listedIndex = manifests.find((m) => m.digest === index.digest);
    expect(listedIndex?.tags).toEqual(['multi']);
    expect(listedIndex?.relatedArtifacts).toEqual([
      { digest: amd.digest, architecture: 'amd64', operatingSystem: 'linux' },
      { digest: arm.digest, architecture: 'arm64', operatingSystem: 'linux' },
    ]);

    const props = await client.getArtifact('team-a/app', 'prod').getManifestProperties();
    expect(props).toMatchObject({ digest: locked.digest, canDelete: false, tags: ['prod'] });
    expect(props.createdOn).toEqual(new Date(day(20)));
    const tag = await client.getArtifact('team-a/app', 'prod').getTagProperties('prod');
    expect(tag.canDelete).toBe(false);

    const updated = await client
      .getArtifact('team-a/app', locked.digest)
      .updateManifestProperties({ canDelete: true });
    expect(updated.canDelete).toBe(true);
    expect(fake.manifest('team-a/app', locked.digest)?.locks.deleteEnabled).toBe(true);
    const patch = fake.requests.find((r) => r.method === 'PATCH' && r.status === 200);
    expect(patch?.path).toBe(`/acr/v1/team-a/app/_manifests/${locked.digest}`);
    expect(JSON.parse(patch?.body ?? '{}')).toEqual({ deleteEnabled: true });
  });

  it('deletes a tag and a manifest (with its tags and referrers); a locked one is refused', async () => {
    await client.getArtifact('team-a/app', 'v3').deleteTag('v3');
    expect(fake.tags('team-a/app')).not.toContain('v3');
    expect(fake.manifests('team-a/app')).toContain(images[3]?.digest);

    await client.getArtifact('team-a/app', 'v4').delete();
    expect(fake.manifests('team-a/app')).not.toContain(images[4]?.digest);
    expect(fake.tags('team-a/app')).not.toContain('v4');

    await client.getArtifact('team-a/app', amd.digest).delete();
    expect(fake.manifests('team-a/app')).not.toContain(signature.digest);
    expect(fake.manifests('team-a/app')).not.toContain(sbom.digest);

    await expect(client.getArtifact('team-a/app', locked.digest).delete()).rejects.toMatchObject({
      statusCode: 405,
    });
    await expect(client.getArtifact('team-a/app', 'prod').deleteTag('prod')).rejects.toMatchObject({
      statusCode: 405,
    });

    const deletes = fake.requests.filter((r) => r.method === 'DELETE' && r.status !== 401);
    expect(deletes.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/acr/v1/team-a/app/_tags/v3 202',
      `/v2/team-a/app/manifests/${images[4]?.digest} 202`,
      `/v2/team-a/app/manifests/${amd.digest} 202`,
      `/v2/team-a/app/manifests/${locked.digest} 405`,
      '/acr/v1/team-a/app/_tags/prod 405',
    ]);
    // The last manifest of a repository takes the repository with it, as on ACR.
    await client.getArtifact('team-b/web', '1.0.0').delete();
    expect(fake.repositoryNames()).not.toContain('team-b/web');
  });

  it('is retried by the SDK after 429 with Retry-After and after 503', async () => {
    const fresh = new ContainerRegistryClient(fake.endpoint, fake.credential, {
      ...fake.clientOptions,
      retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    });
    fake.failNext(2, { status: 429, retryAfter: 0 });
    const names = [];
    for await (const name of fresh.listRepositoryNames()) names.push(name);
    expect(names).toEqual(['team-a/api', 'team-a/app', 'team-b/web']);
    expect(fake.requests.map((r) => `${r.status} ${r.path}`)).toEqual([
      '429 /acr/v1/_catalog',
      '429 /acr/v1/_catalog',
      '401 /acr/v1/_catalog',
      '200 /oauth2/exchange',
      '200 /oauth2/token',
      '200 /acr/v1/_catalog',
    ]);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();

    fake.failPath('/acr/v1/team-a/api/_tags/latest', { status: 503 }, 1);
    const tag = await fresh.getArtifact('team-a/api', 'latest').getTagProperties('latest');
    expect(tag.name).toBe('latest');
    const tagCalls = fake.requests.filter((r) => r.path === '/acr/v1/team-a/api/_tags/latest');
    expect(tagCalls.map((r) => r.status)).toEqual([503, 401, 200]);
  });

  it('serves manifests whose digest the content client verifies, and the referrers API with paging', async () => {
    const content = new ContainerRegistryContentClient(
      fake.endpoint,
      'team-a/app',
      fake.credential,
      fake.clientOptions,
    );
    const fetched = await content.getManifest('multi');
    expect(fetched.digest).toBe(index.digest);
    expect(fetched.mediaType).toBe(acrMediaTypes.index);
    expect(fetched.manifest).toMatchObject({ manifests: [{ digest: amd.digest }, { digest: arm.digest }] });
    expect((await content.getManifest(signature.digest)).manifest).toMatchObject({
      subject: { digest: amd.digest },
    });

    // The SDK has no referrers call: fetch it as a client would, with an access token.
    const token = await accessToken(fake, 'repository:team-a/app:pull');
    const referrers = await getJson(fake, `/v2/team-a/app/referrers/${amd.digest}`, token);
    expect(referrers.body.manifests).toHaveLength(1);
    const next = /<([^>]+)>; rel="next"/.exec(referrers.link ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await getJson(fake, next ?? '', token);
    expect(second.link).toBeUndefined();
    expect([...referrers.body.manifests, ...second.body.manifests].map((m) => m.artifactType).sort()).toEqual(
      ['application/spdx+json', signatureType].sort(),
    );
    const filtered = await getJson(
      fake,
      `/v2/team-a/app/referrers/${amd.digest}?artifactType=${signatureType}`,
      token,
    );
    expect(filtered.filters).toBe('artifactType');
    expect(filtered.body.manifests).toEqual([
      {
        mediaType: acrMediaTypes.manifest,
        digest: signature.digest,
        size: signature.content?.length,
        artifactType: signatureType,
      },
    ]);
    expect((await getJson(fake, `/v2/team-a/app/referrers/${arm.digest}`, token)).body.manifests).toEqual([]);
  });
});

async function accessToken(fake: FakeAcrServer, scope: string): Promise<string> {
  const { token } = (await fake.credential.getToken('https://containerregistry.azure.net/.default'))!;
  const exchange = await postForm(fake, '/oauth2/exchange', {
    grant_type: 'access_token',
    service: fake.loginServer,
    access_token: token,
  });
  const refresh = (exchange as { refresh_token: string }).refresh_token;
  const access = await postForm(fake, '/oauth2/token', {
    grant_type: 'refresh_token',
    service: fake.loginServer,
    scope,
    refresh_token: refresh,
  });
  return (access as { access_token: string }).access_token;
}

async function postForm(fake: FakeAcrServer, path: string, form: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.endpoint}${path}`,
      { method: 'POST', ca: fake.ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(new URLSearchParams(form).toString());
  });
}

interface ReferrersIndex {
  manifests: { mediaType: string; digest: string; size: number; artifactType?: string }[];
}

async function getJson(fake: FakeAcrServer, path: string, token: string) {
  return new Promise<{ body: ReferrersIndex; link: string | undefined; filters: string | undefined }>(
    (resolve, reject) => {
      const req = request(
        `${fake.endpoint}${path}`,
        { ca: fake.ca, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode}`));
            resolve({
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReferrersIndex,
              link: res.headers.link as string | undefined,
              filters: res.headers['oci-filters-applied'] as string | undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}
