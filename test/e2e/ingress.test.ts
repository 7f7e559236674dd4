import { createHash } from 'node:crypto';
import { AzureKeyCredential, EventGridPublisherClient } from '@azure/eventgrid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peekAll, queueLength } from '../helpers/azurite';
import { ingressFunctionArgs, writeCatchAllConfig } from '../helpers/e2e-app';
import { loadFixture } from '../helpers/fixtures';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

const secret = 'Bearer e2e-secret-value';
let host: RunningHost;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${host.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const pushBody = (tag: string) => ({
  id: `webhook-${tag}`,
  action: 'push',
  timestamp: '2026-11-25T10:00:00.123456789Z',
  target: {
    repository: 'e2e/app',
    tag,
    digest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
  },
  request: { host: 'contoso.azurecr.io', method: 'PUT' },
});

const eventGridPush = (tag: string) => [
  {
    id: `eg-${tag}-${Math.random()}`,
    topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
    subject: `e2e/app:${tag}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: '2026-11-25T10:00:00.5Z',
    dataVersion: '2.0',
    metadataVersion: '1',
    data: { ...pushBody(tag), location: 'westeurope' },
  },
];

const egHeaders = {
  'aeg-event-type': 'Notification',
  'aeg-subscription-name': 'ACR-TO-AUTOPILOT',
  'aeg-delivery-count': '0',
};
const messagesFor = async (queue: string, tag: string) =>
  (
    (await peekAll(host.storage, queue)) as {
      event?: { tag?: string };
      payload?: { event?: { tag?: string } };
    }[]
  ).filter((m) => (m.event ?? m.payload?.event)?.tag === tag);

beforeAll(async () => {
  host = await startLocalHostProcess({
    args: ingressFunctionArgs,
    env: {
      AUTOPILOT_CONFIG: writeCatchAllConfig(),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: 'https://prod-00.westeurope.logic.azure.com/workflows/x',
      GH_TOKEN: 'x',
    },
  });
});
afterAll(() => host?.stop());

describe('ACR webhook through the local host', () => {
  it('answers 202 after the pin, deploy and notify messages are on their queues', async () => {
    const response = await post('/api/acr/webhook', pushBody('1.0.0'));
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: string; actions: number };
    expect(body.actions).toBe(3);
    for (const queue of ['pin-requests', 'deploy-requests', 'notifications']) {
      await expect.poll(() => messagesFor(queue, '1.0.0'), { timeout: 10_000 }).toHaveLength(1);
      const messages = (await messagesFor(queue, '1.0.0')) as { dedupeKey: string; correlationId: string }[];
      expect(messages[0]).toMatchObject({ dedupeKey: body.accepted, correlationId: 'webhook-1.0.0' });
    }
  });

  it.each([
    ['no secret', { authorization: '' }, pushBody('x'), 401, /missing Authorization header/],
    ['a wrong secret', { authorization: 'Bearer nope' }, pushBody('x'), 401, /wrong Authorization header/],
    [
      'form data',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'a=b',
      415,
      /Content-Type must be application\/json/,
    ],
    ['a 300 KB body', {}, { action: 'push', pad: 'x'.repeat(300 * 1024) }, 413, /larger than 256 KB/],
    ['malformed JSON', {}, '{"action": "push"', 400, /not valid JSON/],
    ['an unknown action', {}, { action: 'tag_delete' }, 400, /invalid ACR webhook event/],
  ])('refuses %s', async (_name, headers, body, status, message) => {
    const response = await post('/api/acr/webhook', body, headers);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('acknowledges ping and quarantine with a reason', async () => {
    for (const file of ['ping.json', 'quarantine.json']) {
      const response = await post('/api/acr/webhook', loadFixture(`events/acr-webhook/${file}`));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ignored: expect.stringContaining('is') });
    }
  });

  it('reports ok on /api/health, and nothing about its configuration', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { config: 'ok', queues: 'ok', tables: 'ok' },
    });
  });
});

describe('Event Grid through the local host', () => {
  it.each([
    ['no key', ''],
    ['a wrong key', '&code=guess'],
  ])('refuses a delivery with %s, as Azure does without the system key', async (_name, code) => {
    const response = await post(
      `/runtime/webhooks/eventgrid?functionName=acrEventGrid${code}`,
      eventGridPush('9.9.9'),
      egHeaders,
    );
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toMatch(/AUTOPILOT_LOCAL_EVENTGRID_KEY/);
    expect(await messagesFor('image-events', '9.9.9')).toEqual([]);
  });

  it('answers the subscription validation handshake', async () => {
    const response = await post(
      '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
      loadFixture('events/event-grid/subscription-validation.json'),
      { 'aeg-event-type': 'SubscriptionValidation' },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
  });

  it('grants the CloudEvents webhook validation (OPTIONS)', async () => {
    const response = await fetch(
      `${host.url}/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key`,
      {
        method: 'OPTIONS',
        headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it('queues an ImagePushed delivery', async () => {
    const response = await post(
      '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
      eventGridPush('2.0.0'),
      egHeaders,
    );
    expect(response.status).toBe(200);
    await expect.poll(() => messagesFor('pin-requests', '2.0.0'), { timeout: 10_000 }).toHaveLength(1);
  });

  it('accepts CloudEvents sent by the @azure/eventgrid SDK', async () => {
    const client = new EventGridPublisherClient(
      `${host.url}/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key`,
      'CloudEvent',
      new AzureKeyCredential('unused-locally'),
      { allowInsecureConnection: true },
    );
    await client.send([
      {
        type: 'Microsoft.ContainerRegistry.ImagePushed',
        source: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
        subject: 'e2e/app:3.0.0',
        data: pushBody('3.0.0'),
      },
    ]);
    await expect.poll(() => messagesFor('deploy-requests', '3.0.0'), { timeout: 10_000 }).toHaveLength(1);
  });

  it('names the function to use when functionName is wrong', async () => {
    const response = await post(
      '/runtime/webhooks/eventgrid?functionName=nope&code=local-eventgrid-key',
      eventGridPush('x'),
      egHeaders,
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('?functionName=acrEventGrid');
  });
});

describe('deduplication', () => {
  it('turns ten deliveries of one push (webhook and Event Grid, concurrently) into one set of messages', async () => {
    const deliveries = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? post('/api/acr/webhook', pushBody('4.0.0'))
        : post(
            '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
            eventGridPush('4.0.0'),
            egHeaders,
          ),
    );
    const statuses = (await Promise.all(deliveries)).map((response) => response.status);
    // Deliveries that overlap the first one are told to retry (webhook 503, Event Grid 500); retry them
    // the way Event Grid would (ACR would not, but then the first delivery already queued the event).
    for (let attempt = 0; attempt < 5 && statuses.some((status) => status >= 500); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const [index, status] of statuses.entries()) {
        if (status < 500) continue;
        const retry =
          index % 2 === 0
            ? await post('/api/acr/webhook', pushBody('4.0.0'))
            : await post(
                '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
                eventGridPush('4.0.0'),
                egHeaders,
              );
        statuses[index] = retry.status;
      }
    }
    expect(statuses.every((status) => status === 200 || status === 202)).toBe(true);
    await expect.poll(() => messagesFor('notifications', '4.0.0'), { timeout: 10_000 }).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for any extra (wrong) fan-out
    for (const queue of ['image-events', 'pin-requests', 'deploy-requests', 'notifications']) {
      expect(await messagesFor(queue, '4.0.0'), queue).toHaveLength(queue === 'image-events' ? 0 : 1);
    }
  });

  it('never logs the webhook secret', () => {
    expect(host.output()).not.toContain('e2e-secret-value');
  });
});

describe('the front door refuses bad input (through the local host)', () => {
  const longTag = 'v'.repeat(40_000);

  it.each([
    ['digest "abc"', { digest: 'abc' }, 'target.digest'],
    ['digest "sha256:zzz"', { digest: 'sha256:zzz' }, 'target.digest'],
    ['an upper-case repository', { repository: 'E2E/App' }, 'target.repository'],
    ['an emoji repository', { repository: 'e2e/🚀' }, 'target.repository'],
    ['a 40,000-character tag', { tag: longTag }, 'target.tag'],
  ])('answers 400 to a webhook with %s, naming the field', async (_name, target, path) => {
    const body = pushBody('7.0.0');
    const response = await post('/api/acr/webhook', { ...body, target: { ...body.target, ...target } });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { details: { path: string }[] };
    expect(answer.details.map((detail) => detail.path)).toContain(path);
  });

  it('answers 400 to a registry host that is not one', async () => {
    const response = await post('/api/acr/webhook', {
      ...pushBody('7.0.1'),
      request: { host: 'evil.example/x?' },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('request.host');
  });

  it('takes a 40,000-character tag from Event Grid without a 5xx, so it is not retried for 24 h', async () => {
    const [event] = eventGridPush('7.0.2');
    const response = await post(
      '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
      [{ ...event, data: { ...event?.data, target: { ...event?.data.target, tag: longTag } } }],
      egHeaders,
    );
    expect(response.status).toBeLessThan(300);
    await host.waitForLine(
      /acrEventGrid\s+warn\s+invalid Event Grid event .*not retried: data\.target\.tag: a tag has at most 128/,
    );
    expect(await messagesFor('image-events', longTag)).toEqual([]);
  });

  it('keeps every log line one line, whatever control characters an event carries', async () => {
    const controls =
      Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join('') + '\u007f\u009b\u2028';
    const responses = await Promise.all([
      post('/api/acr/webhook', { ...pushBody('7.1.0'), id: `evt${controls}\u001b[31mFAKE` }),
      post('/api/acr/webhook', {
        ...pushBody('7.1.1'),
        target: { ...pushBody('7.1.1').target, repository: 'payments/api\nFAKE LOG LINE' },
      }),
    ]);
    expect(responses.map((response) => response.status)).toEqual([202, 400]);
    await host.waitForLine(/queued \d+ action\(s\) for push .*7\.1\.0/);
    await host.waitForLine(/acrWebhook\s+warn\s+400 invalid-event/);
    const output = host.output();
    expect(output).not.toMatch(/^FAKE/m);
    expect(output).not.toContain('\u001b');
    for (const char of controls.replace('\n', '')) expect(output).not.toContain(char);
    expect(output).toContain('\\u001b[31mFAKE');
  });
});

// Last: it leaves more messages on the queues than the tests above can peek at.
describe('Event Grid batches through the local host', () => {
  it('queues every event of a 100-event batch (the host invokes the function for several at once)', async () => {
    const before = await queueLength(host.storage, 'pin-requests');
    const batch = Array.from({ length: 100 }, (_, n) => eventGridPush(`7.0.${n}`)[0]);
    const response = await post(
      '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
      batch,
      egHeaders,
    );
    expect(response.status).toBe(200);
    // At least: a message or two of the tests above may still be on its way through fan-out.
    await expect
      .poll(() => queueLength(host.storage, 'pin-requests'), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(before + 100);
  });
});
