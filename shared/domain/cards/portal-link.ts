import { openUrl, type OpenUrlAction } from './card-elements';

/** Public Azure; sovereign clouds pass their own (`https://portal.azure.us`, `https://portal.azure.cn`). */
export const defaultPortalBaseUrl = 'https://portal.azure.com';

export interface PortalLinkOptions {
  /** Portal origin, e.g. `https://portal.azure.com`. */
  portalBaseUrl?: string | undefined;
  /**
   * Login server → ARM resource id of the registry
   * (`/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>`),
   * when known. ACR events carry only the login server, so without it the link is a search.
   */
  registryResourceIds?: Readonly<Record<string, string>> | undefined;
}

const loginServerPattern = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const resourceIdPattern =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/[^/]+$/i;

/**
 * The button that takes a reader from a card to the repository in the Azure portal.
 *
 * - With the registry's resource id: the portal's repository blade,
 *   `<portal>/#view/Microsoft_Azure_ContainerRegistries/RepositoryBlade/id/<resource id>/repository/<repo>`,
 *   which lists the repository's tags and digests.
 * - Without it (the usual case: ACR events name only the login server, and the resource id needs a
 *   subscription and resource group we do not have): an Azure Resource Graph Explorer link,
 *   `<portal>/#view/HubsExtension/ArgQueryBlade/query/<KQL>`, with a query that finds the registry by
 *   login server across every subscription the reader can see. One click on the result opens the
 *   registry, whose Repositories page has the image. It is the same link format Microsoft Learn uses for
 *   "Try this query in Azure Resource Graph Explorer", and it needs no permission beyond reading the
 *   registry, which a reader must have anyway to see the repository.
 *
 * No button when the registry is unknown or not a plain host name.
 */
export function portalLink(
  registry: string,
  repository: string,
  options: PortalLinkOptions = {},
): OpenUrlAction | undefined {
  const loginServer = registry.toLowerCase();
  if (!loginServerPattern.test(loginServer)) return undefined;
  const base = portalBase(options.portalBaseUrl);
  const resourceId = options.registryResourceIds?.[loginServer];
  if (resourceId !== undefined && resourceIdPattern.test(resourceId)) {
    return openUrl(
      'Open repository in Azure portal',
      `${base}/#view/Microsoft_Azure_ContainerRegistries/RepositoryBlade/id/${encodeURIComponent(resourceId)}` +
        `/repository/${encodeURIComponent(repository)}`,
    );
  }
  const query = [
    'resources',
    "| where type =~ 'microsoft.containerregistry/registries'",
    `| where properties.loginServer =~ '${loginServer}'`,
    '| project name, resourceGroup, subscriptionId, location',
  ].join('\n');
  return openUrl(
    'Find registry in Azure portal',
    `${base}/#view/HubsExtension/ArgQueryBlade/query/${encodeURIComponent(query)}`,
  );
}

function portalBase(configured: string | undefined): string {
  if (configured === undefined) return defaultPortalBaseUrl;
  try {
    const url = new URL(configured);
    return url.protocol === 'https:' ? url.origin : defaultPortalBaseUrl;
  } catch {
    return defaultPortalBaseUrl;
  }
}
