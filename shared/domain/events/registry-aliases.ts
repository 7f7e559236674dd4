/**
 * `registryAliases: { myreg.azurecr.io: [images.example.com] }` → a function mapping any of those
 * names (any case) to the canonical login server, so a custom domain and the ACR login server are the
 * same registry for rules, dedupe and pinning. Unknown hosts are only lower-cased.
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
    return canonical.get(lower) ?? lower;
  };
}
