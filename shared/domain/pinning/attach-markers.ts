import { isAlias, isScalar, visit, type Alias, type Document, type Scalar } from 'yaml';
import type { AnchorIndex } from './anchor-index';
import type { MarkerCandidate } from './candidate';
import type { FoundMarker } from './markers';

/** Marker candidates of one file, per document, plus markers that could not be used. */
export interface AttachedMarkers {
  candidates: Map<Document.Parsed, MarkerCandidate[]>;
  problems: { offset: number; reason: string }[];
}

/**
 * Ties each marker comment to the value it marks: the value that ends last on the comment's line,
 * before the comment. Keys never count (`image: # marker` above a map marks nothing).
 */
export function attachMarkers(
  docs: readonly Document.Parsed[],
  markers: readonly FoundMarker[],
  src: string,
  anchors: ReadonlyMap<Document.Parsed, AnchorIndex>,
): AttachedMarkers {
  const result: AttachedMarkers = { candidates: new Map(), problems: [] };
  if (markers.length === 0) return result;
  const values: { node: Scalar | Alias; doc: Document.Parsed; end: number }[] = [];
  for (const doc of docs) {
    const add = (key: unknown, node: Scalar | Alias): void => {
      if (key !== 'key' && node.range) values.push({ node, doc, end: node.range[1] });
    };
    visit(doc, { Scalar: add, Alias: add });
  }

  for (const found of markers) {
    if ('problem' in found) {
      result.problems.push({ offset: found.offset, reason: found.problem });
      continue;
    }
    let best: (typeof values)[number] | undefined;
    for (const value of values) {
      if (value.end > found.offset || (best !== undefined && value.end <= best.end)) continue;
      if (!src.slice(value.end, found.offset).includes('\n')) best = value;
    }
    if (best === undefined) {
      result.problems.push({ offset: found.offset, reason: 'marker is not on the line of a value' });
      continue;
    }
    let candidate: MarkerCandidate | undefined;
    if (isScalar(best.node)) {
      candidate = { kind: 'marker', field: { node: best.node }, marker: found.marker };
    } else if (isAlias(best.node)) {
      const target = anchors.get(best.doc)?.resolve(best.node);
      if (isScalar(target)) {
        candidate = { kind: 'marker', field: { node: target, via: best.node }, marker: found.marker };
      }
    }
    if (candidate === undefined) {
      result.problems.push({ offset: found.offset, reason: 'marker on an alias of a collection' });
      continue;
    }
    const list = result.candidates.get(best.doc) ?? [];
    list.push(candidate);
    result.candidates.set(best.doc, list);
  }
  return result;
}
