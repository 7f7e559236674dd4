import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { readJsonBody } from '../shared/adapters/http/read-json-body';
import { toHttpResponse } from '../shared/adapters/http/to-http-response';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { timedIngress } from '../shared/adapters/telemetry/timed-ingress';
import { getRuntime, runtimeMetrics } from '../shared/runtime/composition-root';

/**
 * Event Grid over plain HTTP, for Microsoft Entra protected delivery: the Event Grid trigger never
 * shows the Authorization header to code (next.md §2), this endpoint checks the bearer token itself.
 * It answers both validation handshakes, then feeds the same ingest path as the trigger and the
 * webhook. Enabled by `ingress.eventGrid.entra` in autopilot.yaml; 404 otherwise.
 */
export async function acrEventGridHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const log = loggerFor(context);
  try {
    const runtime = await getRuntime(log);
    const { parseEventGridDelivery } = await import('../shared/domain/events/parse-event-grid.js');
    const { ingestDelivery } = await import('../shared/domain/ingest/ingest-delivery.js');
    const verifier = runtime.entraVerifier();
    if (!verifier) {
      return {
        status: 404,
        jsonBody: {
          error:
            'Entra-protected Event Grid delivery is not enabled; set ingress.eventGrid.entra in autopilot.yaml, or subscribe the acrEventGrid function',
        },
      };
    }
    if (request.method === 'OPTIONS') {
      // CloudEvents abuse protection handshake (CloudEvents webhook spec §4).
      const origin = request.headers.get('webhook-request-origin');
      return {
        status: 200,
        headers: {
          Allow: 'POST, OPTIONS',
          ...(origin ? { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*' } : {}),
        },
      };
    }
    await verifier.verify(request.headers.get('authorization'));
    const body = await readJsonBody(request);
    const answer = await ingestDelivery(
      runtime.ingestDeps(log),
      parseEventGridDelivery(body, runtime.parseContext()),
      { via: 'event-grid-http' },
    );
    if (answer.kind === 'validation') {
      log.info('Event Grid subscription validated');
      return { status: 200, jsonBody: { validationResponse: answer.validationCode } };
    }
    const allInvalid = answer.invalid.length > 0 && answer.accepted + answer.ignored === 0;
    // 400 is not retried by Event Grid (it dead-letters): right for events that can never be read.
    return allInvalid
      ? { status: 400, jsonBody: { error: 'invalid Event Grid delivery', details: answer.invalid } }
      : {
          status: 200,
          jsonBody: { accepted: answer.accepted, ignored: answer.ignored, invalid: answer.invalid.length },
        };
  } catch (error) {
    return toHttpResponse(error, log);
  }
}

app.http('acrEventGridHttp', {
  methods: ['POST', 'OPTIONS'],
  authLevel: 'function',
  route: 'acr/eventgrid',
  handler: timedIngress('acrEventGridHttp', acrEventGridHttp, runtimeMetrics),
});
