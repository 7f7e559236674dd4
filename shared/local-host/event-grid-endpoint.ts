import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import type { HttpHostOptions } from './http-server';
import { send } from './http-server';
import { invoke } from './invoke';

/**
 * The app setting holding the key of the local Event Grid endpoint. In Azure the endpoint takes the
 * `eventgrid_extension` system key; locally nothing is open by default either.
 */
export const eventGridKeySetting = 'AUTOPILOT_LOCAL_EVENTGRID_KEY';

/** Why a delivery may not come in, or undefined when its key is right (compared in constant time). */
function checkKey(req: IncomingMessage, url: URL, expected: string | undefined): string | undefined {
  if (!expected) {
    return `the local Event Grid endpoint is closed: set ${eventGridKeySetting} in local.settings.json and call it with ?code=<that value>`;
  }
  const given = url.searchParams.get('code') ?? header(req, 'x-functions-key');
  if (!given) return `missing ?code= (the value of ${eventGridKeySetting}) on the Event Grid endpoint`;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected))
    ? undefined
    : `wrong ?code= for the Event Grid endpoint; use the value of ${eventGridKeySetting}`;
}

/**
 * Invocations of one delivery in flight at once. The Functions Event Grid extension starts one
 * invocation per event of a batch and waits for all of them; this bounds that, so a 1,000-event batch
 * does not open 1,000 storage requests at once.
 */
const eventConcurrency = 16;

/** The Event Grid handshake event type (the runtime answers it, not the function). */
const validationEventType = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/**
 * What the Functions Event Grid extension does at `/runtime/webhooks/eventgrid?functionName=…`:
 * answers the subscription-validation handshake (Event Grid schema: `aeg-event-type:
 * SubscriptionValidation` → 200 `{validationResponse}`; CloudEvents: OPTIONS with
 * `WebHook-Request-Origin` → `WebHook-Allowed-Origin`), then invokes the function once per event,
 * `eventConcurrency` at a time. A handler that throws fails the delivery with 500, so Event Grid
 * retries it (every event again; those already queued are answered as duplicates).
 */
export async function handleEventGridRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  options: HttpHostOptions,
): Promise<void> {
  const refusal = checkKey(req, url, options.eventGridKey);
  if (refusal) {
    options.log('warning', 'host', `Event Grid delivery refused: ${refusal}`);
    return send(res, 401, { error: refusal });
  }
  const functionName = url.searchParams.get('functionName') ?? '';
  const registration = options.registrations.find(
    (candidate) =>
      candidate.trigger.type === 'eventGridTrigger' &&
      candidate.name.toLowerCase() === functionName.toLowerCase(),
  );
  if (!registration) {
    const available = options.registrations
      .filter((r) => r.trigger.type === 'eventGridTrigger')
      .map((r) => r.name);
    return send(res, 404, {
      error: `no Event Grid function named "${functionName}"; use ?functionName=${available.join(' or ?functionName=') || '…'}`,
    });
  }
  if (req.method === 'OPTIONS') {
    const origin = header(req, 'webhook-request-origin');
    res.setHeader('Allow', 'POST, OPTIONS');
    if (origin) {
      res.setHeader('WebHook-Allowed-Origin', origin);
      res.setHeader('WebHook-Allowed-Rate', '*');
    }
    res.statusCode = 200;
    return void res.end();
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST, OPTIONS');
    return send(res, 405, { error: 'Event Grid delivers with POST' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 400, { error: 'body is not valid JSON' });
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const eventType = header(req, 'aeg-event-type');
  const validation = events.find(
    (event): event is { eventType: string; data?: { validationCode?: unknown } } =>
      typeof event === 'object' &&
      event !== null &&
      (event as { eventType?: unknown }).eventType === validationEventType,
  );
  if (eventType === 'SubscriptionValidation' || validation) {
    const code = validation?.data?.validationCode;
    if (typeof code !== 'string')
      return send(res, 400, { error: 'validation event without data.validationCode' });
    options.log('information', 'host', `Event Grid subscription validated for ${registration.name}`);
    return send(res, 200, { validationResponse: code });
  }
  if (eventType === 'SubscriptionDeletion') return send(res, 200, {});
  if (events.length === 0) return send(res, 400, { error: 'no events in the delivery' });

  let failed = 0;
  const limit = pLimit(eventConcurrency);
  await Promise.all(
    events.map((event) =>
      limit(async () => {
        try {
          await invoke(registration, event, options.log, {
            deliveryCount: header(req, 'aeg-delivery-count'),
          });
        } catch (error) {
          failed += 1;
          options.log(
            'error',
            registration.name,
            `failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }),
    ),
  );
  if (failed > 0)
    return send(res, 500, { error: `${failed} of ${events.length} event(s) failed; Event Grid will retry` });
  res.statusCode = 200;
  res.end();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
