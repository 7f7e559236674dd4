import { createHash } from 'node:crypto';

/**
 * The small distribution-API client the tests use to prepare and inspect a registry (plain `fetch`):
 * answers a 401 challenge with Basic credentials or a bearer token from the challenge's realm.
 */

export interface RegistryCredentials {
  username: string;
  password: string;
}

export const mediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  empty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** Every manifest type; distribution 2.8 answers 404 to an OCI manifest GET/HEAD without its type here. */
export const manifestAccept = [
  mediaTypes.index,
  mediaTypes.manifest,
  mediaTypes.dockerList,
  mediaTypes.dockerManifest,
].join(', ');

export const sha256 = (bytes: string | Uint8Array): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The OCI "referrers tag schema": `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(digest: string): string {
  const [algorithm = '', encoded = ''] = digest.split(':');
  const clean = (text: string) => text.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `${clean(algorithm).slice(0, 32)}-${clean(encoded).slice(0, 64)}`;
}

const tokens = new Map<string, { token: string; expiresAt: number }>();

/** `fetch` against a registry, answering its 401 challenge once (Basic, or Bearer via the token realm). */
export async function registryFetch(
  url: string | URL,
  init: RequestInit = {},
  auth?: RegistryCredentials,
): Promise<Response> {
  const headers = new Headers(init.headers);
  const basic = auth && `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const first = await fetch(url, { ...init, headers, redirect: 'manual' });
  if (first.status !== 401) return first;
  const challenge = first.headers.get('www-authenticate') ?? '';
  await first.body?.cancel();
  if (/^basic/i.test(challenge) && basic) {
    headers.set('authorization', basic);
  } else if (/^bearer/i.test(challenge)) {
    headers.set('authorization', `Bearer ${await bearerToken(challenge, basic)}`);
  } else {
    throw new Error(`registry asks for credentials (${challenge}) and none were given for ${String(url)}`);
  }
  return fetch(url, { ...init, headers, redirect: 'manual' });
}

async function bearerToken(challenge: string, basic: string | undefined): Promise<string> {
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  if (!params.realm) throw new Error(`bearer challenge without realm: ${challenge}`);
  const tokenUrl = new URL(params.realm);
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  for (const scope of (params.scope ?? '').split(' ').filter(Boolean)) {
    tokenUrl.searchParams.append('scope', scope);
  }
  const key = `${tokenUrl.href} ${basic ?? ''}`;
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.token;
  const response = await fetch(tokenUrl, basic ? { headers: { authorization: basic } } : {});
  if (!response.ok) throw new Error(`token realm answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error('token realm answered without a token');
  tokens.set(key, { token, expiresAt: Date.now() + ((body.expires_in ?? 60) - 10) * 1000 });
  return token;
}

export async function expectStatus(response: Response, expected: number[], what: string): Promise<Response> {
  if (!expected.includes(response.status)) {
    throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  }
  return response;
}

/** Uploads a blob (monolithic: POST for a session, PUT with the bytes) unless it is there already. */
export async function pushBlob(
  registryUrl: string,
  repository: string,
  bytes: Uint8Array,
  auth?: RegistryCredentials,
): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const head = await registryFetch(
    `${registryUrl}/v2/${repository}/blobs/${digest}`,
    { method: 'HEAD' },
    auth,
  );
  if (head.status === 200) return { digest, size: bytes.length };
  const start = await expectStatus(
    await registryFetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' }, auth),
    [201, 202],
    `start upload to ${repository}`,
  );
  const location = new URL(start.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  await expectStatus(
    await registryFetch(
      location,
      { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } },
      auth,
    ),
    [201],
    `upload ${digest} to ${repository}`,
  );
  return { digest, size: bytes.length };
}

/** PUTs manifest bytes under a tag or its digest; checks the registry computed the same digest. */
export async function putManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  auth?: RegistryCredentials,
): Promise<Response> {
  const response = await expectStatus(
    await registryFetch(
      `${registryUrl}/v2/${repository}/manifests/${reference}`,
      { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } },
      auth,
    ),
    [201],
    `put manifest ${repository}:${reference}`,
  );
  const digest = response.headers.get('docker-content-digest');
  if (digest !== sha256(bytes)) throw new Error(`registry says ${digest}, content is ${sha256(bytes)}`);
  return response;
}
