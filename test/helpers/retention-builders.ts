import { createHash } from 'node:crypto';
import type { RetentionPolicy } from '../../shared/domain/config/retention-schema';
import { retentionSchema } from '../../shared/domain/config/retention-schema';
import type {
  InventoryManifest,
  InventoryRepository,
  InventoryTag,
  RegistryInventory,
} from '../../shared/domain/retention/inventory';
import { shortDigest } from '../../shared/domain/events/image-event';
import { planRetention, type PlanRegistry } from '../../shared/domain/retention/plan-retention';
import type { RegistryRetentionPlan } from '../../shared/domain/retention/retention-plan';

/** Builders for retention planner tests (and the bench): readable inventories in a few lines. */

export const now = new Date('2026-06-01T00:00:00Z');

/** `daysAgo(3)` → a Date three days before `now`. */
export function daysAgo(days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

const seeds = new Map<string, string>();

/** `digest('v1')` → a stable `sha256:…` for that name; `seedOf` gives the name back. */
export function digest(seed: string): string {
  const value = `sha256:${createHash('sha256').update(seed).digest('hex')}`;
  seeds.set(value, seed);
  return value;
}

/** The seed a digest was made from, `?` when it was not made by `digest`. */
export function seedOf(value: string): string {
  return seeds.get(value) ?? '?';
}

/** `short('I')`: how reasons name the manifest `digest('I')`. */
export function short(seed: string): string {
  return shortDigest(digest(seed));
}

/** Policies as written in YAML (durations as text), validated like the config loader does. */
export function policies(...written: unknown[]): RetentionPolicy[] {
  return retentionSchema.parse({ policies: written }).policies;
}

export function tag(
  name: string,
  seed: string,
  age?: number,
  extra: Partial<InventoryTag> = {},
): InventoryTag {
  return {
    name,
    digest: digest(seed),
    ...(age === undefined ? {} : { lastUpdated: daysAgo(age) }),
    ...extra,
  };
}

export function manifest(
  seed: string,
  age?: number,
  extra: Partial<InventoryManifest> = {},
): InventoryManifest {
  return {
    digest: digest(seed),
    tags: [],
    ...(age === undefined ? {} : { lastUpdated: daysAgo(age) }),
    ...extra,
  };
}

/** A repository whose manifests are those given plus one per tag digest not among them. */
export function repository(
  name: string,
  tags: InventoryTag[],
  manifests: InventoryManifest[] = [],
): InventoryRepository {
  const listed = new Set(manifests.map((m) => m.digest));
  const implied = tags
    .filter((t) => !listed.has(t.digest) && (listed.add(t.digest), true))
    .map((t) => ({
      digest: t.digest,
      tags: [] as string[],
      ...(t.lastUpdated ? { lastUpdated: t.lastUpdated } : {}),
    }));
  return { name, tags, manifests: [...manifests, ...implied] };
}

/**
 * A large registry for the performance target: `repositories` × `tagsPerRepository` tags, every
 * tenth manifest a multi-arch index with two children and a signature referrer, a few untagged.
 */
export function syntheticInventory(repositories: number, tagsPerRepository: number): RegistryInventory {
  const result: InventoryRepository[] = [];
  for (let r = 0; r < repositories; r += 1) {
    const tags: InventoryTag[] = [];
    const manifests: InventoryManifest[] = [];
    for (let t = 0; t < tagsPerRepository; t += 1) {
      const seed = `r${r}t${t}`;
      const lastUpdated = new Date(now.getTime() - t * 3_600_000 * 7);
      const name = t === 0 ? 'latest' : t % 3 === 0 ? `1.${r % 10}.${t}` : `build-${r}-${t}`;
      tags.push({ name, digest: digest(seed), lastUpdated });
      if (t % 10 === 0) {
        const children = [digest(`${seed}amd64`), digest(`${seed}arm64`)];
        manifests.push({ digest: digest(seed), tags: [name], lastUpdated, children, sizeBytes: 1000 });
        for (const child of children)
          manifests.push({ digest: child, tags: [], lastUpdated, sizeBytes: 5_000_000 });
        manifests.push({ digest: digest(`${seed}sig`), tags: [], lastUpdated, subject: digest(seed) });
      } else manifests.push({ digest: digest(seed), tags: [name], lastUpdated, sizeBytes: 5_000_000 });
    }
    manifests.push({
      digest: digest(`r${r}dangling`),
      tags: [],
      lastUpdated: new Date(now.getTime() - 30 * 86_400_000),
    });
    result.push({ name: `team-${r % 20}/app-${r}`, tags, manifests });
  }
  return { repositories: result };
}

/** Plans `repositories` of registry `prod` (ACR unless `registry` says otherwise) at `now`. */
export function planOf(
  repositories: InventoryRepository[],
  written: unknown[],
  options: { registry?: PlanRegistry; pinned?: Record<string, string>; scope?: { repository?: string } } = {},
): RegistryRetentionPlan {
  const pinned = new Map(Object.entries(options.pinned ?? {}).map(([seed, where]) => [digest(seed), where]));
  return planRetention({
    registry: options.registry ?? { name: 'prod', type: 'acr', loginServer: 'prod.azurecr.io' },
    inventory: { repositories },
    policies: policies(...written),
    now,
    protectedDigests: pinned,
    ...(options.scope ? { scope: options.scope } : {}),
  });
}

/**
 * One repository's decisions as `{ tag: 'keep: reason', '@seed': 'delete: reason' }` (untagged
 * manifests by the seed of their digest), for exact, readable assertions.
 */
export function decisionsOf(plan: RegistryRetentionPlan, repository = 'app'): Record<string, string> {
  const found = plan.repositories.find((r) => r.name === repository);
  if (!found) throw new Error(`repository ${repository} is not in the plan`);
  return Object.fromEntries([
    ...found.tags.map((t) => [t.tag, `${t.decision}: ${t.reason}`]),
    ...found.manifests.map((m) => [`@${seedOf(m.digest)}`, `${m.decision}: ${m.reason}`]),
  ]);
}

/** The operations as short strings: `untag app:old`, `delete app@I (v1) wave 1`. */
export function operationsOf(plan: RegistryRetentionPlan): string[] {
  return plan.operations.map((op) =>
    op.kind === 'delete-tag'
      ? `untag ${op.repository}:${op.tag}`
      : `delete ${op.repository}@${seedOf(op.digest)}${op.tags.length ? ` (${op.tags.join(', ')})` : ''} wave ${op.wave}`,
  );
}
