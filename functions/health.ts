import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { toHttpResponse } from '../shared/adapters/http/to-http-response';
import { describeHealth } from '../shared/runtime/describe-health';
import { getRuntime } from '../shared/runtime/composition-root';

/** Liveness plus what the app runs with: config file, rule count, configuration warnings. */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const log = loggerFor(context);
  try {
    return { status: 200, jsonBody: describeHealth(await getRuntime(log)) };
  } catch (error) {
    return toHttpResponse(error, log);
  }
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: health });
