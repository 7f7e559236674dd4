import { shortDigest } from '../events/image-event';
import { formatDuration } from '../config/duration';
import type { RepositoryRules } from './repository-rules';
import type { ManifestNode } from './repository-graph';

/**
 * Decides every manifest once its tags have their own decisions, parents and subjects first (Kahn's
 * order), and returns the manifests in that order. A manifest stays when it is locked, pinned, has a
 * kept tag, is a child of a kept index or a referrer of a kept manifest; it goes with a deleted
 * subject or a deleted index, when all its tags go, or when it is untagged and old enough. Keep wins
 * over every reason to delete. Manifests in a reference cycle (which real registries do not produce)
 * are decided with what is known and kept when nothing else decides them.
 */
export function decideManifests(
  manifests: readonly ManifestNode[],
  rules: RepositoryRules | undefined,
  protectedDigests: ReadonlyMap<string, string>,
  now: number,
): ManifestNode[] {
  const waiting = new Map<ManifestNode, number>();
  const ready: ManifestNode[] = [];
  for (const node of manifests) {
    const upstream = node.parents.length + node.subjects.length;
    if (upstream === 0) ready.push(node);
    else waiting.set(node, upstream);
  }
  const order: ManifestNode[] = [];
  let next = 0;
  let forced = 0;
  while (order.length < manifests.length) {
    let node = ready[next];
    if (node) next += 1;
    else {
      // Only a cycle is left: decide its first manifest with what is known.
      while (manifests[forced]?.decision !== undefined) forced += 1;
      node = manifests[forced] as ManifestNode;
      waiting.delete(node);
    }
    decide(node, rules, protectedDigests, now);
    order.push(node);
    for (const dependent of node.dependents) {
      const left = waiting.get(dependent);
      if (left === undefined) continue;
      if (left <= 1) {
        waiting.delete(dependent);
        ready.push(dependent);
      } else waiting.set(dependent, left - 1);
    }
  }
  return order;
}

function decide(
  node: ManifestNode,
  rules: RepositoryRules | undefined,
  protectedDigests: ReadonlyMap<string, string>,
  now: number,
): void {
  const keep = (reason: string) => set(node, 'keep', reason);
  if (node.locked) return keep('locked');
  if (!rules) return keep('no policy matches');
  const pinned = rules.protectPinned ? protectedDigests.get(node.digest) : undefined;
  if (pinned !== undefined) return keep(`pinned in ${pinned}`);
  let ownTags = 0;
  for (const tag of node.tags) {
    if (tag.referrerOf) continue;
    if (tag.decision === 'keep') return keep(`tag ${tag.name} is kept`);
    ownTags += 1;
  }
  const parent = (decision: 'keep' | 'delete') => node.parents.find((p) => p.decision === decision);
  const subject = (decision: 'keep' | 'delete') => node.subjects.find((s) => s.decision === decision);
  const keptParent = parent('keep');
  if (keptParent) return keep(`child of kept index ${shortDigest(keptParent.digest)}`);
  const keptSubject = subject('keep');
  if (keptSubject) return keep(`referrer of kept ${shortDigest(keptSubject.digest)}`);
  if (undecided(node.parents) || undecided(node.subjects)) return keep('in a reference cycle');
  const deletedSubject = subject('delete');
  if (deletedSubject) return set(node, 'delete', `referrer of deleted ${shortDigest(deletedSubject.digest)}`);
  const deletedParent = parent('delete');
  if (deletedParent)
    return set(node, 'delete', `child of deleted index ${shortDigest(deletedParent.digest)}`);
  if (ownTags > 0)
    return set(node, 'delete', ownTags === 1 ? 'its tag is deleted' : `all ${ownTags} tags deleted`);
  if (rules.untaggedOlderThan === undefined) return keep('untagged, the policy keeps untagged manifests');
  if (node.time === undefined) return keep('unknown age');
  const limit = formatDuration(rules.untaggedOlderThan);
  if (now - node.time > rules.untaggedOlderThan) return set(node, 'delete', `untagged, older than ${limit}`);
  return keep(`untagged, younger than ${limit}`);
}

function undecided(nodes: readonly ManifestNode[]): boolean {
  return nodes.some((node) => node.decision === undefined);
}

function set(node: ManifestNode, decision: 'keep' | 'delete', reason: string): void {
  node.decision = decision;
  node.reason = reason;
}
