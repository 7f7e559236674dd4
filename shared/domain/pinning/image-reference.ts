import { maxNameLength, pathComponent, tagPattern } from '../events/image-identity';
import { canonicalRegistryFor, dockerHubHosts } from '../events/registry-aliases';

/**
 * Image references after the distribution reference grammar (distribution/reference `reference.go`,
 * `normalize.go`, see shared/reference/gitops.md §4). Hand-written because the npm port rejects IPv6 hosts
 * and reads a bare `sha256:…` digest as the image `library/sha256`.
 */

/** A parsed image reference, normalized the way Docker resolves it. */
export interface ImageReference {
  /** Registry host, lower-case, `host:port` kept; `docker.io` when the reference names none. */
  registry: string;
  /** Path inside the registry; `library/` is added only on docker.io (`nginx` → `library/nginx`). */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, as written. */
  digest?: string;
  /** The name exactly as written (`nginx`, `MyReg.azurecr.io/app`), so a rewrite keeps the user's spelling. */
  name: string;
}

/** A parsed reference, or a sentence saying why the text is not one. */
export type ParseImageReferenceResult =
  { ok: true; reference: ImageReference } | { ok: false; reason: string };

const domainName =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const ipv6 = /^\[[a-fA-F0-9:]+\]$/;
const port = /^[0-9]+$/;
const digestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const bareDigest = /^(?:sha256:[0-9a-fA-F]{64}|sha384:[0-9a-fA-F]{96}|sha512:[0-9a-fA-F]{128})$/;

/**
 * Parses `[registry/]repository[:tag][@digest]`. Never throws: a reference that does not follow the
 * grammar comes back as `{ ok: false, reason }` with a sentence saying what is wrong.
 *
 * @example parseImageReference('nginx:1.27') // → docker.io, library/nginx, tag 1.27
 */
export function parseImageReference(text: string): ParseImageReferenceResult {
  if (text === '') return fail('empty image reference');
  if (/\s/.test(text)) return fail('image reference contains whitespace');
  if (bareDigest.test(text)) return fail('a bare digest is not an image reference (no repository)');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) return fail(`invalid digest "${digest}"`);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) return fail(`invalid tag "${tag}"`);
  }

  const name = rest;
  const split = splitDomain(name);
  if (typeof split === 'string') return fail(split);
  const { registry } = split;
  let { path } = split;
  if (path === '') return fail('image reference has no repository');
  if (/^[a-f0-9]{64}$/.test(path)) return fail('a 64-character hex string is an image id, not a repository');
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const problem = pathProblem(path);
  if (problem !== undefined) return fail(problem);

  const reference: ImageReference = { registry, repository: path, name };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return { ok: true, reference };
}

/** True when a string is a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}

/** True when a string is a valid digest (`algorithm:hex`, at least 32 hex characters). */
export function isValidDigest(digest: string): boolean {
  return digestPattern.test(digest);
}

/**
 * A function resolving a registry host to its canonical login server: lower-case, `index.docker.io` and
 * `registry-1.docker.io` → `docker.io`, and any alias listed in `aliases` (canonical → other names) to its canonical name — the
 * same alias rules ingress and rule matching use (`canonicalRegistryFor`).
 */
export function registryResolver(
  aliases: Readonly<Record<string, readonly string[]>> = {},
): (host: string) => string {
  const resolve = canonicalRegistryFor(aliases);
  return (host) => normalizeHost(resolve(host));
}

/** `registryResolver(aliases)(host)`, for a single lookup. */
export function canonicalRegistry(
  host: string,
  aliases: Readonly<Record<string, readonly string[]>> = {},
): string {
  return registryResolver(aliases)(host);
}

/**
 * Whether two references name the same repository: hosts compared case-insensitively (DNS) after alias
 * resolution, repository paths compared exactly.
 */
export function sameRepository(
  a: Pick<ImageReference, 'registry' | 'repository'>,
  b: Pick<ImageReference, 'registry' | 'repository'>,
  aliases: Readonly<Record<string, readonly string[]>> = {},
): boolean {
  if (a.repository !== b.repository) return false;
  const resolve = registryResolver(aliases);
  return resolve(a.registry) === resolve(b.registry);
}

/** Lower-case; every Docker Hub host name (`index.docker.io`, `registry-1.docker.io`) is `docker.io`. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return dockerHubHosts.has(lower) ? 'docker.io' : lower;
}

/** distribution/reference `splitDockerDomain`, plus the domain grammar check `Parse` does. */
function splitDomain(name: string): { registry: string; path: string } | string {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain =
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (!isDomain) return { registry: 'docker.io', path: name };

  const portColon = first.startsWith('[') ? first.indexOf(':', first.indexOf(']')) : first.indexOf(':');
  const host = portColon === -1 ? first : first.slice(0, portColon);
  const hostPort = portColon === -1 ? undefined : first.slice(portColon + 1);
  if (!domainName.test(host) && !ipv6.test(host)) return `invalid registry host "${host}"`;
  if (hostPort !== undefined && !port.test(hostPort)) return `invalid registry port "${hostPort}"`;
  return { registry: normalizeHost(first), path: name.slice(slash + 1) };
}

function pathProblem(path: string): string | undefined {
  if (path.length > maxNameLength) {
    return `repository name must not be more than ${maxNameLength} characters`;
  }
  const components = path.split('/');
  if (components.every((component) => pathComponent.test(component))) return undefined;
  if (components.every((component) => pathComponent.test(component.toLowerCase()))) {
    return 'repository name must be lowercase';
  }
  return `invalid repository name "${path}"`;
}

function fail(reason: string): ParseImageReferenceResult {
  return { ok: false, reason };
}
