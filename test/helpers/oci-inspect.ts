import {
  expectStatus,
  manifestAccept,
  mediaTypes,
  referrersTag,
  registryFetch,
  sha256,
  type RegistryCredentials,
} from './oci-registry-client';

/** Reads what a registry holds (distribution API), for assertions: tags, manifests, referrers. */

/** Sorted tags of a repository; [] when it has none or does not exist (distribution 2.8 sends `tags: null`). */
export async function listTags(registryUrl: string, repository: string, auth?: RegistryCredentials) {
  const response = await registryFetch(`${registryUrl}/v2/${repository}/tags/list`, {}, auth);
  if (response.status === 404) return [];
  await expectStatus(response, [200], `tags of ${repository}`);
  const body = (await response.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** Repository names from `/v2/_catalog`, following `Link` pages. */
export async function listRepositories(registryUrl: string, auth?: RegistryCredentials): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined = `${registryUrl}/v2/_catalog?n=100`;
  while (next) {
    const response = await expectStatus(await registryFetch(next, {}, auth), [200], 'catalog');
    names.push(...(((await response.json()) as { repositories?: string[] }).repositories ?? []));
    const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    next = link ? new URL(link, registryUrl).href : undefined;
  }
  return names;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** HEAD of a manifest by tag or digest (full Accept list); undefined when the registry says 404. */
export async function headManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  auth?: RegistryCredentials,
): Promise<ManifestHead | undefined> {
  const response = await registryFetch(
    `${registryUrl}/v2/${repository}/manifests/${reference}`,
    { method: 'HEAD', headers: { accept: manifestAccept } },
    auth,
  );
  if (response.status === 404) return undefined;
  await expectStatus(response, [200], `HEAD ${repository}@${reference}`);
  return {
    digest: response.headers.get('docker-content-digest') ?? '',
    mediaType: (response.headers.get('content-type') ?? '').split(';')[0] ?? '',
    size: Number(response.headers.get('content-length')),
  };
}

export async function manifestExists(
  registryUrl: string,
  repository: string,
  reference: string,
  auth?: RegistryCredentials,
): Promise<boolean> {
  return (await headManifest(registryUrl, repository, reference, auth)) !== undefined;
}

export interface FetchedManifest extends ManifestHead {
  json: unknown;
}

export async function getManifest(
  registryUrl: string,
  repository: string,
  reference: string,
  auth?: RegistryCredentials,
): Promise<FetchedManifest | undefined> {
  const response = await registryFetch(
    `${registryUrl}/v2/${repository}/manifests/${reference}`,
    { headers: { accept: manifestAccept } },
    auth,
  );
  if (response.status === 404) return undefined;
  await expectStatus(response, [200], `GET ${repository}@${reference}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    digest: response.headers.get('docker-content-digest') ?? sha256(bytes),
    mediaType: (response.headers.get('content-type') ?? '').split(';')[0] ?? '',
    size: bytes.length,
    json: JSON.parse(bytes.toString('utf8')),
  };
}

/** `DELETE /v2/<repo>/manifests/<digest>`; returns the status (202 deleted, 404 unknown, 400/405 refused). */
export async function deleteManifest(
  registryUrl: string,
  repository: string,
  digest: string,
  auth?: RegistryCredentials,
): Promise<number> {
  const response = await registryFetch(
    `${registryUrl}/v2/${repository}/manifests/${digest}`,
    { method: 'DELETE' },
    auth,
  );
  await response.body?.cancel();
  return response.status;
}

export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/**
 * Referrers of a manifest: the referrers API when the registry has it, else the `sha256-<hex>` fallback
 * tag's index (as the OCI distribution spec says clients do). Filtered by artifactType when given.
 */
export async function listReferrers(
  registryUrl: string,
  repository: string,
  digest: string,
  options: { artifactType?: string; auth?: RegistryCredentials } = {},
): Promise<ReferrerDescriptor[]> {
  const response = await registryFetch(
    `${registryUrl}/v2/${repository}/referrers/${digest}`,
    { headers: { accept: mediaTypes.index } },
    options.auth,
  );
  let manifests: ReferrerDescriptor[];
  if (response.status === 404) {
    await response.body?.cancel();
    const fallback = await getManifest(registryUrl, repository, referrersTag(digest), options.auth);
    manifests = (fallback?.json as { manifests?: ReferrerDescriptor[] } | undefined)?.manifests ?? [];
  } else {
    await expectStatus(response, [200], `referrers of ${repository}@${digest}`);
    manifests = ((await response.json()) as { manifests?: ReferrerDescriptor[] }).manifests ?? [];
  }
  return options.artifactType ? manifests.filter((m) => m.artifactType === options.artifactType) : manifests;
}
