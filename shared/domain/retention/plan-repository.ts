import { shortDigest } from '../events/image-event';
import { decideManifests } from './decide-manifests';
import { decideTags, newestFirst } from './decide-tags';
import type { InventoryRepository } from './inventory';
import type { RepositoryRules } from './repository-rules';
import { buildRepositoryGraph, type ManifestNode, type TagNode } from './repository-graph';
import type { ManifestDecision, RepositoryPlan, RetentionOperation, TagDecision } from './retention-plan';

export interface RepositoryPlanInput {
  repository: InventoryRepository;
  rules: RepositoryRules | undefined;
  protectedDigests: ReadonlyMap<string, string>;
  now: number;
  /** False when the registry can delete a manifest but not a tag alone (distribution 2.8). */
  canDeleteTags: boolean;
}

/** Decisions and delete operations for one repository (see `planRetention` for the rules). */
export function planRepository(input: RepositoryPlanInput): {
  plan: RepositoryPlan;
  operations: RetentionOperation[];
} {
  const { repository, rules, protectedDigests, now, canDeleteTags } = input;
  const graph = buildRepositoryGraph(repository);
  graph.tags.sort(newestFirst);
  decideTags(graph.tags, rules, protectedDigests, now);
  const order = decideManifests(graph.manifests, rules, protectedDigests, now);
  const { byDigest } = graph;

  const operations: RetentionOperation[] = [];
  for (const tag of graph.tags) {
    followSubject(tag);
    const node = byDigest.get(tag.digest) as ManifestNode;
    if (tag.decision !== 'delete' || node.decision === 'delete') continue;
    if (canDeleteTags) {
      tag.reason = `${tag.reason}; untag only, manifest stays (${node.reason})`;
      operations.push({
        kind: 'delete-tag',
        repository: repository.name,
        tag: tag.name,
        digest: tag.digest,
        wave: 0,
      });
    } else {
      tag.decision = 'keep';
      tag.reason = `manifest stays (${node.reason}) and the registry cannot delete a tag alone`;
    }
  }
  operations.push(...manifestDeletes(repository.name, order));

  const tags: TagDecision[] = graph.tags.map((tag) => ({
    tag: tag.name,
    digest: tag.digest,
    decision: tag.decision ?? 'keep',
    reason: tag.reason ?? 'undecided',
  }));
  const untagged = graph.manifests
    .filter((node) => node.tags.length === 0)
    .map((node) => ({ name: node.digest, time: node.time, node }))
    .sort(newestFirst);
  const manifests: ManifestDecision[] = untagged.map(({ node }) => ({
    digest: node.digest,
    decision: node.decision ?? 'keep',
    reason: node.reason ?? 'undecided',
  }));
  const deleted = graph.manifests.filter((node) => node.decision === 'delete');
  const decisions = [...tags, ...manifests];
  const deletes = decisions.filter((decision) => decision.decision === 'delete').length;
  return {
    plan: {
      name: repository.name,
      policies: rules?.policies ?? [],
      tags,
      manifests,
      counts: {
        keep: decisions.length - deletes,
        delete: deletes,
        manifestsDeleted: deleted.length,
        bytesDeleted: deleted.reduce((sum, node) => sum + (node.manifest?.sizeBytes ?? 0), 0),
      },
    },
    operations,
  };
}

/** A referrers-schema tag goes or stays with its subject (unless already kept as locked or pinned). */
function followSubject(tag: TagNode): void {
  if (tag.decision !== undefined || !tag.referrerOf) return;
  const subject = tag.referrerOf;
  tag.decision = subject.decision === 'delete' ? 'delete' : 'keep';
  tag.reason = `referrer of ${subject.decision === 'delete' ? 'deleted' : 'kept'} ${shortDigest(subject.digest)}`;
}

/**
 * One delete per manifest that goes, its tags with it. Wave: 0 when nothing deleted depends on it,
 * else one more than the highest wave of its deleted children and referrers, so they go first.
 * `order` has parents and subjects before what depends on them, so walking it backwards sees the
 * dependents' waves first.
 */
function manifestDeletes(repository: string, order: readonly ManifestNode[]): RetentionOperation[] {
  const waves = new Map<ManifestNode, number>();
  const operations: RetentionOperation[] = [];
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const node = order[i] as ManifestNode;
    if (node.decision !== 'delete') continue;
    let wave = 0;
    for (const dependent of node.dependents) {
      const after = waves.get(dependent);
      if (after !== undefined && after + 1 > wave) wave = after + 1;
    }
    waves.set(node, wave);
    const size = node.manifest?.sizeBytes;
    operations.push({
      kind: 'delete-manifest',
      repository,
      digest: node.digest,
      tags: node.tags.map((tag) => tag.name),
      reason: node.reason ?? '',
      ...(size === undefined ? {} : { sizeBytes: size }),
      wave,
    });
  }
  return operations.reverse();
}
