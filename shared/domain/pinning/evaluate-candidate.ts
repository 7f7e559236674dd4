import type { Candidate, Field, MarkerCandidate, RefCandidate, SplitCandidate } from './candidate';
import { parseImageReference } from './image-reference';
import { decidePin, type PinDecision, type PinTarget } from './pin-target';
import { insertDigest, replaceField, type ProposedEdit } from './plan-edits';
import { scalarText } from './yaml-source';

/**
 * What to do with a candidate: edits (all or nothing), or a reason to report it as skipped. `at` is the
 * offset reported as the candidate's line (where the value is written, or the alias standing for it).
 */
export type Proposal = { edits: ProposedEdit[]; at: number } | { skip: string; at: number };

/**
 * Decides whether a candidate names the pushed image and, if so, the edits that pin it. `undefined`
 * means "not this image, or nothing to do" and is not reported: a repository with 300 `image:` lines
 * should not produce 300 skip notes.
 */
export function evaluateCandidate(
  candidate: Candidate,
  src: string,
  target: PinTarget,
): Proposal | undefined {
  switch (candidate.kind) {
    case 'ref':
      return evaluateRef(candidate, src, target);
    case 'split':
      return evaluateSplit(candidate, src, target);
    case 'marker':
      return evaluateMarker(candidate, src, target);
  }
}

/** `${VAR}`, `$VAR` (compose, envsubst) and `{{ … }}` (Helm, ApplicationSet) are filled in elsewhere. */
export function hasVariable(text: string): boolean {
  return /\$\{|\$[A-Za-z_]|\{\{/.test(text);
}

function evaluateRef(candidate: RefCandidate, src: string, target: PinTarget): Proposal | undefined {
  const { field } = candidate;
  const read = scalarText(field.node, src);
  if (read === undefined) return undefined;
  const at = where(field);
  if ('problem' in read) return mentions(field, target) ? { skip: read.problem, at } : undefined;
  let text = read.text;
  let prefix = '';
  const equals = candidate.form === 'override' ? text.indexOf('=') : -1;
  if (equals !== -1) {
    prefix = text.slice(0, equals + 1);
    text = text.slice(equals + 1);
  }
  // Only problems with text that names the repository are worth a note.
  const mentioned = text.toLowerCase().includes(target.screen);
  if (hasVariable(text)) return mentioned ? { skip: 'contains variable', at } : undefined;
  if (equals !== -1 && text.includes('*')) {
    return mentioned ? { skip: 'uses a * placeholder; write the reference in full', at } : undefined;
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) return mentioned ? { skip: `not an image reference: ${parsed.reason}`, at } : undefined;
  const reference = parsed.reference;
  if (!target.matches(reference)) return undefined;
  const decision = decidePin(reference, target);
  if (decision === undefined) return untaggedNote(reference, target, at);
  return edits(at, [replaceField(field, prefix + renderReference(reference.name, decision, target), src)]);
}

function evaluateSplit(candidate: SplitCandidate, src: string, target: PinTarget): Proposal | undefined {
  const at = where(candidate.tag ?? candidate.repository);
  const texts = { registry: '', repository: '', tag: '', digest: '' };
  for (const role of ['registry', 'repository', 'tag', 'digest'] as const) {
    const field = candidate[role];
    const read = field === undefined ? undefined : scalarText(field.node, src);
    if (read === undefined) continue;
    if ('problem' in read) {
      return candidate.strong && mentions(candidate.repository, target)
        ? { skip: read.problem, at }
        : undefined;
    }
    texts[role] = read.text;
  }
  if (texts.repository === '') return undefined;
  const mentioned = candidate.strong && texts.repository.toLowerCase().includes(target.screen);
  if (Object.values(texts).some(hasVariable)) {
    return mentioned ? { skip: 'contains variable', at } : undefined;
  }

  const parsed = parseImageReference(
    texts.registry === '' ? texts.repository : `${texts.registry}/${texts.repository}`,
  );
  if (!parsed.ok) return mentioned ? { skip: `not an image reference: ${parsed.reason}`, at } : undefined;
  if (parsed.reference.tag !== undefined || parsed.reference.digest !== undefined) return undefined;
  if (!target.matches(parsed.reference)) return undefined;

  const tagField = candidate.tag;
  if (tagField === undefined || texts.tag === '') return undefined;
  const [tag = '', tagDigest] = texts.tag.split('@', 2);
  const decision = decidePin({ tag, digest: texts.digest || tagDigest }, target);
  if (decision === undefined) return undefined;

  const planned: (ProposedEdit | string)[] = [];
  const withDigest = `${decision.tag}@${decision.digest}`;
  if (candidate.digest !== undefined) {
    planned.push(replaceField(candidate.digest, decision.digest, src));
    if (decision.tag !== tag || (tagDigest !== undefined && tagDigest !== decision.digest)) {
      planned.push(replaceField(tagField, tagDigest === undefined ? decision.tag : withDigest, src));
    }
  } else if (candidate.style === 'helm' || tagDigest !== undefined) {
    // A chart that composes `repository:tag` takes the digest only inside the tag (Renovate, AIU do the same).
    planned.push(replaceField(tagField, withDigest, src));
  } else {
    if (decision.tag !== tag) planned.push(replaceField(tagField, decision.tag, src));
    planned.push(insertDigest(candidate, decision.digest, src));
  }
  return edits(at, planned);
}

function evaluateMarker(candidate: MarkerCandidate, src: string, target: PinTarget): Proposal | undefined {
  const { field, marker } = candidate;
  if (!target.matches(marker.image)) return undefined;
  const at = where(field);
  const read = scalarText(field.node, src);
  if (read !== undefined && 'problem' in read) return { skip: read.problem, at };
  const text = read?.text ?? '';
  if (hasVariable(text)) return { skip: 'contains variable', at };
  const fixedTag = marker.image.tag;

  if (marker.field === 'digest') {
    const decision = decidePin({ tag: undefined, digest: text }, target, fixedTag);
    return decision === undefined ? undefined : edits(at, [replaceField(field, decision.digest, src)]);
  }
  if (text === '') return { skip: 'the marked value is empty', at };
  if (marker.field === 'tag') {
    const [tag, digest] = text.split('@', 2);
    const decision = decidePin({ tag, digest }, target, fixedTag);
    return decision === undefined
      ? undefined
      : edits(at, [replaceField(field, `${decision.tag}@${decision.digest}`, src)]);
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) return { skip: `the marked value is not an image reference: ${parsed.reason}`, at };
  const decision = decidePin(parsed.reference, target, fixedTag);
  if (decision === undefined) return undefined;
  return edits(at, [replaceField(field, renderReference(parsed.reference.name, decision, target), src)]);
}

/** `name:tag@digest`, or `name@digest` when rendering digest-only. */
function renderReference(name: string, decision: PinDecision, target: PinTarget): string {
  return target.render === 'digest-only'
    ? `${name}@${decision.digest}`
    : `${name}:${decision.tag}@${decision.digest}`;
}

/** `image: app` means `app:latest`; guessing it means the pushed `latest` would surprise, so say so. */
function untaggedNote(
  reference: { tag?: string; digest?: string },
  target: PinTarget,
  at: number,
): Proposal | undefined {
  if (reference.tag !== undefined || reference.digest !== undefined || target.tag !== 'latest') {
    return undefined;
  }
  return { skip: 'no tag (implicitly latest); write :latest to have it pinned', at };
}

/** The offset a candidate is reported at: the alias when the value was reached through one. */
function where(field: Field): number {
  return (field.via ?? field.node).range?.[0] ?? 0;
}

function mentions(field: Field, target: PinTarget): boolean {
  return String(field.node.value).toLowerCase().includes(target.screen);
}

function edits(at: number, planned: (ProposedEdit | string)[]): Proposal {
  const problem = planned.find((edit): edit is string => typeof edit === 'string');
  if (problem !== undefined) return { skip: problem, at };
  return { edits: planned.filter((edit): edit is ProposedEdit => typeof edit !== 'string'), at };
}
