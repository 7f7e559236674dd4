import type { RetentionRegistry } from '../config/retention-schema';
import type { Config } from '../config/schema';
import { gitCredentials } from '../pinning/git-credentials';
import { listImageReferences } from '../pinning/list-image-refs';
import type { GitReader, Logger } from '../ports';
import type { RegistryInventory } from './inventory';
import { referenceScreen, retentionRegistryResolver } from './retention-registries';

/** An image reference in a GitOps repo that names one of the retention registries. */
export interface PinnedReference {
  /** Name in `retention.registries`. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** `fleet:apps/web/deploy.yaml`: the gitops key and the file. */
  where: string;
}

export interface PinnedReferences {
  references: PinnedReference[];
  /** Gitops repos that could not be read, with why: nothing is deleted while one is unreadable. */
  unreadable: { repo: string; error: string }[];
}

/** GitOps files: YAML, and kustomization files without an extension. */
const gitopsFile = /(\.ya?ml|(^|\/)kustomization)$/i;

/**
 * Reads every gitops repo the config names (its configured branch, through the same git adapter as
 * the write-back) and lists the image references that name a retention registry, found by the
 * pinning engine's own finder. A repo that cannot be read is reported, not thrown: the caller then
 * deletes nothing where pins matter (issue 11 §2).
 */
export async function readPinnedReferences(
  deps: { git: GitReader; setting(name: string): string | undefined; log: Pick<Logger, 'warn'> },
  config: Pick<Config, 'gitops' | 'registryAliases'>,
  registries: readonly RetentionRegistry[],
): Promise<PinnedReferences> {
  const result: PinnedReferences = { references: [], unreadable: [] };
  const registryOf = retentionRegistryResolver(registries, config.registryAliases);
  const screen = referenceScreen(registries, config.registryAliases);
  for (const [key, repo] of Object.entries(config.gitops)) {
    try {
      // Reading needs no pull-request API, so no token is required for a public repo in PR mode.
      const { auth } = gitCredentials(key, { ...repo, mode: 'push' }, deps.setting);
      const found = await deps.git.read(
        {
          url: repo.url,
          branch: repo.branch,
          ...(auth ? { auth } : {}),
          ...(repo.tokenFrom ? { tokenSetting: repo.tokenFrom } : {}),
          ...(repo.provider ? { provider: repo.provider } : {}),
        },
        async (tree) => {
          const references: PinnedReference[] = [];
          for (const file of await tree.list()) {
            if (!gitopsFile.test(file)) continue;
            for (const reference of listImageReferences(file, await tree.read(file), screen)) {
              const registry = registryOf(reference.registry);
              if (!registry) continue;
              references.push({
                registry: registry.name,
                repository: reference.repository,
                ...(reference.tag === undefined ? {} : { tag: reference.tag }),
                ...(reference.digest === undefined ? {} : { digest: reference.digest }),
                where: `${key}:${file}`,
              });
            }
          }
          return references;
        },
      );
      result.references.push(...found);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.warn(`gitops repo "${key}" could not be read for retention: ${message}`);
      result.unreadable.push({ repo: key, error: message });
    }
  }
  return result;
}

/**
 * The digests the references protect in one registry, each with where it is referenced: a digest as
 * written, and for a reference by tag alone the digest that tag points to in the inventory now.
 */
export function protectedDigestsFor(
  registry: string,
  references: readonly PinnedReference[],
  inventory: RegistryInventory,
): Map<string, string> {
  const protectedDigests = new Map<string, string>();
  const protect = (digest: string, where: string) => {
    if (!protectedDigests.has(digest)) protectedDigests.set(digest, where);
  };
  const repositories = new Map(inventory.repositories.map((repository) => [repository.name, repository]));
  for (const reference of references) {
    if (reference.registry !== registry) continue;
    if (reference.digest !== undefined) {
      protect(reference.digest, reference.where);
      continue;
    }
    const repository = repositories.get(reference.repository);
    const tag = repository?.tags.find((candidate) => candidate.name === reference.tag);
    if (tag) protect(tag.digest, `${reference.where} (by tag ${reference.tag})`);
  }
  return protectedDigests;
}
