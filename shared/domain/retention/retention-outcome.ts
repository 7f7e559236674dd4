import type { ApplyResult } from './apply-retention-plan';
import { sumCounts } from './plan-retention';
import type { RegistryRetentionPlan, RepositoryPlan, RetentionOperation } from './retention-plan';

/** One row of the apply table: what happened in a repository. */
export interface RepositoryOutcome {
  repository: string;
  /** Tags and untagged manifests kept (including deletes skipped at apply time). */
  kept: number;
  deleted: number;
  failed: number;
  /** Known sizes of the manifests deleted; 0 when the registry reports none. */
  bytesFreed: number;
}

/** The decisions an operation carries out: one tag, or a manifest's tags (or the untagged manifest). */
export function itemsOf(operation: RetentionOperation): number {
  return operation.kind === 'delete-tag' ? 1 : Math.max(1, operation.tags.length);
}

/**
 * The plan as it was applied: deletes skipped at apply time (a tag moved, a manifest gained a tag, a
 * lower wave failed, the lease was lost) become keeps with that reason, and the counts follow. Failed
 * deletes stay deletes (reports subtract them as failed). Pure.
 */
export function planAsApplied(plan: RegistryRetentionPlan, result: ApplyResult): RegistryRetentionPlan {
  return keepSkipped(plan, result.skipped, 'kept at apply: ');
}

/**
 * The plan with nothing deleted, every delete a keep saying why (a gitops repo could not be read, so
 * pinned digests are unknown). The report still shows what would otherwise have gone. Pure.
 */
export function blockPlan(plan: RegistryRetentionPlan, reason: string): RegistryRetentionPlan {
  return keepSkipped(
    plan,
    plan.operations.map((operation) => ({ operation, reason })),
    'kept: ',
  );
}

function keepSkipped(
  plan: RegistryRetentionPlan,
  skipped: ApplyResult['skipped'],
  prefix: string,
): RegistryRetentionPlan {
  if (skipped.length === 0) return plan;
  const skippedTags = new Map<string, string>();
  const skippedManifests = new Map<string, string>();
  for (const { operation, reason } of skipped) {
    const why = `${prefix}${reason}`;
    if (operation.kind === 'delete-tag') skippedTags.set(`${operation.repository}\n${operation.tag}`, why);
    else {
      skippedManifests.set(`${operation.repository}\n${operation.digest}`, why);
      for (const tag of operation.tags) skippedTags.set(`${operation.repository}\n${tag}`, why);
    }
  }
  const skippedOps = new Set(skipped.map((skip) => skip.operation));
  const operations = plan.operations.filter((operation) => !skippedOps.has(operation));
  const manifestDeletes = new Map<string, number[]>();
  for (const operation of operations) {
    if (operation.kind !== 'delete-manifest') continue;
    const sizes = manifestDeletes.get(operation.repository) ?? [];
    sizes.push(operation.sizeBytes ?? 0);
    manifestDeletes.set(operation.repository, sizes);
  }
  const repositories = plan.repositories.map((repository): RepositoryPlan => {
    const tags = repository.tags.map((tag) => {
      const why = skippedTags.get(`${repository.name}\n${tag.tag}`);
      return why !== undefined && tag.decision === 'delete'
        ? { ...tag, decision: 'keep' as const, reason: why }
        : tag;
    });
    const manifests = repository.manifests.map((manifest) => {
      const why = skippedManifests.get(`${repository.name}\n${manifest.digest}`);
      return why !== undefined && manifest.decision === 'delete'
        ? { ...manifest, decision: 'keep' as const, reason: why }
        : manifest;
    });
    const deletes = [...tags, ...manifests].filter((decision) => decision.decision === 'delete').length;
    const sizes = manifestDeletes.get(repository.name) ?? [];
    return {
      ...repository,
      tags,
      manifests,
      counts: {
        keep: tags.length + manifests.length - deletes,
        delete: deletes,
        manifestsDeleted: sizes.length,
        bytesDeleted: sizes.reduce((sum, size) => sum + size, 0),
      },
    };
  });
  return {
    ...plan,
    repositories,
    operations,
    totals: sumCounts(repositories.map((repository) => repository.counts)),
  };
}

/**
 * Per repository with something planned: kept, deleted, failed and bytes freed (the apply table).
 * `applied` is the plan as applied (`planAsApplied`, which `RegistryRun.plan` is after an apply).
 */
export function repositoryOutcomes(applied: RegistryRetentionPlan, result: ApplyResult): RepositoryOutcome[] {
  const rows = new Map<string, RepositoryOutcome>();
  for (const repository of applied.repositories) {
    rows.set(repository.name, {
      repository: repository.name,
      kept: repository.counts.keep,
      deleted: 0,
      failed: 0,
      bytesFreed: 0,
    });
  }
  const row = (name: string) => rows.get(name);
  for (const operation of result.done) {
    const target = row(operation.repository);
    if (!target) continue;
    target.deleted += itemsOf(operation);
    if (operation.kind === 'delete-manifest') target.bytesFreed += operation.sizeBytes ?? 0;
  }
  for (const { operation } of result.failed) {
    const target = row(operation.repository);
    if (target) target.failed += itemsOf(operation);
  }
  return [...rows.values()];
}
