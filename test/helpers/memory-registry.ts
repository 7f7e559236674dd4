import { RefusedError, UpstreamError } from '../../shared/domain/errors';
import type { InventoryRepository } from '../../shared/domain/retention/inventory';
import type { RegistryBackend } from '../../shared/domain/retention/retention-ports';

/**
 * A registry backend in memory for domain tests: repositories as inventories, deletes that change
 * them (a manifest takes its tags with it), a log of calls, and scripted failures.
 */
export interface MemoryRegistry extends RegistryBackend {
  repositories: Map<string, InventoryRepository>;
  calls: string[];
  /** Fails the next `count` deletes with 429 (`retryAfterMs`) or a refusal. */
  failDeletes(count: number, kind: { status: 429; retryAfterMs?: number } | { status: 405 }): void;
  /** Runs before each delete (to move tags under the apply, or to slow it down). */
  beforeDelete?: (what: string) => Promise<void> | void;
  /** Most deletes in flight at once so far. */
  maxInFlight: number;
}

export function memoryRegistry(
  repositories: InventoryRepository[],
  options: { canDeleteTags?: boolean } = {},
): MemoryRegistry {
  const repos = new Map(repositories.map((repository) => [repository.name, structuredClone(repository)]));
  const failures: ({ status: 429; retryAfterMs?: number } | { status: 405 })[] = [];
  let inFlight = 0;
  const registry: MemoryRegistry = {
    canDeleteTags: options.canDeleteTags ?? true,
    repositories: repos,
    calls: [],
    maxInFlight: 0,
    failDeletes(count, kind) {
      for (let i = 0; i < count; i++) failures.push(kind);
    },
    async listRepositories() {
      registry.calls.push('list');
      return [...repos.keys()].sort();
    },
    async inventory(name) {
      registry.calls.push(`inventory ${name}`);
      return structuredClone(repos.get(name) ?? { name, tags: [], manifests: [] });
    },
    async currentTags(name) {
      registry.calls.push(`tags ${name}`);
      return new Map((repos.get(name)?.tags ?? []).map((tag) => [tag.name, tag.digest]));
    },
    async deleteTag(name, tag) {
      await deleting(`untag ${name}:${tag}`, () => {
        const repo = repos.get(name);
        if (!repo) return;
        repo.tags = repo.tags.filter((t) => t.name !== tag);
        for (const manifest of repo.manifests) manifest.tags = manifest.tags.filter((t) => t !== tag);
      });
    },
    async deleteManifest(name, digest) {
      await deleting(`delete ${name}@${digest}`, () => {
        const repo = repos.get(name);
        if (!repo) return;
        repo.manifests = repo.manifests.filter((m) => m.digest !== digest);
        repo.tags = repo.tags.filter((t) => t.digest !== digest);
      });
    },
  };

  async function deleting(what: string, apply: () => void): Promise<void> {
    inFlight += 1;
    registry.maxInFlight = Math.max(registry.maxInFlight, inFlight);
    try {
      await registry.beforeDelete?.(what);
      const failure = failures.shift();
      if (failure?.status === 429) {
        registry.calls.push(`429 ${what}`);
        throw new UpstreamError(`${what}: answered 429`, undefined, {
          status: 429,
          ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
        });
      }
      if (failure?.status === 405) {
        registry.calls.push(`405 ${what}`);
        throw new RefusedError(`${what}: answered 405 (locked)`, { status: 405 });
      }
      registry.calls.push(what);
      apply();
    } finally {
      inFlight -= 1;
    }
  }
  return registry;
}
