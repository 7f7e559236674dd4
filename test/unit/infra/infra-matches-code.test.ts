import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStorageSettings } from '../../../shared/config/app-settings';
import { configSchema } from '../../../shared/domain/config/schema';
import { regionQueryParameter } from '../../../shared/domain/ingest/record-arrival';
import { queueNames } from '../../../shared/domain/messages/queues';
import { repoRoot } from '../../helpers/fixtures';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const appBicep = read('infra/app.bicep');
const mainBicep = read('infra/main.bicep');
const registryBicep = read('infra/registry.bicep');

/** The string items of `var <name> = [ … ]` in a Bicep file. */
function bicepList(text: string, name: string): string[] {
  const declared = new RegExp(`var ${name} = \\[([^\\]]*)\\]`).exec(text)?.[1] ?? '';
  return [...declared.matchAll(/'([^']+)'/g)].map((match) => match[1] as string);
}

/**
 * Table names the code declares: `const somethingTable = 'name'` in shared/runtime and
 * shared/adapters/table (where a new table's name is declared), whatever the constant is called, and
 * any name passed to createTableClient as a literal anywhere in shared/.
 */
function codeTables(): Map<string, string> {
  const tables = new Map<string, string>();
  for (const dir of ['shared/runtime', 'shared/adapters/table']) {
    for (const file of readdirSync(join(repoRoot, dir)).filter((name) => name.endsWith('.ts'))) {
      const text = read(join(dir, file));
      for (const match of text.matchAll(
        /const (\w*[Tt]able\w*)\s*(?::\s*\w+\s*)?=\s*'([A-Za-z][A-Za-z0-9]{2,62})'/g,
      )) {
        tables.set(match[2] as string, `${dir}/${file} (${match[1]})`);
      }
    }
  }
  // A table named in place: createTableClient(storage, 'name').
  const walk = (dir: string): string[] =>
    readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  for (const file of walk('shared')) {
    for (const match of read(file).matchAll(/createTableClient\([^,()]+,\s*'([A-Za-z][A-Za-z0-9]{2,62})'/g)) {
      tables.set(match[1] as string, file);
    }
  }
  return tables;
}

/**
 * Bicep cannot be compiled here (no Bicep CLI offline), so these checks tie what infra deploys to
 * the names the code uses: a renamed queue, table or function breaks a test, not a production deployment.
 */
describe('infra/ matches the code', () => {
  it('creates every queue the app writes to, and its poison twin', () => {
    expect(bicepList(appBicep, 'actionQueues').sort()).toEqual(Object.values(queueNames).sort());
    expect(appBicep).toContain("for queue in concat(actionQueues, map(actionQueues, q => '${q}-poison'))");
  });

  it('creates every table the code declares, and no other', () => {
    const declared = codeTables();
    expect([...declared.keys()], 'the scan must find the dedupe and state tables').toEqual(
      expect.arrayContaining(['autopilotdedupe', 'autopilotstate']),
    );
    const infra = bicepList(appBicep, 'tables');
    const missing = [...declared].filter(([table]) => !infra.includes(table));
    expect(
      missing.map(
        ([table, where]) => `table ${table} (${where}) is missing from var tables in infra/app.bicep`,
      ),
    ).toEqual([]);
    const stale = infra.filter((table) => !declared.has(table));
    expect(stale.map((table) => `infra/app.bicep creates table ${table}, which no code declares`)).toEqual(
      [],
    );
    expect(appBicep).toMatch(/resource storageTables '[^']+' = \[\s*for table in tables:/);
  });

  it('runs Node 22 on Flex Consumption with identity-based storage and no account keys', () => {
    expect(appBicep).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
    expect(appBicep).toContain("sku: { name: 'FC1', tier: 'FlexConsumption' }");
    expect(appBicep).toContain('allowSharedKeyAccess: false');
    expect(appBicep).not.toMatch(/AccountKey|listKeys\([^)]*storage/i);
    expect(appBicep).toContain(
      "authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }",
    );
  });

  it('gives the app settings the storage adapter reads in identity mode', () => {
    const env: Record<string, string> = {};
    for (const match of appBicep.matchAll(/\{ name: '(AzureWebJobsStorage__\w+)', value: [^}]+\}/g)) {
      env[match[1] as string] = 'https://example';
    }
    expect(readStorageSettings(env, 'AzureWebJobsStorage')).toMatchObject({ kind: 'identity' });
    expect(appBicep).toContain(
      "{ name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }",
    );
  });

  it('resolves secrets from Key Vault with the app identity, never as values', () => {
    expect(appBicep).toContain('keyVaultReferenceIdentity: identity.id');
    expect(appBicep).toMatch(
      /name: 'ACR_WEBHOOK_SECRET', value: '@Microsoft\.KeyVault\(SecretUri=\$\{webhookSecret\.properties\.secretUri\}\)'/,
    );
    expect(appBicep).toMatch(
      /name: 'ACR_WEBHOOK_SECRET_SECONDARY'\s+value: '@Microsoft\.KeyVault\(SecretUri=/,
    );
    // The settings autopilot.yaml names: GITOPS_TOKEN → secret GITOPS-TOKEN in the app's vault.
    expect(appBicep).toMatch(
      /for setting in secretSettingNames: \{\s+name: setting\s+value: '@Microsoft\.KeyVault\(SecretUri=\$\{vaultSecretUri\}\$\{replace\(setting, '_', '-'\)\}\)'/,
    );
    expect(appBicep).toContain("var vaultSecretUri = '${vault.properties.vaultUri}secrets/'");
    expect(appBicep).toContain('enableRbacAuthorization: true');
  });

  it('sends telemetry to Application Insights backed by Log Analytics', () => {
    expect(appBicep).toContain("resource logs 'Microsoft.OperationalInsights/workspaces@");
    expect(appBicep).toContain('WorkspaceResourceId: logs.id');
    expect(appBicep).toContain(
      "{ name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }",
    );
  });

  it('subscribes the acrEventGrid function to the four ACR event types, with retries and dead letters', () => {
    expect(read('functions/acr-event-grid.ts')).toContain("app.eventGrid('acrEventGrid'");
    expect(registryBicep).toContain("resourceId: '${functionAppId}/functions/acrEventGrid'");
    expect(registryBicep).toContain("topicType: 'Microsoft.ContainerRegistry.Registries'");
    for (const type of ['ImagePushed', 'ImageDeleted', 'ChartPushed', 'ChartDeleted']) {
      expect(registryBicep).toContain(`'Microsoft.ContainerRegistry.${type}'`);
    }
    expect(registryBicep).toContain(
      'retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }',
    );
    expect(registryBicep).toMatch(
      /deadLetterWithResourceIdentity: \{\s+identity: \{ type: 'SystemAssigned' \}\s+deadLetterDestination: \{\s+endpointType: 'StorageBlob'/,
    );
    // The dead-letter container is the one app.bicep creates, and the topic may write only there.
    expect(mainBicep).toContain('deadLetterContainerName: app.outputs.deadLetterContainerName');
    expect(appBicep).toContain('output deadLetterContainerName string = deadLetterContainer.name');
    expect(read('infra/blob-container-role.bicep')).toMatch(/scope: container\n/);
  });

  it('delivers to POST /api/acr/eventgrid with a Microsoft Entra token when an audience is given', () => {
    expect(read('functions/acr-event-grid-http.ts')).toContain("route: 'acr/eventgrid'");
    expect(registryBicep).toContain("endpointType: 'WebHook'");
    expect(registryBicep).toContain(
      "endpointUrl: 'https://${functionAppHostName}/api/acr/eventgrid?code=${functionKey}'",
    );
    expect(registryBicep).toContain('azureActiveDirectoryApplicationIdOrUri: entraAudience');
    expect(registryBicep).toContain(
      'azureActiveDirectoryTenantId: empty(entraTenantId) ? subscription().tenantId : entraTenantId',
    );
    expect(registryBicep).toContain(
      'destination: empty(entraAudience) ? functionDestination : entraDestination',
    );
    expect(mainBicep).toContain('entraAudience: eventGridEntraAudience');
    expect(read('infra/main.parameters.json')).toContain(
      '"eventGridEntraAudience": { "value": "${EVENTGRID_ENTRA_AUDIENCE=}" }',
    );
  });

  it('points the ACR webhooks at the acrWebhook route with the configured header and their region', () => {
    expect(read('functions/acr-webhook.ts')).toContain("route: 'acr/webhook'");
    expect(registryBicep).toContain(
      "var webhookUri = 'https://${functionAppHostName}/api/acr/webhook?code=${functionKey}'",
    );
    // The header is ingress.webhookHeader, whose default infra shares.
    const defaultHeader = configSchema.parse({}).ingress.webhookHeader;
    expect(registryBicep).toContain(`param webhookHeader string = '${defaultHeader}'`);
    expect(mainBicep).toContain(`param acrWebhookHeader string = '${defaultHeader}'`);
    expect(registryBicep.match(/customHeaders: \{ '\$\{webhookHeader\}': acrWebhookSecret \}/g)).toHaveLength(
      2,
    );
    // One webhook per replica region, each naming it the way record-arrival.ts reads it.
    expect(registryBicep).toMatch(/for region in webhookRegions: if \(createWebhooks\) \{/);
    expect(registryBicep).toContain('location: region');
    expect(registryBicep).toContain(
      `serviceUri: '\${webhookUri}&${regionQueryParameter}=\${uriComponent(region)}'`,
    );
    expect(registryBicep).toContain(
      `serviceUri: '\${webhookUri}&${regionQueryParameter}=\${registry.location}'`,
    );
    expect(registryBicep).toContain('if (createWebhooks && empty(webhookRegions))');
    expect(mainBicep).toContain(
      "var webhookRegions = filter(map(split(acrWebhookRegions, ','), region => trim(region)), region => !empty(region))",
    );
  });

  it('connects the registry only in phase 2, when the function keys exist', () => {
    expect(mainBicep).toContain("module registry 'registry.bicep' = if (connectRegistry) {");
    expect(mainBicep).toContain('param connectRegistry bool = false');
  });
});

describe('host.json', () => {
  const host = JSON.parse(read('host.json')) as {
    extensionBundle: { version: string };
    extensions: { queues: { maxDequeueCount: number; messageEncoding: string; visibilityTimeout: string } };
  };

  it('uses the v4 extension bundle, and host retries only as a backstop for the runner', () => {
    expect(host.extensionBundle.version).toBe('[4.*, 5.0.0)');
    // The queue-consumer runner re-queues with its own growing delays; the host's fixed retries only
    // cover a runner that could not reach storage at all.
    expect(host.extensions.queues.maxDequeueCount).toBeGreaterThanOrEqual(5);
    expect(host.extensions.queues.messageEncoding).toBe('base64');
    expect(host.extensions.queues.visibilityTimeout).toMatch(/^\d\d:\d\d:\d\d$/);
  });
});

describe('README', () => {
  it('shows the two commands a new user runs', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
