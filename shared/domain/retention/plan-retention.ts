import type { RetentionPolicy } from '../config/retention-schema';
import type { RegistryInventory } from './inventory';
import { planRepository } from './plan-repository';
import { compileRepositoryRules } from './repository-rules';
import type { RegistryRetentionPlan, RetentionCounts, RetentionOperation } from './retention-plan';

/** The registry being planned: a `retention.registries` entry fits. */
export interface PlanRegistry {
  name: string;
  type?: 'acr' | 'oci';
  loginServer?: string;
  url?: string;
  /**
   * Whether a tag can be deleted while its manifest stays. Default: true for ACR, false otherwise
   * (distribution 2.8 answers 400 to DELETE by tag); a backend that probed the registry may say.
   */
  canDeleteTags?: boolean;
}

export interface PlanRetentionInput {
  registry: PlanRegistry;
  inventory: RegistryInventory;
  /** `retention.policies` as validated (durations in milliseconds). */
  policies: readonly RetentionPolicy[];
  now: Date;
  /** Digests the GitOps repos reference → where, e.g. `fleet:apps/web/deploy.yaml`. */
  protectedDigests: ReadonlyMap<string, string>;
  /** A push-triggered run plans one repository. */
  scope?: { repository?: string };
}

/**
 * Decides, for every tag and every untagged manifest of a registry, keep or delete with a reason, and
 * lists the deletes to apply (issue 11 §1–2). Pure: the same input gives the same plan.
 *
 * - Policies apply to the repositories their globs match, in the registries they name (default all).
 *   Nothing is deleted in a repository no policy matches.
 * - A tag is kept when it is locked, pinned (its digest is in `protectedDigests` and a matching policy
 *   has `protectPinned`), or when any keep clause of any matching policy holds: a `tags` pattern,
 *   among the `newest` N tags of the repository by last update, `youngerThan`. Unknown age is young.
 *   Every other tag is deleted.
 * - A manifest goes only when all its tags go, or it is untagged and older than `untagged.olderThan`
 *   of every matching policy, and it is not locked or pinned. Children of a kept index and referrers
 *   of a kept manifest stay; referrers and children of a deleted manifest go with it. A referrers tag
 *   (`sha256-<hex>`) follows its subject.
 * - A tag that goes while its manifest stays is an untag (`delete-tag`), or is kept when the registry
 *   cannot delete a tag alone; a manifest that goes takes its tags with it (`delete-manifest`).
 *
 * Linear in tags, manifests and their links; policies and tag patterns are compiled once.
 */
export function planRetention(input: PlanRetentionInput): RegistryRetentionPlan {
  const { registry, inventory, policies, protectedDigests, scope } = input;
  const now = input.now.getTime();
  const rulesFor = compileRepositoryRules(policies, registry.name);
  const canDeleteTags = registry.canDeleteTags ?? registry.type === 'acr';
  const selected = inventory.repositories
    .filter((repository) => scope?.repository === undefined || repository.name === scope.repository)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const repositories = [];
  const operations: RetentionOperation[] = [];
  for (const repository of selected) {
    const planned = planRepository({
      repository,
      rules: rulesFor(repository.name),
      protectedDigests,
      now,
      canDeleteTags,
    });
    repositories.push(planned.plan);
    operations.push(...planned.operations);
  }
  // Stable: within a wave, repositories stay in name order and each keeps its own order.
  operations.sort((a, b) => a.wave - b.wave);
  return {
    registry: registry.name,
    address: registry.loginServer ?? registry.url ?? registry.name,
    repositories,
    operations,
    totals: sumCounts(repositories.map((repository) => repository.counts)),
  };
}

/** Adds counts up (repositories into a registry, registries into a run). */
export function sumCounts(counts: readonly RetentionCounts[]): RetentionCounts {
  const total: RetentionCounts = { keep: 0, delete: 0, manifestsDeleted: 0, bytesDeleted: 0 };
  for (const count of counts) {
    total.keep += count.keep;
    total.delete += count.delete;
    total.manifestsDeleted += count.manifestsDeleted;
    total.bytesDeleted += count.bytesDeleted;
  }
  return total;
}
