import { QueueServiceClient } from '@azure/storage-queue';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArgs, writeCatchAllConfig } from '../../helpers/e2e-app';
import { loadFixture } from '../../helpers/fixtures';
import { startLocalHostProcess, type RunningHost } from '../../helpers/local-host-process';
import { recordRow, repeats, tally } from '../../helpers/reliability-row';

/**
 * Reliability: 10,000 requests with fuzzed bodies, headers and methods at both ingress endpoints. No
 * answer may be a 5xx (a client mistake is a 4xx; storage is healthy here), the host must live on, and
 * every event ingress accepted must be on image-events exactly once (no fan-out runs here, so they
 * stay there to be counted).
 */

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

/** The dedupe key of every message on `queue`, read by receiving them all (they come back later). */
async function dedupeKeysOn(connectionString: string, queue: string): Promise<string[]> {
  const client = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queue);
  const keys: string[] = [];
  const ids = new Set<string>();
  for (;;) {
    const { receivedMessageItems: items } = await client.receiveMessages({
      numberOfMessages: 32,
      visibilityTimeout: 600,
    });
    const fresh = items.filter((item) => !ids.has(item.messageId));
    if (fresh.length === 0) return keys;
    for (const item of fresh) {
      ids.add(item.messageId);
      const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as {
        dedupeKey?: string;
      };
      keys.push(message.dedupeKey ?? `(no dedupe key: ${item.messageId})`);
    }
  }
}

describe('ingress under arbitrary input', () => {
  it('never answers 5xx for a client mistake and never crashes the host (10,000 requests)', async ({
    task,
  }) => {
    let accepted = 0;
    let answered = 0;
    /** Dedupe keys of webhook events that were queued (now or by an earlier delivery). */
    const queuedKeys = new Set<string>();
    let failure: unknown;
    const run = fc.assert(
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
        const text = await response.text();
        if (response.status < 500) answered += 1;
        if (response.status === 202) accepted += 1;
        if (response.status === 202 && r.target === '/api/acr/webhook') {
          const answer = JSON.parse(text) as { accepted: string; actions: number; duplicate?: boolean };
          if (answer.actions > 0 || answer.duplicate) queuedKeys.add(answer.accepted);
        }
        // Event Grid deliveries the function cannot parse are acknowledged (a retry cannot fix them);
        // only storage failures may answer 5xx, and storage is healthy here.
        expect(response.status, `${r.method} ${r.target}`).toBeLessThan(500);
      }),
      { numRuns: 10_000, seed: 20261125 },
    );
    await run.catch((error: unknown) => (failure = error));
    // A 5xx ends the run (fast-check then shrinks it): the row shows what was seen until then.
    const queued = failure === undefined ? await dedupeKeysOn(host.storage, 'image-events') : [];
    const counts = tally(failure === undefined ? [...queuedKeys] : [], queued);
    recordRow(task, {
      scenario: '10,000 fuzzed bodies: no 5xx, accepted queued once',
      eventsIn: 10_000,
      reactionsOut: answered,
      lost: Math.max(0, 10_000 - answered) + counts.lost,
      duplicated: counts.duplicated,
      // Event Grid answers do not name the events they accepted: their messages are not "expected".
      unexpected: 0,
    });
    if (failure !== undefined) throw failure;
    expect(accepted).toBeGreaterThan(0);
    expect(queuedKeys.size).toBeGreaterThan(0);
    expect(counts.lost).toBe(0);
    expect(repeats(queued)).toEqual({});
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
    expect(host.child.exitCode).toBeNull();
    expect(host.output()).not.toMatch(/local host error|unexpected:/);
  }, 240_000);
});
