import type { Document } from 'yaml';
import { AnchorIndex } from './anchor-index';
import { attachMarkers, type AttachedMarkers } from './attach-markers';
import { candidateFields, type Candidate, type Field } from './candidate';
import { findCandidates } from './find-candidates';
import { findMarkers } from './markers';

export interface DocumentCandidates {
  doc: Document.Parsed;
  anchors: AnchorIndex;
  /** Marked values first, then the shape rules' finds for every other occurrence. */
  candidates: Candidate[];
}

/**
 * Where the pinning engine looks for image references in one parsed file, per YAML document: the
 * values marker comments name, and what the shape rules find (`findCandidates`). A marker wins over a
 * shape rule for the same occurrence of a value (the value itself, or one alias of it). Shared by the
 * rewrite and by the retention's reference finder, so both see exactly the same references.
 */
export function documentCandidates(
  docs: readonly Document.Parsed[],
  src: string,
  file: string,
): { documents: DocumentCandidates[]; markerProblems: AttachedMarkers['problems'] } {
  const anchorsOf = new Map<Document.Parsed, AnchorIndex>(docs.map((doc) => [doc, new AnchorIndex(doc)]));
  const markers = attachMarkers(docs, findMarkers(src), src, anchorsOf);
  const documents = [...anchorsOf].map(([doc, anchors]) => {
    const marked = markers.candidates.get(doc) ?? [];
    const occurrence = (field: Field): unknown => field.via ?? field.node;
    const markedAt = new Set(marked.map((candidate) => occurrence(candidate.field)));
    const candidates: Candidate[] = [
      ...marked,
      ...findCandidates(doc, file, anchors).filter(
        (candidate) => !candidateFields(candidate).some((field) => markedAt.has(occurrence(field))),
      ),
    ];
    return { doc, anchors, candidates };
  });
  return { documents, markerProblems: markers.problems };
}
