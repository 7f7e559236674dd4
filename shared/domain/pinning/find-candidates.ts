import { isMap, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import type { AnchorIndex } from './anchor-index';
import { argoCdSourceCandidates } from './argo-cd-source';
import type { Candidate, SplitCandidate } from './candidate';
import { kustomizeImageCandidates } from './kustomize-images';
import { isImageKey, keyOf, stringAt, YamlNav } from './yaml-nav';

/** API groups whose `image` fields name a repository to scan or a policy, never something to pull. */
const ignoredGroups = ['image.toolkit.fluxcd.io/', 'argocd-image-updater.argoproj.io/'];
const kustomizationFiles = new Set(['kustomization.yaml', 'kustomization.yml', 'kustomization']);

/**
 * Finds every place in one document that may hold an image reference, by shape:
 * - any key named `image` (or ending in `image`/`Image`, e.g. `initImage`) with a string value — pod
 *   specs of every workload kind, CronJob templates, compose `services.*.image`, Helm values;
 * - an `image` map with `reference` (pod image volumes) or with `repository`/`name` + `tag`;
 * - any map with `repository` + `tag` (or `digest`), whatever its parent key (Helm values, HelmRelease
 *   `spec.values`, Bitnami `registry`/`repository`/`tag`/`digest`);
 * - kustomization `images[]` and Flux Kustomization `spec.images[]`;
 * - Argo CD Application/ApplicationSet `spec.source(s)`, and the same keys at the top of an
 *   `.argocd-source-<app>.yaml` file.
 * Flux image-automation and Argo CD Image Updater objects are skipped whole. Block scalars are never
 * looked into. Aliases are followed, so an edit lands on the anchor (checked later).
 */
export function findCandidates(doc: Document.Parsed, file: string, anchors: AnchorIndex): Candidate[] {
  return new ShapeWalker(new YamlNav(anchors)).document(doc, file);
}

class ShapeWalker {
  private readonly candidates: Candidate[] = [];
  private readonly seen = new Set<string>();
  private readonly active = new Set<Node>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  constructor(private readonly nav: YamlNav) {}

  document(doc: Document.Parsed, file: string): Candidate[] {
    const root = doc.contents;
    if (!isMap(root)) {
      if (root !== null) this.walk(root);
      return this.candidates;
    }
    const nav = this.nav;
    const apiVersion = stringAt(root, 'apiVersion') ?? '';
    const kind = stringAt(root, 'kind');
    if (ignoredGroups.some((group) => apiVersion.startsWith(group))) return this.candidates;

    if (apiVersion.startsWith('argoproj.io/') && (kind === 'Application' || kind === 'ApplicationSet')) {
      const spec = nav.childPath(root, kind === 'Application' ? ['spec'] : ['spec', 'template', 'spec']);
      this.argoSource(nav.child(spec, 'source'));
      const sources = nav.child(spec, 'sources');
      if (isSeq(sources)) for (const source of sources.items) this.argoSource(nav.deref(source));
      return this.candidates;
    }
    const base = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
    const isKustomization =
      apiVersion.startsWith('kustomize.config.k8s.io/') ||
      (apiVersion === '' && kustomizationFiles.has(base));
    if (isKustomization) this.addAll(kustomizeImageCandidates(nav, nav.child(root, 'images')));
    if (apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) {
      this.addAll(kustomizeImageCandidates(nav, nav.childPath(root, ['spec', 'images'])));
    }
    if (apiVersion === '' && (nav.child(root, 'helm') ?? nav.child(root, 'kustomize')) !== undefined) {
      this.argoSource(root);
    }
    this.walk(root, isKustomization ? 'images' : undefined);
    return this.candidates;
  }

  private argoSource(source: Node | undefined): void {
    this.addAll(argoCdSourceCandidates(this.nav, source, (values) => this.walk(values)));
  }

  /** Generic walk; `skipKey` is a root key a shape rule already read. */
  private walk(value: unknown, skipKey?: string): void {
    const node = this.nav.deref(value);
    if (node === undefined || this.active.has(node)) return;
    this.active.add(node);
    if (isMap(node)) {
      this.splitFields(node, false);
      for (const pair of node.items) {
        const key = keyOf(pair);
        if (key !== undefined && key === skipKey) continue;
        if (key !== undefined && isImageKey(key)) this.imageValue(pair.value);
        this.walk(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.walk(item);
    }
    this.active.delete(node);
  }

  private imageValue(value: unknown): void {
    const field = this.nav.field(value);
    if (field !== undefined) {
      this.add({ kind: 'ref', field, form: 'plain' });
      return;
    }
    const node = this.nav.deref(value);
    if (!isMap(node)) return;
    const reference = this.nav.fieldAt(node, 'reference');
    if (reference !== undefined) this.add({ kind: 'ref', field: reference, form: 'plain' });
    else this.splitFields(node, true);
  }

  /** `repository` (or, under an image key, `name`) + `tag`/`digest`, optionally `registry`. */
  private splitFields(map: YAMLMap, strong: boolean): void {
    const nav = this.nav;
    const repository = nav.fieldAt(map, 'repository') ?? (strong ? nav.fieldAt(map, 'name') : undefined);
    const tag = nav.fieldAt(map, 'tag');
    const digest = nav.fieldAt(map, 'digest');
    if (repository === undefined || (tag === undefined && digest === undefined)) return;
    const candidate: SplitCandidate = { kind: 'split', style: 'helm', repository, strong };
    const registry = nav.fieldAt(map, 'registry');
    if (registry !== undefined) candidate.registry = registry;
    if (tag !== undefined) candidate.tag = tag;
    if (digest !== undefined) candidate.digest = digest;
    this.add(candidate);
  }

  private addAll(candidates: readonly Candidate[]): void {
    for (const candidate of candidates) this.add(candidate);
  }

  /** Records a candidate once: the same scalar reached the same way (directly or by one alias) is one. */
  private add(candidate: Candidate): void {
    const main = candidate.kind === 'split' ? candidate.repository : candidate.field;
    const via = main.via === undefined ? '' : this.id(main.via);
    const key = `${candidate.kind}:${this.id(main.node)}:${via}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.candidates.push(candidate);
  }

  private id(object: object): number {
    let id = this.ids.get(object);
    if (id === undefined) {
      id = ++this.nextId;
      this.ids.set(object, id);
    }
    return id;
  }
}
