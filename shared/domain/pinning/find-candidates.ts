import { isMap, isScalar, isSeq, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { AnchorIndex } from './anchor-index';
import { argoCdSourceCandidates } from './argo-cd-source';
import type { Candidate, Field, SplitCandidate } from './candidate';
import { kustomizeImageCandidates } from './kustomize-images';
import { isImageKey, keyOf, pairAt, stringAt, YamlNav } from './yaml-nav';

/** API groups whose `image` fields name a repository to scan or a policy, never something to pull. */
export const ignoredGroups = ['image.toolkit.fluxcd.io/', 'argocd-image-updater.argoproj.io/'];
const kustomizationFiles = new Set(['kustomization.yaml', 'kustomization.yml', 'kustomization']);
/** Keys whose map is a chart's values: HelmRelease `spec.values`, Argo CD `valuesObject`, kustomize `valuesInline`. */
const valuesKeys = new Set(['values', 'valuesObject', 'valuesInline']);
/** Digest keys of Helm image blocks, most common first; `sha` holds bare hex (Grafana, kube-prometheus-stack). */
const digestKeys = ['digest', 'imageDigest', 'sha'];

/**
 * Where the walk is: inside Helm values (a values file, or a values map of a HelmRelease, Argo CD
 * Application or kustomize `helmCharts` entry) shapes that only charts compose are read too; the
 * values' global registry applies to their image blocks.
 */
interface Scope {
  values: boolean;
  globalRegistry?: { field: Field; name: string };
}

/**
 * Finds every place in one document that may hold an image reference, by shape:
 * - any key named `image` (or ending in `image`/`Image`, e.g. `initImage`) with a string value — pod
 *   specs of every workload kind, CronJob templates, compose `services.*.image`, Helm values;
 * - an `image` map with `reference` (pod image volumes), or with `repository`/`image`/`name` (+ `tag`,
 *   `registry`, `digest`/`imageDigest`/`sha`), like Bitnami, ingress-nginx and cert-manager blocks;
 * - any map with `repository` + `tag` (or a digest key), whatever its parent key (Helm values, HelmRelease
 *   `spec.values`, Bitnami `registry`/`repository`/`tag`/`digest`);
 * - in Helm values, `image: repo` holding only the repository beside `tag`, `imageTag` or `version`
 *   (`<x>Image` beside `<x>ImageTag`), as the Elastic charts and many exporters write it;
 * - kustomization `images[]` and Flux Kustomization `spec.images[]`;
 * - Argo CD Application/ApplicationSet `spec.source(s)`, and the same keys at the top of an
 *   `.argocd-source-<app>.yaml` file.
 * A values map's `global.imageRegistry` (or `global.image.registry`) is the registry of the image blocks
 * under it. Flux image-automation and Argo CD Image Updater objects are skipped whole. Block scalars are
 * never looked into. Aliases are followed, so an edit lands on the anchor (checked later).
 */
export function findCandidates(doc: Document.Parsed, file: string, anchors: AnchorIndex): Candidate[] {
  return new ShapeWalker(new YamlNav(anchors)).document(doc, file);
}

class ShapeWalker {
  private readonly candidates: Candidate[] = [];
  private readonly seen = new Set<string>();
  private readonly active = new Set<Node>();
  /** Scalars a split candidate already reads (an `image:` holding only the repository). */
  private readonly claimed = new Set<Scalar>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  constructor(private readonly nav: YamlNav) {}

  document(doc: Document.Parsed, file: string): Candidate[] {
    const root = doc.contents;
    if (!isMap(root)) {
      if (root !== null) this.walk(root, { values: true });
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
    // A document without apiVersion and kind is a values file (or compose, or a kustomization).
    const scope = apiVersion === '' && kind === undefined ? this.valuesScope(root) : { values: false };
    this.walk(root, scope, isKustomization ? 'images' : undefined);
    return this.candidates;
  }

  private argoSource(source: Node | undefined): void {
    this.addAll(
      argoCdSourceCandidates(this.nav, source, (values) => this.walk(values, this.valuesScope(values))),
    );
  }

  /** The scope of a values map: its `global.imageRegistry` or `global.image.registry`, if any. */
  private valuesScope(values: Node): Scope {
    const global = this.nav.child(values, 'global');
    const candidates: [string, Node | undefined][] = [
      ['global.imageRegistry', global],
      ['global.image.registry', this.nav.child(global, 'image')],
    ];
    for (const [name, map] of candidates) {
      if (!isMap(map)) continue;
      const key = name.slice(name.lastIndexOf('.') + 1);
      const field = this.nav.fieldAt(map, key);
      if (field !== undefined && typeof field.node.value === 'string' && field.node.value !== '') {
        return { values: true, globalRegistry: { field, name } };
      }
    }
    return { values: true };
  }

  /** Generic walk; `skipKey` is a root key a shape rule already read. */
  private walk(value: unknown, scope: Scope, skipKey?: string): void {
    const node = this.nav.deref(value);
    if (node === undefined || this.active.has(node)) return;
    this.active.add(node);
    if (isMap(node)) {
      this.imageBlock(node, scope, false);
      for (const pair of node.items) {
        const key = keyOf(pair);
        if (key !== undefined && key === skipKey) continue;
        if (key !== undefined && isImageKey(key)) this.imageValue(pair.value, scope);
        const child = key !== undefined && valuesKeys.has(key) ? this.nav.deref(pair.value) : undefined;
        this.walk(pair.value, isMap(child) ? this.valuesScope(child) : scope);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.walk(item, scope);
    }
    this.active.delete(node);
  }

  private imageValue(value: unknown, scope: Scope): void {
    const field = this.nav.field(value);
    if (field !== undefined) {
      if (!this.claimed.has(field.node)) this.add({ kind: 'ref', field, form: 'plain' });
      return;
    }
    const node = this.nav.deref(value);
    if (!isMap(node)) return;
    const reference = this.nav.fieldAt(node, 'reference');
    if (reference !== undefined) this.add({ kind: 'ref', field: reference, form: 'plain' });
    else this.imageBlock(node, scope, true);
  }

  /**
   * A map holding an image in fields. `strong` (the map is an image key's value): `repository`, else
   * `image` (ingress-nginx), else `name`, with or without a tag. Otherwise `repository` with a tag or a
   * digest key, or, in values, an image key holding only the repository beside a tag key.
   */
  private imageBlock(map: YAMLMap, scope: Scope, strong: boolean): void {
    const nav = this.nav;
    // ingress-nginx has both `repository` and `image`: the first that is set wins, as in its template.
    const present = ['repository', ...(strong ? ['image', 'name'] : [])].filter(
      (key) => nav.fieldAt(map, key) !== undefined,
    );
    const repositoryKey =
      present.find((key) => isNonEmptyString(nav.fieldAt(map, key)?.node.value)) ?? present[0];
    if (repositoryKey !== undefined) {
      const tag = nav.fieldAt(map, 'tag');
      const digestKey = digestKeys.find((key) => nav.fieldAt(map, key) !== undefined);
      if (strong || tag !== undefined || digestKey !== undefined) {
        this.addSplit(map, scope, strong, repositoryKey, tag, digestKey);
        return;
      }
    }
    if (scope.values) this.imageBesideTag(map, scope);
  }

  /** `image: repo` + `tag`/`imageTag`/`version` (or `<x>Image` + `<x>ImageTag`) in one values map. */
  private imageBesideTag(map: YAMLMap, scope: Scope): void {
    const nav = this.nav;
    for (const pair of map.items) {
      const key = keyOf(pair);
      if (key === undefined || !isImageKey(key)) continue;
      const field = nav.field(pair.value);
      if (field === undefined || typeof field.node.value !== 'string' || hasTagOrDigest(field.node.value)) {
        continue;
      }
      const tagKey = [`${key}Tag`, ...(key === 'image' ? ['tag', 'version'] : [])].find(
        (name) => nav.fieldAt(map, name) !== undefined,
      );
      if (tagKey === undefined) continue;
      const digestKey = [`${key}Digest`, ...(key === 'image' ? digestKeys : [])].find(
        (name) => nav.fieldAt(map, name) !== undefined,
      );
      const registryKey = key === 'image' ? 'registry' : `${key}Registry`;
      this.addSplit(map, scope, true, key, nav.fieldAt(map, tagKey), digestKey, registryKey);
    }
  }

  private addSplit(
    map: YAMLMap,
    scope: Scope,
    strong: boolean,
    repositoryKey: string,
    tag: Field | undefined,
    digestKey: string | undefined,
    registryKey = 'registry',
  ): void {
    const nav = this.nav;
    const repository = nav.fieldAt(map, repositoryKey);
    if (repository === undefined) return;
    const candidate: SplitCandidate = { kind: 'split', style: 'helm', repository, strong };
    const registry = nav.fieldAt(map, registryKey);
    if (registry !== undefined) candidate.registry = registry;
    if (scope.globalRegistry !== undefined) candidate.globalRegistry = scope.globalRegistry;
    if (tag !== undefined) candidate.tag = tag;
    // ingress-nginx: `chroot: true` runs `<registry>/<image>-chroot@<digestChroot>`.
    const chroot = pairAt(map, 'chroot')?.value;
    const chrooted = repositoryKey === 'image' && isScalar(chroot) && chroot.value === true;
    if (chrooted) {
      candidate.repositorySuffix = '-chroot';
      digestKey = nav.fieldAt(map, 'digestChroot') === undefined ? undefined : 'digestChroot';
    }
    const digest = digestKey === undefined ? undefined : nav.fieldAt(map, digestKey);
    if (digest !== undefined && digestKey !== undefined) {
      candidate.digest = digest;
      candidate.digestKey = digestKey;
    }
    this.claimed.add(repository.node);
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

function isNonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** `repo:tag` or `repo@digest` (a `:` after the last `/` is a tag, one before it a port). */
function hasTagOrDigest(text: string): boolean {
  return text.includes('@') || text.lastIndexOf(':') > text.lastIndexOf('/');
}
