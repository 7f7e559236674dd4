/**
 * The referrers tag schema of OCI distribution-spec v1.1 ("Referrers Tag Schema"): registries without
 * the referrers API keep a subject's referrers in an index tagged `<alg>-<ref>`, the algorithm cut to
 * 32 characters and the encoded part to 64, other characters than `[a-zA-Z0-9_.-]` replaced by `-`.
 * `sha256:abcd…` → `sha256-abcd…`.
 */
export function referrersTagFor(digest: string): string {
  const colon = digest.indexOf(':');
  if (colon < 0) return digest;
  const clean = (text: string) => text.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `${clean(digest.slice(0, colon).slice(0, 32))}-${clean(digest.slice(colon + 1).slice(0, 64))}`;
}
