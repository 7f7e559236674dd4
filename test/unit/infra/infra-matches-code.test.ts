import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStorageSettings } from '../../../shared/config/app-settings';
import { queueNames } from '../../../shared/domain/messages/queues';
import { dedupeTable, stateTable } from '../../../shared/runtime/composition-root';
import { repoRoot } from '../../helpers/fixtures';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const appBicep = read('infra/app.bicep');
const registryBicep = read('infra/registry.bicep');

/**
 * Bicep cannot be compiled here (no Bicep CLI offline), so these checks tie what infra deploys to
 * the names the code uses: a renamed queue or function breaks a test, not a production deployment.
 */
describe('infra/ matches the code', () => {
  it('creates every queue the app writes to, and its poison twin', () => {
    const declared = /var actionQueues = \[([^\]]*)\]/.exec(appBicep)?.[1] ?? '';
    const queues = [...declared.matchAll(/'([^']+)'/g)].map((match) => match[1]);
    expect(queues.sort()).toEqual(Object.values(queueNames).sort());
    expect(appBicep).toContain("map(actionQueues, q => '${q}-poison')");
  });

  it('creates the tables the app uses', () => {
    expect(appBicep).toContain(`var tables = ['${dedupeTable}', '${stateTable}']`);
  });

  it('runs Node 22 on Flex Consumption with identity-based storage and no account keys', () => {
    expect(appBicep).toMatch(/runtime: \{ name: 'node', version: '22' \}/);
    expect(appBicep).toContain("sku: { name: 'FC1', tier: 'FlexConsumption' }");
    expect(appBicep).toContain('allowSharedKeyAccess: false');
    expect(appBicep).not.toMatch(/AccountKey|listKeys\([^)]*storage/i);
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

  it('keeps the webhook secret in Key Vault and sets every setting the example lists that Azure needs', () => {
    expect(appBicep).toMatch(/name: 'ACR_WEBHOOK_SECRET', value: '@Microsoft\.KeyVault\(/);
    expect(appBicep).toContain("{ name: 'AUTOPILOT_CONFIG', value: 'autopilot.yaml' }");
  });

  it('subscribes the acrEventGrid function to the four ACR event types', () => {
    expect(read('functions/acr-event-grid.ts')).toContain("app.eventGrid('acrEventGrid'");
    expect(registryBicep).toContain("resourceId: '${functionAppId}/functions/acrEventGrid'");
    for (const type of ['ImagePushed', 'ImageDeleted', 'ChartPushed', 'ChartDeleted']) {
      expect(registryBicep).toContain(`'Microsoft.ContainerRegistry.${type}'`);
    }
  });

  it('points the ACR webhook at the acrWebhook route with the shared header', () => {
    expect(read('functions/acr-webhook.ts')).toContain("route: 'acr/webhook'");
    expect(registryBicep).toContain('/api/acr/webhook?code=');
    expect(registryBicep).toContain('customHeaders: { Authorization: acrWebhookSecret }');
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

describe('local.settings.example.json and README', () => {
  const example = JSON.parse(read('local.settings.example.json')) as { Values: Record<string, string> };
  const readme = read('README.md');

  it('documents every example setting in the README settings table', () => {
    for (const name of Object.keys(example.Values)) {
      const documented = readme.includes(`\`${name}\``) || /_TOKEN|_WEBHOOK$/.test(name);
      expect(documented, name).toBe(true);
    }
  });

  it('shows the two commands a new user runs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
