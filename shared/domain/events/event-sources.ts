import type { Config } from '../config/schema';

/**
 * Which Event Grid topics may deliver events: the registries the config names, so that another
 * subscription (someone else's registry, a test topic) cannot inject pushes. ARM ids compare
 * case-insensitively (next.md §2.d).
 */
export interface SourceFilter {
  /** The registry names accepted, for log lines. */
  names: readonly string[];
  allows(topicOrSource: string): boolean;
}

/**
 * Built from `ingress.registries`, `ingress.defaultRegistry`, the `registryAliases` login servers,
 * literal `rules[].match.registry` values and retention's ACR registries. Undefined when the config
 * names no registry at all: then every topic is accepted (and the cold-start log says so).
 */
export function sourceFilterFor(config: Config): SourceFilter | undefined {
  const entries = [
    ...config.ingress.registries,
    ...(config.ingress.defaultRegistry ? [config.ingress.defaultRegistry] : []),
    ...Object.keys(config.registryAliases),
    ...config.rules.flatMap((rule) =>
      rule.match.registry && !/[*?[\]{}!]/.test(rule.match.registry) ? [rule.match.registry] : [],
    ),
    ...(config.retention?.registries ?? []).flatMap((registry) =>
      'loginServer' in registry && typeof registry.loginServer === 'string' ? [registry.loginServer] : [],
    ),
  ];
  const names = [...new Set(entries.map(registryNameOf))].sort();
  if (names.length === 0) return undefined;
  const accepted = new Set(names);
  return {
    names,
    allows: (topicOrSource) => accepted.has(registryNameOf(topicOrSource)),
  };
}

/**
 * The registry's name, lower-case: from an ARM id (`…/registries/contoso`), a login server
 * (`contoso.azurecr.io`, any Azure cloud's suffix) or a custom domain (kept whole).
 */
export function registryNameOf(entry: string): string {
  const text = entry.trim().toLowerCase();
  const fromId = registryNameInResourceId(text);
  if (fromId) return fromId;
  const host = text.replace(/^https?:\/\//, '').replace(/[/:].*$/, '');
  const acr = /^([a-z0-9]+)\.azurecr\.[a-z.]+$/.exec(host);
  return acr?.[1] ?? host;
}

/** `…/providers/Microsoft.ContainerRegistry/registries/Contoso` → `contoso`; undefined for anything else. */
export function registryNameInResourceId(resourceId: string): string | undefined {
  return /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)/i
    .exec(resourceId)?.[1]
    ?.toLowerCase();
}
