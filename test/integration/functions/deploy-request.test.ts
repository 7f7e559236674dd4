import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type EventGridEvent } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acrEventGrid } from '../../../functions/acr-event-grid';
import { acrWebhook } from '../../../functions/acr-webhook';
import { deployRequest } from '../../../functions/deploy-request';
import { fanOutActions } from '../../../functions/fan-out-actions';
import type { Notification } from '../../../shared/domain/messages/action-messages';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, queueLength, startTestAzurite } from '../../helpers/azurite';
import { startFakeDeployApis, type FakeDeployApis } from '../../helpers/fake-deploy-apis';
import { useTestRuntime } from '../../helpers/runtime';

const secret = 'Bearer deploy-integration-secret';
const GH_TOKEN = 'ghp_deployRequestIntegrationToken00001';
const ARGO_TOKEN = 'argocd-deploy-request-token-0000001';
const HOOK_SECRET = `whsec_${Buffer.from('deploy-request-integration-key!!').toString('base64')}`;
let azurite: AzuriteHandle;
let api: FakeDeployApis;
let now = new Date();
const logs: string[] = [];

const context = () =>
  new InvocationContext({
    invocationId: 'deploy-test',
    functionName: 'deployRequest',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
    triggerMetadata: { dequeueCount: 1 },
  });

/** An ACR push of `repository:tag`, as a regional webhook (or the home region's) delivers it. */
function push(repository: string, tag: string, where: { query?: string; header?: string } = {}) {
  const digest = `sha256:${createHash('sha256').update(`${repository}:${tag}`).digest('hex')}`;
  const target = { repository, tag, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
  return {
    digest,
    target,
    request: () =>
      new HttpRequest({
        method: 'POST',
        url: `http://localhost:7071/api/acr/webhook${where.query ? `?region=${where.query}` : ''}`,
        headers: {
          'content-type': 'application/json',
          authorization: secret,
          ...(where.header ? { 'x-acr-region': where.header } : {}),
        },
        body: {
          string: JSON.stringify({
            id: `evt-${repository}-${tag}-${where.query ?? where.header ?? 'home'}`,
            action: 'push',
            timestamp: now.toISOString(),
            target,
            request: { host: 'contoso.azurecr.io', method: 'PUT' },
          }),
        },
      }),
  };
}

const queues = () => QueueServiceClient.fromConnectionString(azurite.connectionString);

/** Takes every visible message off a queue (waiting up to `waitMs` for the first), parsed. */
async function drain(queue: string, waitMs = 0): Promise<unknown[]> {
  const client = queues().getQueueClient(queue);
  await client.createIfNotExists();
  const until = Date.now() + waitMs;
  const taken: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32 });
    for (const item of receivedMessageItems) {
      taken.push(JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')));
      await client.deleteMessage(item.messageId, item.popReceipt);
    }
    if (receivedMessageItems.length === 0 && (taken.length > 0 || Date.now() >= until)) return taken;
    if (receivedMessageItems.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Webhook deliveries → image-events → fan-out: the deploy requests they produced. */
async function deployRequestsFor(...requests: HttpRequest[]): Promise<unknown[]> {
  for (const request of requests) expect((await acrWebhook(request, context())).status).toBe(202);
  for (const accepted of await drain('image-events')) await fanOutActions(accepted, context());
  return drain('deploy-requests');
}

const deployedCards = async (repository: string) =>
  ((await peekAll(azurite.connectionString, 'notifications')) as Notification[]).filter(
    (note) =>
      (note.payload.kind === 'deployed' || note.payload.kind === 'failed') &&
      note.payload.event?.repository === repository,
  );

beforeAll(async () => {
  [azurite, api] = await Promise.all([
    startTestAzurite(),
    startFakeDeployApis({
      githubToken: GH_TOKEN,
      adoPat: 'unused',
      argocdTokens: { [ARGO_TOKEN]: ['get', 'sync'] },
      armToken: 'unused',
    }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'deploy-request-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
teams: { platform: { urlFrom: TEAMS } }
retry: { deploy: { baseDelay: 1s, maxDelay: 1s } }
deployTargets:
  web: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
  argo: { type: argocd, server: '${api.argocdUrl}', application: payments, tokenFrom: ARGO_TOKEN }
  hook: { type: webhook, url: '${api.hookUrl('release')}', secretFrom: HOOK_SECRET }
  eu: { type: webhook, url: '${api.hookUrl('eu')}', regions: [westeurope, northeurope], regionTimeout: 10m }
  badref: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, ref: nope, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
rules:
  - match: { repository: 'payments/*' }
    deploy: [web, argo, hook]
    notify: [platform]
  - match: { repository: 'retry/*' }
    deploy: [web]
    notify: [platform]
  - match: { repository: 'geo/*' }
    deploy: [eu]
    notify: [platform]
  - match: { repository: 'broken/*' }
    deploy: [badref]
    notify: [platform]
`,
  );
  await useTestRuntime(
    {
      AzureWebJobsStorage: azurite.connectionString,
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS: 'https://prod-00.westus.logic.azure.com/workflows/x',
      GH_TOKEN,
      ARGO_TOKEN,
      HOOK_SECRET,
    },
    { clock: () => now, deploy: { sleep: async () => undefined } },
  );
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), api?.close()]);
});
beforeEach(() => {
  api.reset();
  now = new Date();
});

describe('deployRequest (Azurite, fake GitHub, Argo CD and webhook receiver)', () => {
  it('sends one request per target for ten duplicate deliveries of one push, and one card each', async () => {
    const image = push('payments/api', '1.4.2');
    const deploys = await deployRequestsFor(...Array.from({ length: 10 }, () => image.request()));
    expect(deploys.map((d) => (d as { target: string }).target).sort()).toEqual(['argo', 'hook', 'web']);

    // Each deploy message delivered ten times over (host redeliveries, a crash between send and delete).
    for (let round = 0; round < 10; round++) {
      for (const message of deploys) await deployRequest(message, context());
    }

    expect(api.runs).toHaveLength(1);
    expect(api.runs[0]?.inputs).toMatchObject({ tag: '1.4.2', digest: image.digest });
    expect(api.argocdCalls).toEqual(['refresh:payments']);
    const hooks = api.to('hooks');
    expect(hooks).toHaveLength(1);
    const headers = Object.fromEntries(
      Object.entries(hooks[0]?.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    expect(new Webhook(HOOK_SECRET).verify(hooks[0]?.text ?? '', headers)).toMatchObject({
      type: 'image.pushed',
      data: { image: `contoso.azurecr.io/payments/api@${image.digest}` },
    });
    expect(api.violations).toEqual([]);
    const cards = await deployedCards('payments/api');
    expect(cards.map((card) => card.payload.kind === 'deployed' && card.payload.target).sort()).toEqual([
      'argo',
      'hook',
      'web',
    ]);
    expect(
      cards.find((card) => card.payload.kind === 'deployed' && card.payload.target === 'web')?.payload,
    ).toMatchObject({
      runUrl: 'https://github.com/contoso/web/actions/runs/9001',
    });
    expect(logs.join('\n')).not.toMatch(new RegExp(`${GH_TOKEN}|${ARGO_TOKEN}|${HOOK_SECRET.slice(6)}`));
    await drain('notifications');
  });

  it('starts one run when GitHub answers 503 twice, then 200', async () => {
    api.script({
      status: 503,
      body: { message: 'Service Unavailable' },
      times: 2,
      match: (r) => r.method === 'POST',
    });
    const [deploy] = await deployRequestsFor(push('retry/api', '2.0.0').request());

    await deployRequest(deploy, context());
    expect(api.runs).toHaveLength(0);
    const [retry] = await drain('deploy-requests', 10_000);
    expect(retry).toMatchObject({ target: 'web', delivery: { attempt: 2 } });
    await deployRequest(retry, context());

    expect(api.to('github').filter((r) => r.method === 'POST')).toHaveLength(3);
    expect(api.runs).toHaveLength(1);
    expect((await deployedCards('retry/api')).map((card) => card.payload.kind)).toEqual(['deployed']);
    await drain('notifications');
  });

  it("parks a 422 for a bad ref with one failed card in GitHub's words", async () => {
    const [deploy] = await deployRequestsFor(push('broken/api', '1.0.0').request());

    await deployRequest(deploy, context());

    expect(await drain('deploy-requests-poison')).toEqual([
      expect.objectContaining({ target: 'badref', delivery: expect.objectContaining({ attempt: 1 }) }),
    ]);
    expect((await deployedCards('broken/api')).map((card) => card.payload)).toEqual([
      expect.objectContaining({
        kind: 'failed',
        action: 'deploy',
        target: 'badref',
        poisoned: true,
        error: expect.stringContaining('answered 422: No ref found for: nope'),
      }),
    ]);
    expect(api.runs).toEqual([]);
    await drain('notifications');
  });
});

describe('deployRequest: replication gate through the webhook and Event Grid', () => {
  it('waits for the second region (webhook ?region=, then Event Grid data.location), then fires once', async () => {
    const image = push('geo/api', '1.0.0', { query: 'westeurope' });
    const [deploy] = await deployRequestsFor(image.request());

    await deployRequest(deploy, context());
    expect(api.to('hooks')).toEqual([]);
    // The runner sent it again with a delay (invisible for now); the same message arrives later.
    expect(await queueLength(azurite.connectionString, 'deploy-requests')).toBe(1);
    expect(logs.join('\n')).toMatch(/waiting for the image to reach northeurope/);
    const deferred = deploy;

    await acrEventGrid(
      {
        id: 'eg-geo',
        topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
        subject: 'geo/api:1.0.0',
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        eventTime: now.toISOString(),
        dataVersion: '2.0',
        metadataVersion: '1',
        data: {
          id: 'eg-data-geo',
          action: 'push',
          location: 'northeurope',
          target: image.target,
          request: { host: 'contoso.azurecr.io' },
        },
      } as unknown as EventGridEvent,
      context(),
    );
    await deployRequest(deferred, context());
    await deployRequest(deferred, context());

    expect(api.to('hooks')).toHaveLength(1);
    expect(api.to('hooks')[0]?.path).toBe('/eu');
    expect((await deployedCards('geo/api'))[0]?.payload).not.toHaveProperty('warning');
    await drain('notifications');
  });

  it('fires once at the timeout, with the warning, when only one region (header) reports', async () => {
    const [deploy] = await deployRequestsFor(push('geo/web', '1.0.0', { header: 'northeurope' }).request());

    await deployRequest(deploy, context());
    expect(api.to('hooks')).toEqual([]);
    expect(await queueLength(azurite.connectionString, 'deploy-requests')).toBe(2);

    now = new Date(now.getTime() + 10 * 60_000);
    await deployRequest(deploy, context());

    expect(api.to('hooks')).toHaveLength(1);
    expect((await deployedCards('geo/web'))[0]?.payload).toMatchObject({
      kind: 'deployed',
      warning: expect.stringMatching(
        /^the image was not seen in westeurope within 10m of the push; deployed anyway/,
      ),
    });
    await drain('notifications');
  });

  it('answers 400 for a region that is not a region name', async () => {
    const response = await acrWebhook(
      push('geo/x', '1.0.0', { query: 'west%20europe%3B' }).request(),
      context(),
    );
    expect(response.status).toBe(400);
  });
});
