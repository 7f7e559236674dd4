import type { TraceLookup } from './trace-records';

const dedupeKeyPattern = /^[0-9a-f]{32}$/;
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/**
 * What `acr-autopilot trace <ref>` names: a dedupe key (32 hex digits, as ingress answers and logs it),
 * a digest (`sha256:…`), `[registry/]repository@digest` or `[registry/]repository:tag`. A registry is
 * recognised the way docker does: a first path part with a dot or a port, or `localhost`. Returns what
 * is wrong with it as a sentence when it is none of these.
 */
export function parseTraceRef(ref: string): TraceLookup | string {
  const text = ref.trim();
  if (dedupeKeyPattern.test(text)) return { kind: 'dedupe-key', dedupeKey: text };
  if (digestPattern.test(text)) return { kind: 'digest', digest: text };
  const at = text.indexOf('@');
  if (at !== -1) {
    const digest = text.slice(at + 1);
    if (!digestPattern.test(digest)) return `"${digest}" is not a digest like sha256:<64 hex digits>`;
    const name = splitRegistry(withoutTag(text.slice(0, at)));
    return name.repository
      ? { kind: 'digest', digest, repository: name.repository, ...registryOf(name) }
      : { kind: 'digest', digest };
  }
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  if (colon > slash && colon < text.length - 1 && colon > 0) {
    const name = splitRegistry(text.slice(0, colon));
    if (name.repository) {
      return { kind: 'tag', repository: name.repository, tag: text.slice(colon + 1), ...registryOf(name) };
    }
  }
  return `"${ref}" names no push: give a repository:tag (payments/api:1.4.2), a digest (sha256:…) or the dedupe key ingress answered with`;
}

/** `payments/api:1.4.2` → `payments/api`; a registry's port is not a tag. */
function withoutTag(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

function splitRegistry(name: string): { registry?: string; repository: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { repository: name };
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { registry: first.toLowerCase(), repository: name.slice(slash + 1) };
  }
  return { repository: name };
}

function registryOf(name: { registry?: string }): { registry?: string } {
  return name.registry ? { registry: name.registry } : {};
}
