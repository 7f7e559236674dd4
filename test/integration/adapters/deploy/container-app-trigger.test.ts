import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import { ConfigError, RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import { testTriggers } from '../../../helpers/deploy-fakes';
import type { FakeContainerApp } from '../../../helpers/fake-arm-container-apps';
import { startFakeDeployApis, type FakeDeployApis } from '../../../helpers/fake-deploy-apis';
import { sampleEvent } from '../../../helpers/sample-event';

const TOKEN = 'entra-test-token-0000000000001';
const event = sampleEvent();
const image = `contoso.azurecr.io/payments/api@${event.digest}`;
const sub = '00000000-0000-0000-0000-000000000001';
let api: FakeDeployApis;

beforeAll(async () => {
  api = await startFakeDeployApis({ githubToken: 'x', adoPat: 'x', argocdTokens: {}, armToken: TOKEN });
});
afterAll(() => api?.close());
beforeEach(() => api.reset());

const sidecar = {
  name: 'envoy',
  image: 'docker.io/envoyproxy/envoy:v1.31.2',
  args: ['-c', '/etc/envoy.yaml'],
};
const migrate = { name: 'migrate', image: 'contoso.azurecr.io/payments/api:1.4.1', args: ['migrate'] };

function app(overrides: Partial<FakeContainerApp> = {}): FakeContainerApp {
  return api.arm.addApp({
    name: 'payments-api',
    template: {
      containers: [
        {
          name: 'api',
          image: 'contoso.azurecr.io/payments/api:1.4.1',
          resources: { cpu: 0.5, memory: '1Gi' },
          env: [{ name: 'DB', secretRef: 'db-password' }],
        },
        sidecar,
      ],
      initContainers: [migrate],
      scale: { minReplicas: 1, maxReplicas: 3 },
    },
    ...overrides,
  });
}

const target = (extra = ', container: api') =>
  parseConfig(
    `deployTargets:\n  aca: { type: container-app, subscriptionId: ${sub}, resourceGroup: rg-payments, app: payments-api, armUrl: '${api.armUrl}'${extra} }\n`,
  ).deployTargets['aca'] as DeployTargetOf<'container-app'>;

const run = async (extra?: string) => {
  const { triggers, tokens, log } = testTriggers({});
  const accepted = await triggers['container-app'].trigger(target(extra), { target: 'aca', event });
  return { accepted, followed: await accepted.follow?.(), tokens, log };
};

describe('container-app trigger (fake ARM)', () => {
  it('GETs the app, PATCHes properties.template with every container, follows Azure-AsyncOperation, reports the revision', async () => {
    const fake = app();

    const { accepted, followed, tokens } = await run();

    expect(tokens.scopes).toEqual([{ scope: `${new URL(api.armUrl).origin}/.default` }]);
    expect(accepted.report).toEqual({});
    expect(followed).toEqual({ revision: fake.latestRevisionName });
    expect(fake.latestRevisionName).not.toBe('payments-api--initial');
    const path = `/subscriptions/${sub}/resourceGroups/rg-payments/providers/Microsoft.App/containerApps/payments-api`;
    const calls = api.to('arm').map((r) => `${r.method} ${r.path}`);
    expect(calls[0]).toBe(`GET ${path}`);
    expect(calls[1]).toBe(`PATCH ${path}`);
    expect(calls.slice(2, -1).every((call) => call.includes('/containerappOperationResults/'))).toBe(true);
    expect(calls.at(-1)).toBe(`GET ${path}`);
    expect(api.to('arm').every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(api.arm.patches).toEqual([
      {
        properties: {
          template: {
            containers: [
              {
                name: 'api',
                image,
                resources: { cpu: 0.5, memory: '1Gi' },
                env: [{ name: 'DB', secretRef: 'db-password' }],
              },
              sidecar,
            ],
            initContainers: [migrate],
          },
        },
      },
    ]);
    // The merge kept what the PATCH did not name.
    expect(fake.template.scale).toEqual({ minReplicas: 1, maxReplicas: 3 });
    expect(api.violations).toEqual([]);
  });

  it('follows Location when ARM sends only that (202 while running)', async () => {
    const fake = app({ lro: 'location', pollsBeforeDone: 3 });
    const { followed } = await run();
    expect(followed).toEqual({ revision: fake.latestRevisionName });
    expect(api.to('arm').filter((r) => r.path.includes('/containerappOperationStatuses/'))).toHaveLength(4);
  });

  it('takes a 200 answer to the PATCH as done', async () => {
    const fake = app({ lro: 'sync' });
    expect((await run()).followed).toEqual({ revision: fake.latestRevisionName });
  });

  it('watches the app itself when its identity may not read the operation (a role scoped to the app)', async () => {
    const fake = app({ denyOperationReads: true, lro: 'async-operation', pollsBeforeDone: 0 });
    // The app GET cannot advance the fake operation; finish it as ARM would in the background.
    const { triggers } = testTriggers({});
    const accepted = await triggers['container-app'].trigger(target(), { target: 'aca', event });
    fake.provisioningState = 'Succeeded';
    fake.latestRevisionName = 'payments-api--next';
    expect(await accepted.follow?.()).toEqual({ revision: 'payments-api--next' });
  });

  it('uses the only container when the target names none, and gives a new suffix when the template has one', async () => {
    const fake = api.arm.addApp({
      name: 'payments-api',
      template: { revisionSuffix: 'v1', containers: [{ name: 'only', image: 'old' }] },
    });
    await run('');
    const patch = api.arm.patches[0] as { properties: { template: Record<string, unknown> } };
    expect(patch.properties.template).toEqual({
      revisionSuffix: expect.stringMatching(/^ap-4f1a8c0e3b-[0-9a-z]+$/),
      containers: [{ name: 'only', image }],
    });
    expect(fake.latestRevisionName).toBe(`payments-api--${String(patch.properties.template.revisionSuffix)}`);
  });

  it('changes nothing when the container already runs the image', async () => {
    app({
      template: { containers: [{ name: 'api', image }, sidecar] },
    });
    const { accepted, followed } = await run();
    expect(followed).toBeUndefined();
    expect(accepted.report).toEqual({
      revision: 'payments-api--initial',
      warning: 'container "api" already runs this image; nothing was changed',
    });
    expect(api.arm.patches).toEqual([]);
  });

  it('names the containers there are when the target names another one', async () => {
    app();
    await expect(run(', container: web')).rejects.toThrow(ConfigError);
    await expect(run(', container: web')).rejects.toThrow(
      'the container app has no container "web"; it has api, envoy (init containers: migrate)',
    );
  });

  it('retries a 409 while another operation runs on the app', async () => {
    app();
    api.script({
      status: 409,
      match: (r) => r.method === 'PATCH',
      body: {
        error: {
          code: 'ContainerAppOperationInProgress',
          message: 'Cannot modify a container app while an operation is in progress.',
        },
      },
    });
    const failure = await run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).message).toMatch(/answered 409: ContainerAppOperationInProgress/);
  });

  it("refuses other 409 conflicts for good, with ARM's message", async () => {
    app();
    api.script({
      status: 409,
      match: (r) => r.method === 'PATCH',
      body: { error: { code: 'Conflict', message: 'The managed environment is being deleted.' } },
    });
    const failure = await run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RefusedError);
    expect((failure as Error).message).toMatch(
      /answered 409: Conflict: The managed environment is being deleted\./,
    );
  });

  it('fails for good when the new revision fails to provision, after the update was accepted', async () => {
    app({ outcome: 'Failed', pollsBeforeDone: 1 });
    const { triggers } = testTriggers({});
    const accepted = await triggers['container-app'].trigger(target(), { target: 'aca', event });
    const failure = await accepted.follow?.().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RefusedError);
    expect((failure as Error).message).toMatch(
      /the update of container app payments-api ended Failed: ContainerAppOperationError: Failed to provision revision/,
    );
  });

  it('names the role on 403 and the resource on 404', async () => {
    app();
    api.script({
      status: 403,
      body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization.' } },
    });
    await expect(run()).rejects.toThrow(/needs Container Apps Contributor on container app payments-api/);
    api.reset();
    await expect(run()).rejects.toThrow(
      /answered 404 \(no container app payments-api in resource group rg-payments/,
    );
  });

  it('reports an update it could not follow to the end with a warning, not a failure', async () => {
    app({ pollsBeforeDone: 100 });
    const { triggers } = testTriggers({}, { armFollow: { timeoutMs: 0, pollMs: 1 } });
    const accepted = await triggers['container-app'].trigger(target(), { target: 'aca', event });
    expect(await accepted.follow?.()).toEqual({
      warning: "the update was still running after 0 min; check the app's revisions",
    });
  });
});
