/**
 * The distribution grammar for the parts that identify an image (distribution/reference `regexp.go`,
 * OCI image-spec `descriptor.md#digests`; shared/reference/gitops.md §4), checked at the edge so a bad
 * event is refused with a 400 instead of failing later in every action.
 */

/** `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`, one path component of a repository name. */
export const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const tagPattern = /^\w[\w.-]{0,127}$/;
/** OCI digest grammar: `algorithm ":" encoded`. */
const digestGrammar = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Registered algorithms and their exact encodings. */
const registeredAlgorithms: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
const hostLabel = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const registryPattern = new RegExp(
  `^(?:${hostLabel}(?:\\.${hostLabel})*|\\[[a-fA-F0-9:.]+\\])(?::[0-9]{1,5})?$`,
);
/** distribution/reference `RepositoryNameTotalLengthMax`: registry, `/` and path together. */
export const maxNameLength = 255;

/** Why `digest` is not a digest, or undefined when it is one. */
export function digestProblem(digest: string): string | undefined {
  if (!digestGrammar.test(digest)) {
    return `"${clip(digest)}" is not a digest (expected algorithm:encoded, e.g. sha256: and 64 lowercase hex characters)`;
  }
  const [algorithm = '', encoded = ''] = digest.split(':', 2);
  const exact = registeredAlgorithms[algorithm];
  if (exact && !exact.test(encoded)) {
    const length = algorithm === 'sha256' ? 64 : 128;
    return `${algorithm} digests have ${length} lowercase hex characters; got ${encoded.length} in "${clip(digest)}"`;
  }
  return undefined;
}

/** Why `tag` is not a tag (`[\w][\w.-]{0,127}`), or undefined. */
export function tagProblem(tag: string): string | undefined {
  if (tagPattern.test(tag)) return undefined;
  return tag.length > 128
    ? `a tag has at most 128 characters; got ${tag.length}`
    : `"${clip(tag)}" is not a tag (letters, digits and _ . -, not starting with . or -)`;
}

/** Why `repository` (without the registry) is not a repository path, or undefined. */
export function repositoryProblem(repository: string, registry = ''): string | undefined {
  const total = registry ? registry.length + 1 + repository.length : repository.length;
  if (total > maxNameLength) {
    return `the image name is ${total} characters with its registry; at most ${maxNameLength} are allowed`;
  }
  const components = repository.split('/');
  if (components.every((component) => pathComponent.test(component))) return undefined;
  if (components.every((component) => pathComponent.test(component.toLowerCase()))) {
    return `"${clip(repository)}" must be lowercase`;
  }
  return (
    `"${clip(repository)}" is not a repository name (lowercase letters and digits, separated by ., _, __ or -, ` +
    'in /-separated parts)'
  );
}

/** Why `registry` is not a host name or IP with an optional port, or undefined. */
export function registryProblem(registry: string): string | undefined {
  return registryPattern.test(registry) && registry.length <= 253
    ? undefined
    : `"${clip(registry)}" is not a registry host (a host name or IP, optionally with :port)`;
}

/** Values are quoted in messages; a 40,000-character one is cut so the message stays readable. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
