import type { Candidate, Field } from './candidate';
import { documentCandidates } from './document-candidates';
import { fullDigest, hasVariable, splitName } from './evaluate-candidate';
import { parseImageReference } from './image-reference';
import { LineIndex, parseYaml, scalarText } from './yaml-source';

/** An image reference found in a GitOps file, with where it is. */
export interface FoundImageReference {
  /** Registry host as written (lower-case), `docker.io` when the reference names none. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** 1-based line of the value. */
  line: number;
}

/**
 * Every image reference in one YAML file, found exactly where the pinning engine would look for one
 * (the same shape rules and marker comments, `findCandidates` + `findMarkers`): whole references,
 * split Helm/kustomize fields and marked values. Values with variables, block scalars and anything
 * that does not parse as a reference are left out. A file that is not valid YAML gives none (the
 * pinning engine would not touch it either).
 *
 * `screen`: when given, a file that contains none of these strings is not parsed (most files of a
 * GitOps repo never name the registries of interest).
 */
export function listImageReferences(
  file: string,
  src: string,
  screen?: readonly string[],
): FoundImageReference[] {
  if (screen) {
    const lower = src.toLowerCase();
    if (!screen.some((text) => lower.includes(text))) return [];
  }
  const parsed = parseYaml(src);
  if (!parsed.ok) return [];
  let lines: LineIndex | undefined;
  const lineOf = (field: Field) =>
    (lines ??= new LineIndex(src)).lineOf((field.via ?? field.node).range?.[0] ?? 0);
  const found: FoundImageReference[] = [];
  for (const { candidates } of documentCandidates(parsed.docs, src, file).documents) {
    for (const candidate of candidates) {
      const reference = readCandidate(candidate, src);
      if (!reference) continue;
      const at = candidate.kind === 'split' ? (candidate.tag ?? candidate.repository) : candidate.field;
      found.push({ ...reference, line: lineOf(at) });
    }
  }
  return found;
}

type Reference = Omit<FoundImageReference, 'line'>;

function readCandidate(candidate: Candidate, src: string): Reference | undefined {
  const text = (field: Field | undefined): string | undefined => {
    if (!field) return undefined;
    const read = scalarText(field.node, src);
    return read === undefined || 'problem' in read || hasVariable(read.text) ? undefined : read.text;
  };
  switch (candidate.kind) {
    case 'ref': {
      let value = text(candidate.field);
      if (value === undefined) return undefined;
      if (candidate.form === 'override') value = value.slice(value.indexOf('=') + 1);
      return parse(value);
    }
    case 'split': {
      const repository = text(candidate.repository);
      if (repository === undefined) return undefined;
      const name = splitName(
        repository,
        text(candidate.registry) ?? '',
        text(candidate.globalRegistry?.field) ?? '',
        candidate.repositorySuffix,
      );
      const parsed = parseImageReference(name);
      if (!parsed.ok || parsed.reference.tag !== undefined || parsed.reference.digest !== undefined)
        return undefined;
      const base = parsed.reference;
      const [tag, tagDigest] = (text(candidate.tag) ?? '').split('@', 2);
      const fieldDigest = text(candidate.digest);
      const digest = fieldDigest === undefined ? tagDigest : fullDigest(fieldDigest);
      return withParts(base, tag || undefined, digest || undefined);
    }
    case 'marker': {
      const { image, field } = candidate.marker;
      const base = { registry: image.registry, repository: image.repository };
      const value = text(candidate.field);
      if (field === 'digest') return withParts(base, image.tag, value);
      if (field === 'tag') {
        const [tag, digest] = (value ?? '').split('@', 2);
        return withParts(base, image.tag ?? (tag || undefined), digest || undefined);
      }
      const parsed = value === undefined ? undefined : parse(value);
      return parsed ? withParts(base, image.tag ?? parsed.tag, parsed.digest) : withParts(base, image.tag);
    }
  }
}

function parse(text: string): Reference | undefined {
  const parsed = parseImageReference(text);
  if (!parsed.ok) return undefined;
  const { registry, repository, tag, digest } = parsed.reference;
  return withParts({ registry, repository }, tag, digest);
}

function withParts(base: { registry: string; repository: string }, tag?: string, digest?: string): Reference {
  // `image: app` runs `app:latest`.
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    registry: base.registry.toLowerCase(),
    repository: base.repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}
