import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/**
 * Bicep cannot be compiled here (no Bicep CLI offline): these checks tie the role assignment of
 * `container-app` deploy targets to what the code and README say.
 */
describe('infra/ for container-app deploy targets', () => {
  const main = read('infra/main.bicep');
  const role = read('infra/container-app-role.bicep');

  it('assigns no role unless deployContainerAppIds names apps', () => {
    expect(main).toContain("param deployContainerAppIds string = ''");
    expect(main).toMatch(/for id in containerAppIds: \{/);
    expect(main).toContain(
      "filter(map(split(deployContainerAppIds, ','), id => trim(id)), id => !empty(id))",
    );
    const parameters = JSON.parse(read('infra/main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.deployContainerAppIds?.value).toBe('${DEPLOY_CONTAINER_APP_IDS=}');
  });

  it('gives the app identity Container Apps Contributor scoped to each app, not its resource group', () => {
    expect(role).toContain("var containerAppsContributor = '358470bc-b998-42bd-ab17-a7e34c199c0f'");
    expect(role).toMatch(/scope: containerApp\n/);
    expect(role).toContain("resource containerApp 'Microsoft.App/containerApps@");
    expect(main).toContain('principalId: app.outputs.identityPrincipalId');
    expect(read('infra/app.bicep')).toContain(
      'output identityPrincipalId string = identity.properties.principalId',
    );
  });

  it('points DefaultAzureCredential at the user-assigned identity', () => {
    expect(read('infra/app.bicep')).toContain(
      "{ name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }",
    );
  });

  it('is the parameter the 403 hint and the README name', () => {
    expect(read('shared/adapters/deploy/container-app-trigger.ts')).toContain('deployContainerAppIds');
    expect(read('README.md')).toContain('DEPLOY_CONTAINER_APP_IDS');
  });
});
