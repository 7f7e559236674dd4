/**
 * Every host name Docker Hub answers to: `docker.io` (the name references use), `index.docker.io` (the
 * v1 index, still written in old manifests) and `registry-1.docker.io` (the v2 API host). All three are
 * one registry, and so is a reference naming none (distribution/reference `normalize.go`).
 */
export const dockerHubHosts: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);

/**
 * `registryAliases: { myreg.azurecr.io: [images.example.com] }` → a function mapping any of those
 * names (any case) to the canonical login server, so a custom domain and the ACR login server are the
 * same registry for rules, dedupe and pinning. Docker Hub's host names all become `docker.io`; other
 * unknown hosts are only lower-cased.
 */
export function canonicalRegistryFor(
  aliases: Readonly<Record<string, readonly string[]>>,
): (host: string) => string {
  const canonical = new Map<string, string>();
  for (const [loginServer, others] of Object.entries(aliases)) {
    const target = loginServer.trim().toLowerCase();
    canonical.set(target, target);
    for (const alias of others) canonical.set(alias.trim().toLowerCase(), target);
  }
  return (host) => {
    const lower = host.trim().toLowerCase();
    return canonical.get(lower) ?? (dockerHubHosts.has(lower) ? 'docker.io' : lower);
  };
}
