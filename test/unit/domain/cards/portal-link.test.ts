import { describe, expect, it } from 'vitest';
import { portalLink } from '../../../../shared/domain/cards/portal-link';

const id =
  '/subscriptions/0a1b/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoprod';

describe('portalLink', () => {
  it('searches the registry by login server in Resource Graph Explorer when the resource id is unknown', () => {
    const link = portalLink('contosoprod.azurecr.io', 'payments/api');
    expect(link?.title).toBe('Find registry in Azure portal');
    const prefix = 'https://portal.azure.com/#view/HubsExtension/ArgQueryBlade/query/';
    expect(link?.url.startsWith(prefix)).toBe(true);
    expect(decodeURIComponent(link?.url.slice(prefix.length) ?? '')).toBe(
      [
        'resources',
        "| where type =~ 'microsoft.containerregistry/registries'",
        "| where properties.loginServer =~ 'contosoprod.azurecr.io'",
        '| project name, resourceGroup, subscriptionId, location',
      ].join('\n'),
    );
  });

  it('opens the repository blade when the resource id is known', () => {
    const link = portalLink('ContosoProd.azurecr.io', 'payments/api', {
      registryResourceIds: { 'contosoprod.azurecr.io': id },
    });
    expect(link).toEqual({
      type: 'Action.OpenUrl',
      title: 'Open repository in Azure portal',
      url:
        'https://portal.azure.com/#view/Microsoft_Azure_ContainerRegistries/RepositoryBlade/id/' +
        '%2Fsubscriptions%2F0a1b%2FresourceGroups%2Frg-acr%2Fproviders%2FMicrosoft.ContainerRegistry%2Fregistries%2Fcontosoprod' +
        '/repository/payments%2Fapi',
    });
  });

  it('uses the configured portal of a sovereign cloud, and ignores a portal that is not https', () => {
    expect(portalLink('r.azurecr.us', 'a', { portalBaseUrl: 'https://portal.azure.us/' })?.url).toMatch(
      /^https:\/\/portal\.azure\.us\/#view\//,
    );
    expect(portalLink('r.azurecr.io', 'a', { portalBaseUrl: 'javascript:alert(1)' })?.url).toMatch(
      /^https:\/\/portal\.azure\.com\/#view\//,
    );
  });

  it.each(['', 'localhost:5000', "evil' | union secrets", 'no_underscores.azurecr.io'])(
    'gives no link for %j',
    (registry) => {
      expect(portalLink(registry, 'a')).toBeUndefined();
    },
  );

  it('ignores a configured resource id that is not a registry id', () => {
    expect(
      portalLink('r.azurecr.io', 'a', { registryResourceIds: { 'r.azurecr.io': '/subscriptions/x' } })?.title,
    ).toBe('Find registry in Azure portal');
  });
});
