// Types of the ESM build: the SDK is loaded with import() (lazily), which resolves to it.
import type {
  ArtifactManifestProperties,
  ContainerRegistryClient,
  ContainerRegistryClientOptions,
} from '@azure/container-registry' with { 'resolution-mode': 'import' };
import type { TokenCredential } from '@azure/identity' with { 'resolution-mode': 'import' };
import pLimit from 'p-limit';
import { ConfigError, RefusedError, UpstreamError } from '../../domain/errors';
import type { Logger } from '../../domain/ports';
import type { InventoryManifest, InventoryRepository, InventoryTag } from '../../domain/retention/inventory';
import type { RegistryBackend } from '../../domain/retention/retention-ports';
import { retryAfterFrom } from '../http/retry-after';

export interface AcrBackendOptions {
  name: string;
  loginServer: string;
  /** Default: DefaultAzureCredential (managed identity in Azure, `az login` locally). */
  credential?: TokenCredential;
  /** SDK client options (tests trust a local certificate with `tlsOptions`). */
  clientOptions?: ContainerRegistryClientOptions;
  log: Pick<Logger, 'warn'>;
}

/** What the identity needs on the registry, named in every refusal. */
export const acrRoleHint =
  'the identity needs AcrPull and AcrDelete on the registry (ABAC-enabled registries: Container Registry ' +
  'Repository Catalog Lister and Container Registry Repository Contributor)';

/** Manifest reads (content, to find `subject`) at once per repository. */
const readConcurrency = 8;

type Sdk = typeof import('@azure/container-registry', { with: { 'resolution-mode': 'import' } });

/**
 * Azure Container Registry through `@azure/container-registry` (issue 11 §3), loaded on first use so
 * cold starts that never run retention do not pay for it. Tags come with their last update time and
 * locks (`listTagProperties`), manifests with size, times, locks, index children (`relatedArtifacts`)
 * and tags (`listManifestProperties`). The SDK lists no `subject`, so the content of each untagged
 * manifest no index lists is read to find referrers (signatures, SBOMs), as acr purge does; a manifest
 * that cannot be read is left with unknown age, which keeps it. Deletes: a tag alone
 * (`/acr/v1/…/_tags`), a manifest by digest (ACR then removes its tags and referrers itself).
 */
export function createAcrBackend(options: AcrBackendOptions): RegistryBackend {
  const endpoint = `https://${options.loginServer}`;
  const service = `registry "${options.name}" (${options.loginServer})`;
  let loaded: Promise<{ sdk: Sdk; client: ContainerRegistryClient; credential: TokenCredential }> | undefined;

  const load = () => {
    loaded ??= (async () => {
      const sdk = await import('@azure/container-registry');
      const credential = options.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
      return {
        sdk,
        credential,
        client: new sdk.ContainerRegistryClient(endpoint, credential, options.clientOptions),
      };
    })();
    return loaded;
  };

  /**
   * Runs one SDK call, turning its errors into the app's (what to fix, whether to retry); a 404 gives
   * `notFound()` when the caller says what it means (a repository, tag or manifest that is gone).
   */
  async function call<T>(what: string, action: () => Promise<T>, notFound?: () => T): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (notFound && statusOf(error) === 404) return notFound();
      throw translate(error, `${service}: ${what}`);
    }
  }

  async function listManifests(repository: string): Promise<ArtifactManifestProperties[] | undefined> {
    const { client } = await load();
    return call<ArtifactManifestProperties[] | undefined>(
      `listing the manifests of ${repository}`,
      async () => {
        const manifests: ArtifactManifestProperties[] = [];
        for await (const manifest of client.getRepository(repository).listManifestProperties())
          manifests.push(manifest);
        return manifests;
      },
      () => undefined,
    );
  }

  async function listTags(repository: string, anyDigest: string): Promise<InventoryTag[]> {
    const { client } = await load();
    const tags: InventoryTag[] = [];
    await call(`listing the tags of ${repository}`, async () => {
      // @azure/container-registry 1.1.2 sends no digest filter here: this lists the repository's tags.
      for await (const tag of client.getArtifact(repository, anyDigest).listTagProperties()) {
        tags.push({
          name: tag.name,
          digest: tag.digest,
          lastUpdated: tag.lastUpdatedOn,
          ...(tag.canDelete === false || tag.canWrite === false ? { locked: true } : {}),
        });
      }
    });
    return tags;
  }

  return {
    canDeleteTags: true,
    async listRepositories() {
      const { client } = await load();
      const names: string[] = [];
      await call('listing repositories', async () => {
        for await (const name of client.listRepositoryNames()) names.push(name);
      });
      return names.sort();
    },

    async inventory(repository): Promise<InventoryRepository> {
      const listed = await listManifests(repository);
      if (!listed || listed.length === 0) return { name: repository, tags: [], manifests: [] };
      let tags = await listTags(repository, (listed[0] as ArtifactManifestProperties).digest);
      const tagNames = new Set(tags.map((tag) => tag.name));
      if (listed.some((manifest) => manifest.tags.some((tag) => !tagNames.has(tag)))) {
        // A later SDK that filters by the artifact's digest: list per tagged manifest instead.
        const perManifest = await Promise.all(
          listed.filter((m) => m.tags.length > 0).map((m) => listTags(repository, m.digest)),
        );
        tags = [...new Map(perManifest.flat().map((tag) => [tag.name, tag])).values()];
      }
      const children = new Set(listed.flatMap((m) => m.relatedArtifacts.map((child) => child.digest)));
      const manifests: InventoryManifest[] = listed.map((m) => ({
        digest: m.digest,
        created: m.createdOn,
        lastUpdated: m.lastUpdatedOn,
        tags: [...m.tags],
        ...(m.canDelete === false || m.canWrite === false ? { locked: true } : {}),
        ...(m.relatedArtifacts.length > 0
          ? {
              children: m.relatedArtifacts.map((child) => child.digest),
              mediaType: 'application/vnd.oci.image.index.v1+json',
            }
          : {}),
        ...(m.sizeInBytes === undefined ? {} : { sizeBytes: m.sizeInBytes }),
      }));
      const { sdk, credential } = await load();
      const content = new sdk.ContainerRegistryContentClient(
        endpoint,
        repository,
        credential,
        options.clientOptions,
      );
      const limit = pLimit(readConcurrency);
      let unreadable = 0;
      await Promise.all(
        manifests
          .filter((m) => m.tags.length === 0 && !children.has(m.digest))
          .map((m) =>
            limit(async () => {
              try {
                const fetched = await content.getManifest(m.digest);
                const body = fetched.manifest as { subject?: { digest?: unknown }; artifactType?: unknown };
                m.mediaType = fetched.mediaType;
                if (typeof body.subject?.digest === 'string') m.subject = body.subject.digest;
                if (typeof body.artifactType === 'string') m.artifactType = body.artifactType;
              } catch (error) {
                const status = statusOf(error);
                if (status === 404) return;
                if (status === undefined || status === 429 || status >= 500) {
                  throw translate(error, `${service}: reading ${repository}@${m.digest}`);
                }
                // Unknown content: unknown age, so the planner keeps it rather than guess it is no referrer.
                delete m.created;
                delete m.lastUpdated;
                unreadable += 1;
              }
            }),
          ),
      );
      if (unreadable > 0) {
        options.log.warn(
          `${service}: ${unreadable} untagged manifest(s) of ${repository} could not be read to look for a subject; they are kept`,
        );
      }
      return { name: repository, tags, manifests };
    },

    async currentTags(repository) {
      const listed = (await listManifests(repository)) ?? [];
      return new Map(listed.flatMap((m) => m.tags.map((tag) => [tag, m.digest] as const)));
    },

    async deleteTag(repository, tag) {
      const { client } = await load();
      await call(
        `untagging ${repository}:${tag}`,
        () => client.getArtifact(repository, tag).deleteTag(tag),
        () => undefined,
      );
    },

    async deleteManifest(repository, digest) {
      const { client } = await load();
      await call(
        `deleting ${repository}@${digest}`,
        () => client.getArtifact(repository, digest).delete(),
        () => undefined,
      );
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** SDK and identity errors as the app's: what to fix (a role, a login), and whether a retry can help. */
function translate(error: unknown, what: string): Error {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationRequiredError') {
    return new ConfigError(
      `${what}: no Azure identity is available (${message}); in Azure give the app a managed identity ` +
        `(AZURE_CLIENT_ID for a user-assigned one), locally run az login`,
    );
  }
  if (status === 401 || status === 403) {
    return new ConfigError(`${what} was refused (${status}); ${acrRoleHint}`);
  }
  if (status === 405) {
    return new RefusedError(
      `${what} was refused (405): the tag, manifest or repository is locked (deleteEnabled or writeEnabled is false)`,
      {
        status,
      },
    );
  }
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const retryAfter = retryAfterOf(error);
    return new UpstreamError(`${what} failed: ${message}`, error, {
      ...(status === undefined ? {} : { status }),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });
  }
  return new RefusedError(`${what} was refused (${status}): ${message}`, { status });
}

/** What the registry asked to wait, read like every other answer's (`retry-after-ms`, `Retry-After`). */
function retryAfterOf(error: unknown): number | undefined {
  // The SDK's HttpHeaders iterate as [name, value] pairs.
  const headers = (error as { response?: { headers?: Partial<Iterable<[string, string]>> } } | null)?.response
    ?.headers;
  if (typeof headers?.[Symbol.iterator] !== 'function') return undefined;
  return retryAfterFrom(new Headers([...(headers as Iterable<[string, string]>)]), new Date());
}
