import { isMap, isSeq, type Node } from 'yaml';
import type { SplitCandidate } from './candidate';
import { pairAt, type YamlNav } from './yaml-nav';

/**
 * kustomize `images[]` entries (kustomization.yaml, Flux Kustomization `spec.images`): the reference is
 * `newName ?? name` + `newTag`; `digest` is edited, or added after `newTag` when missing.
 */
export function kustomizeImageCandidates(nav: YamlNav, images: Node | undefined): SplitCandidate[] {
  if (!isSeq(images)) return [];
  const candidates: SplitCandidate[] = [];
  for (const item of images.items) {
    const entry = nav.deref(item);
    if (!isMap(entry)) continue;
    const name = nav.fieldAt(entry, 'name');
    const newName = nav.fieldAt(entry, 'newName');
    const repository = newName ?? name;
    if (repository === undefined) continue;
    const candidate: SplitCandidate = { kind: 'split', style: 'kustomize', repository, strong: true };
    if (newName !== undefined && name !== undefined) candidate.also = [name];
    const newTag = nav.fieldAt(entry, 'newTag');
    if (newTag !== undefined) candidate.tag = newTag;
    const digest = nav.fieldAt(entry, 'digest');
    if (digest !== undefined) candidate.digest = digest;
    const after = pairAt(entry, 'newTag') ?? pairAt(entry, 'newName') ?? pairAt(entry, 'name');
    if (after !== undefined) candidate.insertAfter = { map: entry, pair: after };
    candidates.push(candidate);
  }
  return candidates;
}
