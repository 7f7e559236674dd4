import { workflowsHosts } from '../cards/workflows-url';
import type { Config } from './schema';

/**
 * The hosts the app may call (the outbound client's allow-list): every host named by a URL anywhere in
 * the config (gitops repos, API bases, deploy targets, registries), the API hosts those imply
 * (github.com → api.github.com; Azure Repos → dev.azure.com), the Teams Workflows hosts and each
 * channel's `allowedHosts` when Teams is configured, retention's ACR login servers, and
 * `outbound.allowedHosts`. A URL that only an app setting holds (`urlFrom`) needs its host listed.
 */
export function outboundHosts(config: Config): string[] {
  const hosts = new Set<string>(config.outbound.allowedHosts.map((host) => host.toLowerCase()));
  const add = (host: string) => hosts.add(host.toLowerCase());
  walk(config, (text) => {
    const host = hostOf(text);
    if (host === undefined) return;
    add(host);
    if (host === 'github.com') add('api.github.com');
    if (host === 'dev.azure.com' || host.endsWith('.visualstudio.com')) add('dev.azure.com');
  });
  // Entra's signing keys for Event Grid's bearer tokens, unless the config names its own jwksUrl.
  if (config.ingress.eventGrid.entra && !config.ingress.eventGrid.entra.jwksUrl)
    add('login.microsoftonline.com');
  const channels = Object.values(config.teams);
  if (channels.length > 0) workflowsHosts.forEach(add);
  for (const channel of channels) channel.allowedHosts.forEach(add);
  for (const registry of config.retention?.registries ?? []) {
    const loginServer = (registry as { loginServer?: unknown }).loginServer;
    if (typeof loginServer === 'string') add(loginServer.replace(/:\d+$/, ''));
  }
  return [...hosts].sort();
}

function hostOf(text: string): string | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    return new URL(text).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function walk(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((item) => walk(item, visit));
  else if (typeof value === 'object' && value !== null)
    Object.values(value).forEach((item) => walk(item, visit));
}
