import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { readJsonBody } from '../shared/adapters/http/read-json-body';
import { toHttpResponse } from '../shared/adapters/http/to-http-response';
import { verifySharedSecret } from '../shared/adapters/http/verify-shared-secret';
import { once } from '../shared/adapters/load-once';
import { timedIngress } from '../shared/adapters/telemetry/timed-ingress';
import { InvalidEventError } from '../shared/domain/errors';
import { deliveryRegion, regionHeader, regionQueryParameter } from '../shared/domain/ingest/record-arrival';
import { getRuntime, runtimeMetrics } from '../shared/runtime/composition-root';

/**
 * The parser and ingest logic, loaded at the first delivery rather than at cold start; the promise is
 * kept, so later deliveries do not go through the module loader again.
 */
const ingressModules = once(async () => {
  const [parser, ingest] = await Promise.all([
    import('../shared/domain/events/parse-acr-webhook.js'),
    import('../shared/domain/ingest/ingest-outcome.js'),
  ]);
  return { parseAcrWebhook: parser.parseAcrWebhook, ingestOutcome: ingest.ingestOutcome };
});

/**
 * ACR native webhook: authenticate the shared header, parse, dedupe, queue, answer. ACR waits 5 s and
 * never retries, so the answer must come from durable queue writes, not from doing the work.
 */
export async function acrWebhook(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const log = loggerFor(context);
  try {
    const runtime = await getRuntime(log);
    const { parseAcrWebhook, ingestOutcome } = await ingressModules();
    const header = runtime.loaded.config.ingress.webhookHeader;
    verifySharedSecret(request.headers.get(header), runtime.settings.webhookSecrets, header);
    // A regional webhook names its replica (`?region=` or `x-acr-region`) for the replication gate.
    const region = deliveryRegion(request.query.get(regionQueryParameter), request.headers.get(regionHeader));
    if (typeof region === 'object') throw new InvalidEventError('invalid ACR webhook delivery', [region]);
    const body = await readJsonBody(request);
    const answer = await ingestOutcome(
      runtime.ingestDeps(log),
      parseAcrWebhook(body, runtime.parseContext()),
      'ACR webhook',
      { region, via: 'acr-webhook' },
    );
    if (answer.kind !== 'accepted')
      return { status: 200, jsonBody: { ignored: answer.kind === 'ignored' ? answer.reason : answer.kind } };
    return {
      status: 202,
      jsonBody: {
        accepted: answer.dedupeKey,
        actions: answer.actions,
        ...(answer.duplicate ? { duplicate: true } : {}),
      },
    };
  } catch (error) {
    return toHttpResponse(error, log);
  }
}

app.http('acrWebhook', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'acr/webhook',
  handler: timedIngress('acrWebhook', acrWebhook, runtimeMetrics),
});
