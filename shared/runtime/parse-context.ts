import { randomUUID } from 'node:crypto';
import type { Config } from '../domain/config/schema';
import type { ParseContext } from '../domain/events/parse-outcome';
import { sourceFilterFor, type SourceFilter } from '../domain/events/event-sources';
import { canonicalRegistryFor } from '../domain/events/registry-aliases';

const resolvers = new WeakMap<Config, (host: string) => string>();
const sourceFilters = new WeakMap<Config, SourceFilter | undefined>();

/**
 * The parsers' outside inputs for one delivery: now, a fresh id, the registry alias map and the default
 * registry from the config. The alias map is built once per config, not per request. Used by the
 * functions (through the runtime) and the CLI alike, so both resolve registries the same way.
 */
export function parseContextFor(config: Config): ParseContext {
  let canonicalRegistry = resolvers.get(config);
  if (!canonicalRegistry) {
    canonicalRegistry = canonicalRegistryFor(config.registryAliases);
    resolvers.set(config, canonicalRegistry);
  }
  const fallback = config.ingress.defaultRegistry;
  if (!sourceFilters.has(config)) sourceFilters.set(config, sourceFilterFor(config));
  const sources = sourceFilters.get(config);
  return {
    receivedAt: new Date(),
    newId: randomUUID,
    canonicalRegistry,
    ...(fallback ? { defaultRegistry: canonicalRegistry(fallback) } : {}),
    ...(sources ? { sources } : {}),
  };
}
