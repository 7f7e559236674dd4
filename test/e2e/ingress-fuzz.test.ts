import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArgs, writeCatchAllConfig } from '../helpers/e2e-app';
import { loadFixture } from '../helpers/fixtures';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

const secret = 'Bearer fuzz-secret';
let host: RunningHost;

beforeAll(async () => {
  host = await startLocalHostProcess({
    // No fan-out: thousands of dequeues and deletes make Azurite stall (reference/local-runtime.md).
    args: functionArgs(['acr-webhook', 'acr-event-grid', 'health', 'app-start']),
    env: {
      AUTOPILOT_CONFIG: writeCatchAllConfig(),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: 'https://x.logic.azure.com/w',
      GH_TOKEN: 'x',
    },
  });
});
afterAll(() => host?.stop());

const documented = [
  ...[
    'push.json',
    'push-2026-no-useragent.json',
    'delete.json',
    'chart-push.json',
    'quarantine.json',
    'ping.json',
  ].map((file) => loadFixture(`events/acr-webhook/${file}`)),
  ...[
    'image-pushed.json',
    'cloudevents-image-pushed.json',
    'chart-pushed.json',
    'subscription-validation.json',
  ].map((file) => loadFixture(`events/event-grid/${file}`)),
];

/** Documented payloads with one value anywhere replaced by anything JSON can hold. */
const mutated = fc
  .tuple(fc.constantFrom(...documented), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.jsonValue())
  .map(([base, path, value]) => mutate(structuredClone(base), path, value));

function mutate(node: unknown, path: number[], value: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined || node === null || typeof node !== 'object') return value;
  const keys = Object.keys(node);
  if (keys.length === 0) return value;
  const key = keys[step % keys.length] as string;
  (node as Record<string, unknown>)[key] =
    rest.length === 0 ? value : mutate((node as Record<string, unknown>)[key], rest, value);
  return node;
}

const body = fc.oneof(
  mutated.map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const headerValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_/;=+.:,"'.split('')), maxLength: 40 });
const request = fc.record({
  target: fc.constantFrom(
    '/api/acr/webhook',
    '/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=local-eventgrid-key',
  ),
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'OPTIONS'),
  contentType: fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/cloudevents+json',
      'text/plain',
    ),
    headerValue,
  ),
  authorization: fc.oneof(fc.constant(secret), fc.constant(secret), headerValue),
  extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), headerValue, { maxKeys: 3 }),
  eventType: fc.constantFrom(undefined, 'Notification', 'SubscriptionValidation', 'SubscriptionDeletion'),
  body,
});

describe('ingress under arbitrary input', () => {
  it('never answers 5xx for a client mistake and never crashes the host (10,000 requests)', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const response = await fetch(`${host.url}${r.target}`, {
          method: r.method,
          headers: {
            ...r.extra,
            'content-type': r.contentType,
            authorization: r.authorization,
            ...(r.eventType ? { 'aeg-event-type': r.eventType } : {}),
          },
          ...(r.method === 'GET' ? {} : { body: r.body }),
        });
        await response.arrayBuffer();
        if (response.status === 202) accepted += 1;
        // Event Grid deliveries the function cannot parse are acknowledged (a retry cannot fix them);
        // only storage failures may answer 5xx, and storage is healthy here.
        expect(response.status, `${r.method} ${r.target}`).toBeLessThan(500);
      }),
      { numRuns: 10_000, seed: 20261125 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
    expect(host.child.exitCode).toBeNull();
    expect(host.output()).not.toMatch(/local host error|unexpected:/);
  }, 240_000);
});
