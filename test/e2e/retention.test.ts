import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArgs } from '../helpers/e2e-app';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';
import {
  listTags,
  OCI_REGISTRY_START_TIMEOUT_MS,
  pushImage,
  startOciRegistry,
  type OciRegistry,
} from '../helpers/oci-registry';

const secret = 'Bearer e2e-retention-secret';
let host: RunningHost;
let registry: OciRegistry;

beforeAll(async () => {
  registry = await startOciRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'e2e-retention-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
rules:
  - match: { repository: 'e2e/*' }
    retain: true
retention:
  dryRun: false
  debounce: 2s
  registries:
    - { name: lab, type: oci, url: "${registry.url}" }
  policies:
    - repositories: ['e2e/**']
      keep: { newest: 2 }
`,
  );
  host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'health', 'app-start', 'fan-out-actions', 'retention-request']),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      // The local registry speaks plain http on loopback.
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
}, OCI_REGISTRY_START_TIMEOUT_MS);
afterAll(async () => {
  await host?.stop();
  await registry?.stop();
});

describe('push-triggered retention through the local host', () => {
  it('a burst of pushes with retain: true makes one run that deletes the old tags', async () => {
    const pushed = [];
    for (let i = 0; i < 6; i++) {
      const created = new Date(Date.UTC(2025, 0, 1 + i));
      pushed.push({ tag: `b${i}`, ...(await pushImage(registry.url, 'e2e/app', { tag: `b${i}`, created })) });
    }
    // CI announces each push: ACR would send these webhooks.
    for (const image of pushed) {
      const response = await fetch(`${host.url}/api/acr/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: secret },
        body: JSON.stringify({
          id: `e2e-retention-${image.tag}`,
          action: 'push',
          timestamp: new Date().toISOString(),
          target: { mediaType: image.mediaType, digest: image.digest, repository: 'e2e/app', tag: image.tag },
          request: { id: `req-${image.tag}`, host: registry.host, method: 'PUT' },
        }),
      });
      expect(response.status).toBe(202);
    }
    await host.waitForLine(/retention lab .* e2e\/app: deleted \d+ of \d+/, 60_000);
    expect(await listTags(registry.url, 'e2e/app')).toEqual(['b4', 'b5']);
    const runs = host.output().match(/retention lab .* e2e\/app: deleted/g) ?? [];
    expect(runs).toHaveLength(1);
  });
});
