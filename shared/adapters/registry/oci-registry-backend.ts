import pLimit from 'p-limit';
import { ConfigError, DomainError } from '../../domain/errors';
import type { Logger } from '../../domain/ports';
import type { InventoryManifest, InventoryRepository } from '../../domain/retention/inventory';
import type { RegistryBackend } from '../../domain/retention/retention-ports';
import type { OutboundClient } from '../http/outbound-client';
import { createOciClient, type OciAuth } from './oci-client';
import {
  createdAnnotation,
  dateOf,
  fetchConfigCreated,
  fetchManifest,
  hasImageConfig,
  pullScope,
  readPages,
  requestManifest,
  sizeOf,
  type FetchedManifest,
} from './oci-manifests';

export interface OciRegistrySettings {
  name: string;
  url: string;
  usernameFrom?: string | undefined;
  passwordFrom?: string | undefined;
  tokenFrom?: string | undefined;
}

/** Reads per repository at once (manifest and config GETs). */
const readConcurrency = 8;
/** Indexes of indexes and referrers of referrers are followed this deep. */
const maxDepth = 4;

/**
 * Any registry speaking the OCI distribution API (issue 11 §3): repositories from `/v2/_catalog`
 * (Link paging), tags from `tags/list` (sorted here: distribution 2.8 does not sort), each tag's
 * manifest with the full Accept list, the age from the `org.opencontainers.image.created` annotation
 * or the image config's `created` (an index: its newest child), children of indexes, and referrers from
 * the referrers API where the registry has one (else the `sha256-<hex>` tag schema, which the planner
 * follows). Deletes by digest (distribution 2.8 cannot delete a tag: `canDeleteTags` is false).
 * Untagged manifests cannot be listed by this API: only those reachable from a tag are seen.
 */
export function createOciBackend(deps: {
  registry: OciRegistrySettings;
  http: OutboundClient;
  setting(name: string): string | undefined;
  log: Pick<Logger, 'warn'>;
}): RegistryBackend {
  const { registry, log } = deps;
  const client = createOciClient({
    name: registry.name,
    url: registry.url,
    http: deps.http,
    auth: authOf(registry, deps.setting),
  });
  /** Undefined until probed; false once the registry answered 404 (no referrers API). */
  let referrersApi: boolean | undefined;
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(message);
  };

  /** `DELETE /v2/<repo>/manifests/<ref>`; a 404 means already gone. */
  async function deleteReference(
    repository: string,
    reference: string,
    hint: (status: number) => string | undefined,
  ): Promise<void> {
    await client.send({
      method: 'DELETE',
      path: `/v2/${repository}/manifests/${reference}`,
      scope: `repository:${repository}:delete`,
      accept: [404],
      hint,
    });
  }

  async function listTags(repository: string): Promise<string[]> {
    const tags = await readPages(
      client,
      `/v2/${repository}/tags/list`,
      pullScope(repository),
      (body) =>
        ((body as { tags?: string[] | null } | undefined)?.tags ?? []).filter((t) => typeof t === 'string'),
      { notFound: [] },
    );
    return [...new Set(tags)].sort();
  }

  async function inventory(repository: string): Promise<InventoryRepository> {
    const limit = pLimit(readConcurrency);
    const tags = await listTags(repository);
    const fetched = new Map<string, Promise<FetchedManifest | undefined>>();
    const described = new Map<string, Promise<InventoryManifest | undefined>>();
    const manifests = new Map<string, InventoryManifest>();
    const configCreated = new Map<string, Promise<Date | undefined>>();

    const fetchDigest = (digest: string) => {
      let pending = fetched.get(digest);
      if (!pending) {
        pending = limit(() => fetchManifest(client, repository, digest));
        fetched.set(digest, pending);
      }
      return pending;
    };

    const createdOf = async (manifest: FetchedManifest): Promise<Date | undefined> => {
      const annotated = dateOf(manifest.annotations[createdAnnotation]);
      if (annotated || !hasImageConfig(manifest)) return annotated;
      let pending = configCreated.get(manifest.config.digest);
      if (!pending) {
        pending = limit(() => fetchConfigCreated(client, repository, manifest.config.digest)).catch(
          (error: unknown) => {
            // A blob redirected to another host (a CDN) is refused by the outbound policy: age unknown, kept.
            if (error instanceof DomainError && !error.retryable) {
              warnOnce(
                'config',
                `${client.service}: image configs cannot be read (${error.message}); such images count as unknown age and are kept`,
              );
              return undefined;
            }
            throw error;
          },
        );
        configCreated.set(manifest.config.digest, pending);
      }
      return pending;
    };

    const describe = (
      digest: string,
      depth: number,
      known?: { subject?: string; artifactType?: string; mediaType?: string; size?: number },
    ): Promise<InventoryManifest | undefined> => {
      let pending = described.get(digest);
      if (!pending) {
        pending = (async () => {
          const manifest = await fetchDigest(digest);
          if (!manifest) return undefined;
          const children =
            depth < maxDepth && manifest.isIndex
              ? manifest.manifests.flatMap((d) => (typeof d.digest === 'string' ? [d.digest] : []))
              : [];
          const described = await Promise.all(children.map((child) => describe(child, depth + 1)));
          let created = await createdOf(manifest);
          if (!created && manifest.isIndex) created = newest(described.map((child) => child?.created));
          const subject = manifest.subject ?? known?.subject;
          const artifactType = manifest.artifactType ?? known?.artifactType;
          const entry: InventoryManifest = {
            digest,
            tags: [],
            ...mediaTypeOf(manifest.mediaType ?? known?.mediaType),
            ...(created ? { created } : {}),
            ...(children.length > 0 ? { children } : {}),
            ...(subject ? { subject } : {}),
            ...(artifactType ? { artifactType } : {}),
            sizeBytes: sizeOf(manifest),
          };
          manifests.set(digest, entry);
          if (depth < maxDepth) await referrersOf(digest, depth);
          return entry;
        })();
        described.set(digest, pending);
      }
      return pending;
    };

    const referrersOf = async (digest: string, depth: number): Promise<void> => {
      if (referrersApi === false) return;
      const response = await limit(() =>
        client.send({
          method: 'GET',
          path: `/v2/${repository}/referrers/${digest}`,
          scope: pullScope(repository),
          headers: { accept: 'application/vnd.oci.image.index.v1+json' },
          accept: [400, 404, 405],
        }),
      );
      if (response.status !== 200) {
        // "If the registry supports the referrers API, the registry MUST NOT return a 404" (OCI 1.1).
        if (response.status === 404 || response.status === 405) referrersApi = false;
        return;
      }
      referrersApi = true;
      const index = response.json() as {
        manifests?: { digest?: string; artifactType?: string; mediaType?: string; size?: number }[];
      };
      await Promise.all(
        (index?.manifests ?? []).flatMap((referrer) =>
          typeof referrer.digest === 'string'
            ? [
                describe(referrer.digest, depth + 1, {
                  subject: digest,
                  ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
                }),
              ]
            : [],
        ),
      );
    };

    const tagged = await Promise.all(
      tags.map(async (name) => {
        const manifest = await limit(() => fetchManifest(client, repository, name));
        if (!manifest) return undefined; // deleted while listing
        if (!fetched.has(manifest.digest)) fetched.set(manifest.digest, Promise.resolve(manifest));
        return { name, digest: manifest.digest };
      }),
    );
    const inventoryTags = tagged.filter((tag): tag is { name: string; digest: string } => tag !== undefined);
    await Promise.all(
      [...new Set(inventoryTags.map((tag) => tag.digest))].map((digest) => describe(digest, 0)),
    );
    for (const tag of inventoryTags) manifests.get(tag.digest)?.tags.push(tag.name);
    return { name: repository, tags: inventoryTags, manifests: [...manifests.values()] };
  }

  return {
    canDeleteTags: false,
    async listRepositories() {
      const names = await readPages(client, '/v2/_catalog?n=1000', 'registry:catalog:*', (body) =>
        ((body as { repositories?: string[] } | undefined)?.repositories ?? []).filter(
          (n) => typeof n === 'string',
        ),
      );
      return [...new Set(names)].sort();
    },
    inventory,
    async currentTags(repository) {
      const limit = pLimit(readConcurrency);
      const tags = await listTags(repository);
      const pairs = await Promise.all(
        tags.map((tag) =>
          limit(async () => {
            const response = await requestManifest(client, repository, tag, 'HEAD');
            if (!response) return undefined;
            const digest =
              response.headers.get('docker-content-digest') ??
              (await fetchManifest(client, repository, tag))?.digest;
            return digest === undefined ? undefined : ([tag, digest] as const);
          }),
        ),
      );
      return new Map(pairs.filter((pair) => pair !== undefined));
    },
    async deleteTag(repository, tag) {
      await deleteReference(repository, tag, (status) =>
        status === 400 || status === 405
          ? 'this registry cannot delete a tag alone, only a manifest by digest'
          : undefined,
      );
    },
    async deleteManifest(repository, digest) {
      await deleteReference(repository, digest, (status) =>
        status === 405
          ? 'the registry does not allow deletes; enable them (distribution: storage.delete.enabled: true)'
          : status === 403
            ? 'the credentials may pull but not delete'
            : undefined,
      );
    },
  };
}

function authOf(registry: OciRegistrySettings, setting: (name: string) => string | undefined): OciAuth {
  const read = (name: string, field: string) => {
    const value = setting(name);
    if (!value) {
      throw new ConfigError(
        `retention.registries "${registry.name}".${field} names the app setting ${name}, which is not set`,
      );
    }
    return value;
  };
  if (registry.tokenFrom)
    return { kind: 'token', token: read(registry.tokenFrom, 'tokenFrom'), setting: registry.tokenFrom };
  if (registry.usernameFrom && registry.passwordFrom) {
    return {
      kind: 'basic',
      username: read(registry.usernameFrom, 'usernameFrom'),
      password: read(registry.passwordFrom, 'passwordFrom'),
      settings: `${registry.usernameFrom}/${registry.passwordFrom}`,
    };
  }
  return { kind: 'anonymous' };
}

function mediaTypeOf(mediaType: string | undefined): { mediaType?: string } {
  return mediaType === undefined ? {} : { mediaType };
}

function newest(dates: readonly (Date | undefined)[]): Date | undefined {
  let best: Date | undefined;
  for (const date of dates) if (date && (!best || date > best)) best = date;
  return best;
}
