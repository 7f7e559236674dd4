import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type EventGridEvent } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, startTestAzurite } from '../../helpers/azurite';
import { loadFixture } from '../../helpers/fixtures';
import { acrWebhook } from '../../../functions/acr-webhook';
import { acrEventGrid } from '../../../functions/acr-event-grid';
import { fanOutActions } from '../../../functions/fan-out-actions';
import { useTestRuntime } from '../../helpers/runtime';

const secret = 'Bearer integration-secret';
let azurite: AzuriteHandle;
let logs: string[] = [];

const context = () =>
  new InvocationContext({
    invocationId: 'test',
    functionName: 'test',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });

const webhook = (body: unknown, headers: Record<string, string> = {}) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/acr/webhook',
    headers: { 'content-type': 'application/json', authorization: secret, ...headers },
    body: { string: typeof body === 'string' ? body : JSON.stringify(body) },
  });

beforeAll(async () => {
  azurite = await startTestAzurite();
  const dir = mkdtempSync(join(tmpdir(), 'functions-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
teams: { platform: { urlFrom: TEAMS } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet }
    notify: [platform]
`,
  );
  await useTestRuntime({
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
    ACR_WEBHOOK_SECRET: secret,
    TEAMS: 'https://prod-00.westus.logic.azure.com/workflows/x',
  });
});
afterAll(() => azurite?.stop());

describe('acrWebhook handler (Azurite)', () => {
  it('queues the event before answering 202 with the dedupe key; fan-out puts each action on its queue', async () => {
    const body = loadFixture('events/acr-webhook/push-2026-no-useragent.json');
    const response = await acrWebhook(webhook(body), context());
    expect(response.status).toBe(202);
    const { accepted, actions } = response.jsonBody as { accepted: string; actions: number };
    expect(actions).toBe(2);
    const events = (await peekAll(azurite.connectionString, 'image-events')) as { dedupeKey: string }[];
    expect(events).toEqual([expect.objectContaining({ type: 'accepted-event', dedupeKey: accepted })]);
    await fanOutActions(events[0], context());
    const pins = (await peekAll(azurite.connectionString, 'pin-requests')) as { dedupeKey: string }[];
    const notes = (await peekAll(azurite.connectionString, 'notifications')) as { dedupeKey: string }[];
    expect(pins.map((m) => m.dedupeKey)).toEqual([accepted]);
    expect(notes.map((m) => m.dedupeKey)).toEqual([accepted]);
  });

  it('answers the same event again as a duplicate, queueing nothing', async () => {
    const body = loadFixture('events/acr-webhook/push-2026-no-useragent.json');
    const response = await acrWebhook(webhook(body), context());
    expect(response).toMatchObject({ status: 202, jsonBody: { actions: 0, duplicate: true } });
    expect(await peekAll(azurite.connectionString, 'image-events')).toHaveLength(1);
  });

  it('acknowledges ping with 200 and a reason', async () => {
    const response = await acrWebhook(webhook({ action: 'ping' }), context());
    expect(response).toMatchObject({ status: 200, jsonBody: { ignored: expect.stringContaining('ping') } });
  });

  it.each([
    ['no Authorization header', { authorization: '' }, 401],
    ['a wrong Authorization header', { authorization: 'Bearer nope' }, 401],
    ['a non-JSON content type', { 'content-type': 'text/plain' }, 415],
  ])('answers %s with %i', async (_name, headers, status) => {
    const response = await acrWebhook(webhook({ action: 'ping' }, headers), context());
    expect(response.status).toBe(status);
    expect(JSON.stringify(response.jsonBody)).not.toContain('integration-secret');
  });

  it('answers an invalid body with 400 listing each problem by path', async () => {
    const response = await acrWebhook(webhook({ action: 'push', target: { tag: 1, size: 'x' } }), context());
    expect(response.status).toBe(400);
    expect((response.jsonBody as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'target.size',
      'target.tag',
    ]);
  });

  it('parks an unreadable image-events message on the poison queue instead of retrying it', async () => {
    await fanOutActions({ type: 'accepted-event' }, context());
    expect(await peekAll(azurite.connectionString, 'image-events-poison')).toEqual([
      {
        type: 'accepted-event',
        delivery: expect.objectContaining({
          reason: expect.stringMatching(/^unreadable message on image-events: /),
        }),
      },
    ]);
  });

  it('never writes the secret to a log line', () => {
    expect(logs.join('\n')).not.toContain('integration-secret');
  });
});

describe('acrEventGrid handler (Azurite)', () => {
  it('queues a pushed event once even when the webhook already delivered it', async () => {
    const webhookBody = {
      action: 'push',
      target: { repository: 'payments/web', tag: '2.0.0', digest: `sha256:${'feed'.repeat(16)}` },
      request: { host: 'contoso.azurecr.io' },
    };
    const first = await acrWebhook(webhook(webhookBody), context());
    expect(first.jsonBody).toMatchObject({ actions: 2 });
    const event = {
      id: 'eg-1',
      topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
      subject: 'payments/web:2.0.0',
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: '2026-11-25T10:00:00Z',
      dataVersion: '2.0',
      metadataVersion: '1',
      data: { id: 'data-1', action: 'push', target: webhookBody.target, request: webhookBody.request },
    } as unknown as EventGridEvent;
    const before = (await peekAll(azurite.connectionString, 'image-events')).length;
    await acrEventGrid(event, context());
    expect(await peekAll(azurite.connectionString, 'image-events')).toHaveLength(before);
  });

  it('logs and does not throw for invalid events (a retry cannot fix them)', async () => {
    logs = [];
    const bad = {
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      data: { target: 'x' },
    } as unknown as EventGridEvent;
    await expect(acrEventGrid(bad, context())).resolves.toBeUndefined();
    expect(logs.join('\n')).toMatch(/warning invalid Event Grid event.*not retried[\s\S]*data\.target/);
  });

  it('ignores other event types with a log line', async () => {
    logs = [];
    const other = {
      eventType: 'Microsoft.Storage.BlobCreated',
      id: 'b1',
      data: {},
    } as unknown as EventGridEvent;
    await acrEventGrid(other, context());
    expect(logs.join('\n')).toContain('Microsoft.Storage.BlobCreated" is not handled');
  });
});
