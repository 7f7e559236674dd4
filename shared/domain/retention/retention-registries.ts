import type { RetentionRegistry } from '../config/retention-schema';
import { registryResolver } from '../pinning/image-reference';

/**
 * The host (and port) images of a retention registry are referenced by: the ACR login server, or the
 * host of an OCI registry's URL (`http://127.0.0.1:5000` → `127.0.0.1:5000`), lower-case.
 */
export function registryHostOf(registry: RetentionRegistry): string {
  if (registry.type === 'acr') return registry.loginServer.toLowerCase();
  try {
    return new URL(registry.url).host.toLowerCase();
  } catch {
    return registry.url.toLowerCase();
  }
}

/**
 * A function mapping a registry host, as an event or an image reference names it, to the retention
 * registry it is (case-insensitive, `registryAliases` resolved), or undefined.
 */
export function retentionRegistryResolver(
  registries: readonly RetentionRegistry[],
  aliases: Readonly<Record<string, readonly string[]>> = {},
): (host: string) => RetentionRegistry | undefined {
  const canonical = registryResolver(aliases);
  const byHost = new Map<string, RetentionRegistry>();
  for (const registry of registries) {
    const host = canonical(registryHostOf(registry));
    if (!byHost.has(host)) byHost.set(host, registry);
  }
  return (host) => (host === '' ? undefined : byHost.get(canonical(host)));
}

/**
 * What a GitOps file must contain to refer to one of these registries: each registry's host and its
 * aliases. Undefined (read every file) when one is Docker Hub, whose images are written without a host.
 */
export function referenceScreen(
  registries: readonly RetentionRegistry[],
  aliases: Readonly<Record<string, readonly string[]>> = {},
): string[] | undefined {
  const canonical = registryResolver(aliases);
  const screen = new Set<string>();
  for (const registry of registries) {
    const host = canonical(registryHostOf(registry));
    if (host === 'docker.io' || host.endsWith('.docker.io')) return undefined;
    screen.add(host);
    screen.add(registryHostOf(registry));
    for (const [loginServer, others] of Object.entries(aliases)) {
      if (canonical(loginServer) !== host) continue;
      for (const other of others) screen.add(other.toLowerCase());
    }
  }
  return [...screen];
}
