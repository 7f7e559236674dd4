import type { Alias, Pair, Scalar, YAMLMap } from 'yaml';
import type { Marker } from './markers';

/** A scalar that may have to change, and the alias it was reached through (edits land on the anchor). */
export interface Field {
  node: Scalar;
  via?: Alias;
}

/**
 * One place in a document that may refer to an image. Finding candidates knows YAML shapes only;
 * `evaluateCandidate` decides whether they name the pushed image and what to write.
 */
export type Candidate = RefCandidate | SplitCandidate | MarkerCandidate;

/** One string holding a whole reference: `image: repo:tag`, `volumes[].image.reference`, compose. */
export interface RefCandidate {
  kind: 'ref';
  field: Field;
  /** `override`: Argo CD `kustomize.images` entry, `name=newName:tag@digest` or `name:tag`. */
  form: 'plain' | 'override';
}

/**
 * A reference split over fields: Helm values (`registry` + `repository`/`image`/`name` + `tag` [+ `digest`
 * or `sha`], or `image: repo` beside `tag`/`imageTag`/`version`), Argo CD Helm parameters, kustomize
 * `images[]` (`newName ?? name` + `newTag` [+ `digest`]).
 */
export interface SplitCandidate {
  kind: 'split';
  style: 'helm' | 'kustomize';
  registry?: Field;
  /**
   * The values' `global.imageRegistry` (or `global.image.registry`): when not empty it replaces the
   * block's own registry, as Bitnami's `common.images.image`, Grafana and kube-prometheus-stack do.
   */
  globalRegistry?: { field: Field; name: string };
  repository: Field;
  /** Appended to the repository when rendered: ingress-nginx's `chroot: true` runs `<image>-chroot`. */
  repositorySuffix?: string;
  tag?: Field;
  /** The digest field; absent means no such key (Helm: the digest goes into the tag; kustomize: added). */
  digest?: Field;
  /** The digest field's key: `sha` holds bare hex (the chart prepends `@sha256:`), the others `sha256:…`. */
  digestKey?: string;
  /** Other fields of the entry that name the image without holding it (kustomize `name` beside `newName`). */
  also?: Field[];
  /** kustomize only: the entry and the pair after which a missing `digest:` key is added. */
  insertAfter?: { map: YAMLMap; pair: Pair };
  /** Found under an image key (not just by field names). */
  strong: boolean;
}

/** A value carrying a marker comment (see `markerKeyword`). */
export interface MarkerCandidate {
  kind: 'marker';
  field: Field;
  marker: Marker;
}

/** Every scalar a candidate reads; a marked scalar takes precedence over shape rules. */
export function candidateFields(candidate: Candidate): Field[] {
  if (candidate.kind !== 'split') return [candidate.field];
  return [candidate.registry, candidate.repository, candidate.tag, candidate.digest].filter(
    (field): field is Field => field !== undefined,
  );
}
