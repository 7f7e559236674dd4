import type { Candidate, Field, MarkerCandidate, RefCandidate, SplitCandidate } from './candidate';
import { parseImageReference } from './image-reference';
import { namesPath } from './mentions';
import { decidePin, type PinDecision, type PinTarget } from './pin-target';
import { insertDigest, replaceField, type ProposedEdit } from './plan-edits';
import type { SkipKind } from './rewrite-types';
import { scalarText } from './yaml-source';

/**
 * What to do with a candidate: edits (all or nothing), or a reason to report it as skipped. `at` is the
 * offset reported as the candidate's line when none of its lines mentions the repository (the value
 * that names the image, or the alias standing for it); `covers` are the source ranges of every field it
 * read, so a mention on any of their lines is accounted for by this candidate.
 */
export type Proposal =
  | { edits: ProposedEdit[]; at: number; covers: [number, number][] }
  | { skip: string; kind: SkipKind; at: number; covers: [number, number][] };

/**
 * Decides whether a candidate names the pushed image and, if so, the edits that pin it or why it is
 * left alone (other tag, already pinned, other registry, a variable…). `undefined` means "another
 * image" and is not reported: a repository with 300 `image:` lines should not produce 300 skip notes.
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

type Skip = (reason: string, kind: SkipKind) => Proposal;

function evaluateRef(candidate: RefCandidate, src: string, target: PinTarget): Proposal | undefined {
  const { field } = candidate;
  const read = scalarText(field.node, src);
  if (read === undefined) return undefined;
  const at = where(field);
  const covers = rangesOf([field]);
  const skip: Skip = (reason, kind) => ({ skip: reason, kind, at, covers });
  if ('problem' in read) return names(field, target) ? skip(read.problem, 'multi-line') : undefined;
  let text = read.text;
  let prefix = '';
  const equals = candidate.form === 'override' ? text.indexOf('=') : -1;
  if (equals !== -1) {
    prefix = text.slice(0, equals + 1);
    text = text.slice(equals + 1);
  }
  // Only problems with text that names the repository are worth a note.
  const mentioned = namesPath(text, target);
  if (hasVariable(text)) return mentioned ? skip('contains variable', 'templated') : undefined;
  if (equals !== -1 && text.includes('*')) {
    return mentioned ? skip('uses a * placeholder; write the reference in full', 'cannot-edit') : undefined;
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) {
    return mentioned ? skip(`not an image reference: ${parsed.reason}`, 'not-a-reference') : undefined;
  }
  const reference = parsed.reference;
  if (!target.matches(reference)) {
    return target.samePath(reference)
      ? skip(otherRegistry(reference.registry, target), 'other-registry')
      : undefined;
  }
  const current = {
    tag: reference.tag ?? impliedTag(reference),
    digest: reference.digest,
    implied: reference.tag === undefined,
  };
  const decision = decidePin(current, target);
  if (decision === undefined) return notPinned(current, target, skip);
  return edits(at, covers, [
    replaceField(field, prefix + renderReference(reference.name, decision, target), src),
  ]);
}

function evaluateSplit(candidate: SplitCandidate, src: string, target: PinTarget): Proposal | undefined {
  const at = where(candidate.repository);
  const covers = rangesOf([
    candidate.registry,
    candidate.repository,
    candidate.tag,
    candidate.digest,
    ...(candidate.also ?? []),
  ]);
  const skip: Skip = (reason, kind) => ({ skip: reason, kind, at, covers });
  const texts = { registry: '', repository: '', tag: '', digest: '' };
  for (const role of ['registry', 'repository', 'tag', 'digest'] as const) {
    const field = candidate[role];
    const read = field === undefined ? undefined : scalarText(field.node, src);
    if (read === undefined) continue;
    if ('problem' in read) {
      return names(candidate.repository, target) ? skip(read.problem, 'multi-line') : undefined;
    }
    texts[role] = read.text;
  }
  if (texts.repository === '') return undefined;
  const global = candidate.globalRegistry;
  const globalRead = global === undefined ? undefined : scalarText(global.field.node, src);
  const globalText = globalRead === undefined || 'problem' in globalRead ? '' : globalRead.text;
  const mentioned = namesPath(texts.repository, target);
  if ([...Object.values(texts), globalText].some(hasVariable)) {
    return mentioned ? skip('contains variable', 'templated') : undefined;
  }

  const qualified = startsWithHost(texts.repository);
  const parsed = parseImageReference(
    splitName(texts.repository, texts.registry, globalText, candidate.repositorySuffix),
  );
  if (!parsed.ok) {
    return mentioned ? skip(`not an image reference: ${parsed.reason}`, 'not-a-reference') : undefined;
  }
  if (parsed.reference.tag !== undefined || parsed.reference.digest !== undefined) {
    return mentioned
      ? skip('the repository field also holds a tag or digest; the chart adds its own tag', 'cannot-edit')
      : undefined;
  }
  if (!target.matches(parsed.reference)) {
    if (!target.samePath(parsed.reference)) {
      // ingress-nginx `chroot: true` names the image but runs `<image>-chroot`.
      return mentioned && candidate.repositorySuffix !== undefined
        ? skip(`runs ${parsed.reference.repository} (chroot: true), another repository`, 'other-repository')
        : undefined;
    }
    const from = !qualified && globalText !== '' && global !== undefined ? ` from ${global.name}` : '';
    return skip(otherRegistry(parsed.reference.registry, target, from), 'other-registry');
  }

  const currentDigest = fullDigest(texts.digest);
  const tagField = candidate.tag;
  if (tagField === undefined || texts.tag === '') {
    if (currentDigest === target.digest) return skip(`already pinned to ${target.digest}`, 'already-pinned');
    return skip(
      candidate.style === 'kustomize'
        ? 'no newTag: the manifest keeps its own tag; set newTag to have it pinned'
        : `no tag: the chart renders its own default (usually its appVersion); set the tag to ${target.tag ?? 'the pushed tag'} to have it pinned`,
      'no-tag',
    );
  }
  const [tag = '', tagDigest] = texts.tag.split('@', 2);
  const current = { tag, digest: currentDigest || tagDigest };
  const decision = decidePin(current, target);
  if (decision === undefined) return notPinned(current, target, skip);

  const planned: (ProposedEdit | string)[] = [];
  if (candidate.digest !== undefined) {
    // The digest goes into the digest field, in the form it has; the tag keeps no digest of its own,
    // or the chart would render two.
    planned.push(digestEdit(candidate.digest, candidate.digestKey, texts.digest, decision.digest, src));
    if (decision.tag !== tag || tagDigest !== undefined)
      planned.push(replaceField(tagField, decision.tag, src));
  } else if (candidate.style === 'helm' || tagDigest !== undefined) {
    // A chart that composes `repository:tag` takes the digest only inside the tag (Renovate, AIU do the same).
    planned.push(replaceField(tagField, `${decision.tag}@${decision.digest}`, src));
  } else {
    if (decision.tag !== tag) planned.push(replaceField(tagField, decision.tag, src));
    planned.push(insertDigest(candidate, decision.digest, src));
  }
  return edits(at, covers, planned);
}

function evaluateMarker(candidate: MarkerCandidate, src: string, target: PinTarget): Proposal | undefined {
  const { field, marker } = candidate;
  if (!target.matches(marker.image)) return undefined;
  const at = where(field);
  const covers = rangesOf([field]);
  const skip: Skip = (reason, kind) => ({ skip: reason, kind, at, covers });
  const read = scalarText(field.node, src);
  if (read !== undefined && 'problem' in read) return skip(read.problem, 'multi-line');
  const text = read?.text ?? '';
  if (hasVariable(text)) return skip('contains variable', 'templated');
  const fixedTag = marker.image.tag;

  if (marker.field === 'digest') {
    const current = { tag: fixedTag, digest: text };
    const decision = decidePin({ tag: undefined, digest: text }, target, fixedTag);
    return decision === undefined
      ? notPinned(current, target, skip)
      : edits(at, covers, [replaceField(field, decision.digest, src)]);
  }
  if (text === '') return skip('the marked value is empty', 'cannot-edit');
  if (marker.field === 'tag') {
    const [tag, digest] = text.split('@', 2);
    const decision = decidePin({ tag, digest }, target, fixedTag);
    return decision === undefined
      ? notPinned({ tag: fixedTag ?? tag, digest }, target, skip)
      : edits(at, covers, [replaceField(field, `${decision.tag}@${decision.digest}`, src)]);
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) {
    return skip(`the marked value is not an image reference: ${parsed.reason}`, 'not-a-reference');
  }
  const reference = parsed.reference;
  const current = {
    tag: fixedTag ?? reference.tag ?? impliedTag(reference),
    digest: reference.digest,
    implied: fixedTag === undefined && reference.tag === undefined,
  };
  const decision = decidePin(current, target, fixedTag);
  if (decision === undefined) return notPinned(current, target, skip);
  return edits(at, covers, [replaceField(field, renderReference(reference.name, decision, target), src)]);
}

/** `image: alpine` runs `alpine:latest` (distribution reference rules); `alpine@sha256:…` has no tag at all. */
function impliedTag(reference: { tag?: string; digest?: string }): string | undefined {
  return reference.tag === undefined && reference.digest === undefined ? 'latest' : undefined;
}

/** `name:tag@digest`, or `name@digest` when rendering digest-only. */
function renderReference(name: string, decision: PinDecision, target: PinTarget): string {
  return target.render === 'digest-only'
    ? `${name}@${decision.digest}`
    : `${name}:${decision.tag}@${decision.digest}`;
}

/** Why a reference to the pushed repository keeps its value. */
function notPinned(
  current: { tag?: string | undefined; digest?: string | undefined; implied?: boolean },
  target: PinTarget,
  skip: Skip,
): Proposal {
  const pushed = target.tag ?? '';
  if (current.tag === undefined) {
    return skip(
      `digest without a tag: nothing says it is ${pushed}; write the tag too (…:${pushed}@sha256:…) to have it pinned`,
      'no-tag',
    );
  }
  if (current.tag === pushed) return skip(`already pinned to ${target.digest}`, 'already-pinned');
  if (current.implied === true) return skip(`no tag, so it runs latest (pushed ${pushed})`, 'other-tag');
  const follow =
    target.mode === 'follow' ? '; follow moves only older semver tags of the same form the rule allows' : '';
  return skip(`other tag ${current.tag} (pushed ${pushed})${follow}`, 'other-tag');
}

function otherRegistry(registry: string, target: PinTarget, from = ''): string {
  return `other registry ${registry}${from} (pushed to ${target.registry})`;
}

/** Writes the digest into a digest field in the form it already has: `sha256:…`, or bare hex for `sha`. */
function digestEdit(
  field: Field,
  key: string | undefined,
  existing: string,
  digest: string,
  src: string,
): ProposedEdit | string {
  const bare = existing === '' ? key === 'sha' : /^[0-9a-fA-F]{32,}$/.test(existing);
  if (!bare) return replaceField(field, digest, src);
  if (!digest.startsWith('sha256:')) {
    return `\`${key ?? 'digest'}\` holds a bare sha256 hex; the pushed digest ${digest} is no sha256 digest`;
  }
  return replaceField(field, digest.slice('sha256:'.length), src);
}

/**
 * The image name a split reference renders: a repository that starts with a host is complete;
 * otherwise a non-empty global registry wins over the block's own (Bitnami `common.images.image`).
 */
export function splitName(repository: string, registry: string, globalRegistry: string, suffix = ''): string {
  const host = startsWithHost(repository) ? '' : globalRegistry || registry;
  return `${host === '' ? '' : `${host}/`}${repository}${suffix}`;
}

/** A digest field's value as a digest: bare hex (a `sha` field) is sha256. */
export function fullDigest(text: string): string {
  return /^[0-9a-fA-F]{64}$/.test(text) ? `sha256:${text}` : text;
}

/** `registry.k8s.io/ingress-nginx/controller`: the first component is a host (has `.` or `:`, or is localhost). */
function startsWithHost(repository: string): boolean {
  const slash = repository.indexOf('/');
  if (slash === -1) return false;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** The offset a candidate is reported at: the alias when the value was reached through one. */
function where(field: Field): number {
  return (field.via ?? field.node).range?.[0] ?? 0;
}

/** The source ranges of every field (and of the alias it was reached through). */
function rangesOf(fields: readonly (Field | undefined)[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const field of fields) {
    if (field === undefined) continue;
    for (const node of [field.node, field.via]) {
      const [start = 0, end = start] = node?.range ?? [];
      if (node !== undefined) ranges.push([start, Math.max(start, end)]);
    }
  }
  return ranges;
}

function names(field: Field, target: PinTarget): boolean {
  return namesPath(String(field.node.value), target);
}

function edits(at: number, covers: [number, number][], planned: (ProposedEdit | string)[]): Proposal {
  const problem = planned.find((edit): edit is string => typeof edit === 'string');
  if (problem !== undefined) return { skip: problem, kind: 'cannot-edit', at, covers };
  return { edits: planned.filter((edit): edit is ProposedEdit => typeof edit !== 'string'), at, covers };
}
