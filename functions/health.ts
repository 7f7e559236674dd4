import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { describeHealth } from '../shared/runtime/describe-health';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * Liveness for load balancers and uptime checks: 200 `ok` when the configuration loaded and storage
 * answers, 503 `degraded` when storage does not, 503 `misconfigured` when the app cannot start. No
 * detail: the caller is anonymous; the log says what is wrong.
 */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const log = loggerFor(context);
  try {
    const report = await describeHealth(await getRuntime(log));
    if (report.status !== 'ok') log.warn(`health: ${JSON.stringify(report.checks)}`);
    return { status: report.status === 'ok' ? 200 : 503, jsonBody: report };
  } catch (error) {
    log.error(`health: the app cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return { status: 503, jsonBody: { status: 'misconfigured' } };
  }
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: health });
