import semver from 'semver';
import { InvalidEventError } from '../errors';
import { compileTagMatcher, type TagPredicate } from '../rules/tag-matcher';
import { isValidDigest, isValidTag, parseImageReference, registryResolver } from './image-reference';
import { defaultRewriteOptions, type PushedImage, type RewriteOptions } from './rewrite-types';

/** The pushed image and the options, checked and pre-computed once per call. */
export interface PinTarget {
  /** Canonical login server. Empty when the event named none: then nothing matches. */
  registry: string;
  repository: string;
  tag: string | undefined;
  digest: string;
  mode: RewriteOptions['mode'];
  render: RewriteOptions['render'];
  matcher: TagPredicate | undefined;
  /** Text every file that can refer to the image contains (the repository path as people write it). */
  screen: string;
  /** Same repository as the pushed image (host case-insensitive, aliases resolved, path exact)? */
  matches(reference: { registry: string; repository: string }): boolean;
  /** Same repository path on any registry (`payments/api` on Docker Hub for `myreg.azurecr.io/payments/api`)? */
  samePath(reference: { registry: string; repository: string }): boolean;
}

/** What a reference should become: the tag it keeps (or moves to) and the pushed digest. */
export interface PinDecision {
  tag: string;
  digest: string;
}

/**
 * Checks the pushed image and compiles the options. Throws `InvalidEventError` for a digest, tag or
 * repository that could never be written into a reference: retrying cannot fix it.
 */
export function createPinTarget(image: PushedImage, options: Partial<RewriteOptions> = {}): PinTarget {
  if (!isValidDigest(image.digest)) {
    throw new InvalidEventError(`pushed digest "${image.digest}" is not algorithm:hex`, [
      { path: 'digest', message: 'expected a digest such as sha256:<64 hex>' },
    ]);
  }
  if (image.tag !== undefined && !isValidTag(image.tag)) {
    throw new InvalidEventError(`pushed tag "${image.tag}" is not a valid tag`, [
      { path: 'tag', message: 'expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}' },
    ]);
  }
  const canonical = registryResolver(options.registryAliases);
  const registry = image.registry === '' ? '' : canonical(image.registry);
  // Parse registry/repository together so docker.io pushes get the same `library/` rule as references.
  const parsed = parseImageReference(registry === '' ? image.repository : `${registry}/${image.repository}`);
  if (!parsed.ok) {
    throw new InvalidEventError(`pushed repository "${image.repository}" is not valid: ${parsed.reason}`, [
      { path: 'repository', message: parsed.reason },
    ]);
  }
  const repository = parsed.reference.repository;
  const screen = familiarPath(registry, repository);
  return {
    registry,
    repository,
    tag: image.tag,
    digest: image.digest,
    mode: options.mode ?? defaultRewriteOptions.mode,
    render: options.render ?? defaultRewriteOptions.render,
    matcher: options.tagPattern === undefined ? undefined : compileTagMatcher(options.tagPattern),
    screen,
    matches: (reference) =>
      registry !== '' && reference.repository === repository && canonical(reference.registry) === registry,
    samePath: (reference) =>
      reference.repository === repository ||
      familiarPath(canonical(reference.registry), reference.repository) === screen,
  };
}

/** The path as people write it: Docker Hub's `library/alpine` is `alpine`. */
function familiarPath(registry: string, repository: string): string {
  return registry === 'docker.io' ? repository.replace(/^library\//, '') : repository;
}

/**
 * Decides what a reference that names the pushed repository should become, or `undefined` to leave it.
 * `pin`: a reference carrying the pushed tag gets the pushed digest. `follow`: also a reference whose tag
 * is an older semver of the same style, when the pushed tag satisfies the rule's tag pattern. A `fixedTag`
 * (from a marker) replaces the reference's own tag and is never moved.
 */
export function decidePin(
  current: { tag?: string | undefined; digest?: string | undefined },
  target: PinTarget,
  fixedTag?: string,
): PinDecision | undefined {
  const pushed = target.tag;
  if (pushed === undefined) return undefined;
  const tag = fixedTag ?? current.tag;
  if (tag === undefined) return undefined;
  if (tag === pushed) return current.digest === target.digest ? undefined : { tag, digest: target.digest };
  if (fixedTag === undefined && target.mode === 'follow' && isNewerToFollow(tag, pushed, target.matcher)) {
    return { tag: pushed, digest: target.digest };
  }
  return undefined;
}

/**
 * Whether `follow` moves `current` to `pushed`: both semver (a leading v tolerated, but both or neither
 * carry it, so `v2` and `2` streams never mix), pushed newer, and allowed by the pattern. Without a
 * pattern a pre-release is followed only from a pre-release.
 */
export function isNewerToFollow(current: string, pushed: string, matcher: TagPredicate | undefined): boolean {
  if (hasV(current) !== hasV(pushed)) return false;
  const from = semver.parse(stripV(current));
  const to = semver.parse(stripV(pushed));
  if (from === null || to === null || !semver.gt(to, from)) return false;
  if (matcher !== undefined) return matcher(pushed);
  return to.prerelease.length === 0 || from.prerelease.length > 0;
}

function hasV(tag: string): boolean {
  return tag.startsWith('v') || tag.startsWith('V');
}

function stripV(tag: string): string {
  return hasV(tag) ? tag.slice(1) : tag;
}
