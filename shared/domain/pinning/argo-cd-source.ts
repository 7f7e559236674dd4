import { isMap, isSeq, type Node } from 'yaml';
import type { Candidate, Field, SplitCandidate } from './candidate';
import { isImageKey, stringAt, type YamlNav } from './yaml-nav';

type Role = 'registry' | 'repository' | 'tag' | 'digest';

/**
 * One Argo CD Application source (or the top of an `.argocd-source-<app>.yaml` write-back file):
 * `helm.parameters`, `kustomize.images` override strings, and `helm.valuesObject`, which is handed to
 * `walkValues` because it holds ordinary Helm values. `helm.values` is a string and never read.
 */
export function argoCdSourceCandidates(
  nav: YamlNav,
  source: Node | undefined,
  walkValues: (values: Node) => void,
): Candidate[] {
  if (!isMap(source)) return [];
  const helm = nav.child(source, 'helm');
  const candidates = helmParameterCandidates(nav, nav.child(helm, 'parameters'));
  const valuesObject = nav.child(helm, 'valuesObject');
  if (valuesObject !== undefined) walkValues(valuesObject);
  const images = nav.child(nav.child(source, 'kustomize'), 'images');
  if (isSeq(images)) {
    for (const item of images.items) {
      const field = nav.field(item);
      if (field !== undefined) candidates.push({ kind: 'ref', field, form: 'override' });
    }
  }
  return candidates;
}

/**
 * `parameters[]{name, value}` grouped by prefix: `image.repository` (or Image Updater's `image.name`) +
 * `image.tag` [+ `image.registry`, `image.digest`] form one reference; `*.image` / `*.spec` hold a whole one.
 */
function helmParameterCandidates(nav: YamlNav, parameters: Node | undefined): Candidate[] {
  if (!isSeq(parameters)) return [];
  const candidates: Candidate[] = [];
  const groups = new Map<string, Partial<Record<Role, Field>>>();
  for (const item of parameters.items) {
    const parameter = nav.deref(item);
    if (!isMap(parameter)) continue;
    const name = stringAt(parameter, 'name');
    const value = nav.fieldAt(parameter, 'value');
    if (name === undefined || value === undefined) continue;
    const dot = name.lastIndexOf('.');
    const leaf = name.slice(dot + 1);
    const role = leaf === 'name' ? 'repository' : leaf;
    if (role === 'registry' || role === 'repository' || role === 'tag' || role === 'digest') {
      const prefix = dot === -1 ? '' : name.slice(0, dot);
      groups.set(prefix, { ...groups.get(prefix), [role]: value });
    } else if (isImageKey(leaf) || leaf === 'spec') {
      candidates.push({ kind: 'ref', field: value, form: 'plain' });
    }
  }
  for (const { registry, repository, tag, digest } of groups.values()) {
    if (repository === undefined || (tag === undefined && digest === undefined)) continue;
    const candidate: SplitCandidate = { kind: 'split', style: 'helm', repository, strong: true };
    if (registry !== undefined) candidate.registry = registry;
    if (tag !== undefined) candidate.tag = tag;
    if (digest !== undefined) candidate.digest = digest;
    candidates.push(candidate);
  }
  return candidates;
}
