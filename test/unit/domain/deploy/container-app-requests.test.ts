import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import {
  armScope,
  containerAppPortalUrl,
  containerAppUrl,
  parseArmOperation,
  parseContainerApp,
  planContainerAppUpdate,
  revisionSuffixFor,
} from '../../../../shared/domain/deploy/container-app-requests';
import { sampleEvent } from '../../../helpers/sample-event';

const event = sampleEvent();
const image = `contoso.azurecr.io/payments/api@${event.digest}`;
const now = new Date('2026-11-25T10:00:00Z');
const target = (extra = '') =>
  parseConfig(
    `deployTargets:\n  t: { type: container-app, subscriptionId: 00000000-0000-0000-0000-000000000001, resourceGroup: rg-payments, app: payments-api${extra} }\n`,
  ).deployTargets['t'] as DeployTargetOf<'container-app'>;

describe('container app requests', () => {
  it('addresses the app in ARM with the 2025-07-01 API, the ARM scope and the portal', () => {
    expect(containerAppUrl(target())).toBe(
      'https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-payments/providers/Microsoft.App/containerApps/payments-api?api-version=2025-07-01',
    );
    expect(armScope(target())).toBe('https://management.azure.com/.default');
    expect(armScope(target(', armUrl: "https://management.usgovcloudapi.net"'))).toBe(
      'https://management.usgovcloudapi.net/.default',
    );
    expect(containerAppPortalUrl(target())).toBe(
      'https://portal.azure.com/#resource/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-payments/providers/Microsoft.App/containerApps/payments-api/revisionManagement',
    );
    expect(containerAppPortalUrl(target(', armUrl: "https://management.usgovcloudapi.net"'))).toBeUndefined();
  });

  it('PATCHes only properties.template with every container, init containers kept', () => {
    const app = parseContainerApp({
      location: 'westeurope',
      properties: {
        provisioningState: 'Succeeded',
        latestRevisionName: 'payments-api--r1',
        configuration: { secrets: [{ name: 'db' }] },
        template: {
          containers: [
            { name: 'api', image: 'old', env: [{ name: 'A', value: '1' }] },
            { name: 'envoy', image: 'envoy:1' },
          ],
          initContainers: [{ name: 'migrate', image: 'old' }],
          scale: { minReplicas: 1 },
        },
      },
    });
    expect(app).toEqual({
      provisioningState: 'Succeeded',
      latestRevisionName: 'payments-api--r1',
      containers: [
        { name: 'api', image: 'old', env: [{ name: 'A', value: '1' }] },
        { name: 'envoy', image: 'envoy:1' },
      ],
      initContainers: [{ name: 'migrate', image: 'old' }],
    });
    const plan = planContainerAppUpdate(target(', container: api'), app!, event, now);
    expect(plan.request).toEqual({
      method: 'PATCH',
      url: containerAppUrl(target()),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({
        properties: {
          template: {
            containers: [
              { name: 'api', image, env: [{ name: 'A', value: '1' }] },
              { name: 'envoy', image: 'envoy:1' },
            ],
            initContainers: [{ name: 'migrate', image: 'old' }],
          },
        },
      }),
    });
  });

  it('plans no PATCH when the container already runs the image', () => {
    const plan = planContainerAppUpdate(target(), { containers: [{ name: 'api', image }] }, event, now);
    expect(plan).toEqual({ update: expect.objectContaining({ changed: false, container: 'api' }) });
  });

  it('derives a fresh revision suffix from the digest and the time', () => {
    const suffix = revisionSuffixFor(event.digest, now);
    expect(suffix).toMatch(/^ap-4f1a8c0e3b-[0-9a-z]+$/);
    expect(suffix.length).toBeLessThanOrEqual(64);
    expect(revisionSuffixFor(event.digest, new Date(now.getTime() + 1000))).not.toBe(suffix);
  });

  it.each([
    [{ status: 'InProgress' }, { state: 'running' }],
    [{ status: 'Succeeded' }, { state: 'succeeded' }],
    [
      { status: 'Failed', error: { code: 'ContainerAppOperationError', message: 'exit 1' } },
      { state: 'failed', status: 'Failed', error: 'ContainerAppOperationError: exit 1' },
    ],
    [{ status: 'Canceled' }, { state: 'failed', status: 'Canceled', error: 'no error details' }],
    [{ properties: { provisioningState: 'InProgress' } }, { state: 'running' }],
    [{ properties: { provisioningState: 'Succeeded' } }, { state: 'succeeded' }],
    ['not json', { state: 'running' }],
  ])('reads the operation state of %j', (body, expected) => {
    expect(parseArmOperation(body)).toEqual(expected);
  });
});
