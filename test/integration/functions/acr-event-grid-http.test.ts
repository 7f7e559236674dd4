import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrEventGridHttp } from '../../../functions/acr-event-grid-http';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { useRuntime } from '../../../shared/runtime/composition-root';
import { peekAll, startTestAzurite } from '../../helpers/azurite';
import { loadFixture } from '../../helpers/fixtures';
import { startFakeEntra, type FakeEntra } from '../../helpers/jwks-server';
import { useTestRuntime } from '../../helpers/runtime';

const audience = 'api://acr-autopilot';
let azurite: AzuriteHandle;
let entra: FakeEntra;
const logs: string[] = [];
const context = () =>
  new InvocationContext({
    invocationId: 'eg-http',
    functionName: 'acrEventGridHttp',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
  });
const topic = (name: string) =>
  `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/${name}`;
let counter = 0;
/** An ImagePushed delivery (Event Grid schema) from `registry`, a fresh image each time. */
function pushed(registry = 'contoso') {
  counter++;
  return [
    {
      id: `eg-http-${counter}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      topic: topic(registry),
      subject: `payments/api:1.0.${counter}`,
      eventTime: '2026-12-01T10:00:00Z',
      dataVersion: '1.0',
      data: {
        id: `eg-http-${counter}`,
        action: 'push',
        target: {
          repository: 'payments/api',
          tag: `1.0.${counter}`,
          digest: `sha256:${String(counter).padStart(64, '0')}`,
        },
        request: { host: `${registry}.azurecr.io` },
      },
    },
  ];
}
const post = (body: unknown, headers: Record<string, string> = {}) =>
  acrEventGridHttp(
    new HttpRequest({
      method: 'POST',
      url: 'http://127.0.0.1/api/acr/eventgrid',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification', ...headers },
      body: { string: JSON.stringify(body) },
    }),
    context(),
  );
const bearer = async (...args: Parameters<FakeEntra['token']>) => ({
  authorization: `Bearer ${await entra.token(...args)}`,
});

beforeAll(async () => {
  [azurite, entra] = await Promise.all([startTestAzurite(), startFakeEntra({ audience })]);
  const dir = mkdtempSync(join(tmpdir(), 'eg-http-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
ingress:
  registries: [contoso.azurecr.io]
  eventGrid:
    entra: { tenantId: ${entra.tenantId}, audience: '${audience}', jwksUrl: '${entra.jwksUrl}' }
teams: { platform: { urlFrom: TEAMS } }
rules:
  - match: { repository: 'payments/*' }
    notify: [platform]
`,
  );
  await useTestRuntime({
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
    TEAMS: 'https://prod-00.westus.logic.azure.com/workflows/x',
  });
});
afterAll(async () => {
  useRuntime(undefined);
  await Promise.all([azurite?.stop(), entra?.close()]);
});

describe('acrEventGridHttp (Entra-protected Event Grid delivery)', () => {
  it('answers the subscription validation handshake for Event Grid', async () => {
    const response = await post(loadFixture('events/event-grid/subscription-validation.json'), {
      ...(await bearer()),
      'aeg-event-type': 'SubscriptionValidation',
    });
    expect(response).toEqual({
      status: 200,
      jsonBody: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' },
    });
  });

  it('grants the CloudEvents OPTIONS handshake', async () => {
    const response = await acrEventGridHttp(
      new HttpRequest({
        method: 'OPTIONS',
        url: 'http://127.0.0.1/api/acr/eventgrid',
        headers: { 'webhook-request-origin': 'eventgrid.azure.net' },
      }),
      context(),
    );
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'WebHook-Allowed-Origin': 'eventgrid.azure.net' });
  });

  it.each([
    ['a v2 token', {}],
    [
      'a v1 token (appid, sts.windows.net issuer)',
      { azp: undefined, appid: '4962773b-9cdb-44cf-a8bf-237846a00ab7', ver: '1.0' },
    ],
  ])('accepts %s and queues the event', async (name, claims) => {
    const v1 = name.startsWith('a v1');
    const token = await bearer({
      ...claims,
      ...(v1 ? { iss: `https://sts.windows.net/${entra.tenantId}/` } : {}),
    });
    const body = pushed();
    const response = await post(body, token);
    expect(response).toEqual({ status: 200, jsonBody: { accepted: 1, ignored: 0, invalid: 0 } });
    const queued = (await peekAll(azurite.connectionString, 'image-events')) as { event: { id: string } }[];
    expect(queued.map((message) => message.event.id)).toContain(body[0]?.id);
  });

  it.each([
    ['no Authorization header', async () => ({}), /missing bearer token/],
    [
      'a token for another audience',
      () => bearer({ aud: 'api://someone-else' }),
      /audience is not api:\/\/acr-autopilot/,
    ],
    ['an expired token', () => bearer({}, { expiresIn: '-10m' }), /has expired/],
    ['a token signed by another key', () => bearer({}, { key: 'stranger' }), /signature does not verify/],
    [
      'a token from another tenant',
      () => bearer({ iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0' }),
      /not issued by tenant/,
    ],
    [
      'a token for another application',
      () => bearer({ azp: '11111111-2222-3333-4444-555555555555' }),
      /not Event Grid/,
    ],
    ['a garbage token', async () => ({ authorization: 'Bearer not.a.jwt' }), /not a JWT|not a valid token/],
  ])('refuses %s with 401 and queues nothing', async (_name, headers, reason) => {
    const before = (await peekAll(azurite.connectionString, 'image-events')).length;
    const response = await post(pushed(), await headers());
    expect(response.status).toBe(401);
    expect(JSON.stringify(response.jsonBody)).toMatch(reason);
    expect((await peekAll(azurite.connectionString, 'image-events')).length).toBe(before);
  });

  it('ignores an event from a registry the config does not name', async () => {
    const response = await post(pushed('intruder'), await bearer());
    expect(response).toEqual({ status: 200, jsonBody: { accepted: 0, ignored: 1, invalid: 0 } });
    expect(logs.join('\n')).toMatch(/topic .*intruder is not one of the registries in the config/);
  });

  it('answers 400 (not retried by Event Grid) for an event with a bad digest, naming the field', async () => {
    const [event] = pushed();
    const response = await post(
      [{ ...event, data: { ...event?.data, target: { repository: 'payments/api', digest: 'abc' } } }],
      await bearer(),
    );
    expect(response.status).toBe(400);
    expect(response.jsonBody).toMatchObject({ details: [{ path: 'data.target.digest' }] });
  });

  it('fetches the signing keys once for many deliveries', () => {
    expect(entra.fetches).toBe(1);
  });
});
