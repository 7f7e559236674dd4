import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { toHttpResponse } from '../shared/adapters/http/to-http-response';
import { ConfigError } from '../shared/domain/errors';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * `POST /api/retention/run[?apply=true][&registry=NAME]` (function key): plans retention now and
 * answers the plan JSON; `apply=true` also deletes, unless `retention.dryRun` is true (409: the
 * deployed app deletes nothing while the config says dry run). A registry another run is applying in
 * is not touched (409, "already running").
 */
export async function retentionRun(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const log = loggerFor(context);
  try {
    const runtime = await getRuntime(log);
    const { retentionRunJson } = await import('../shared/domain/retention/retention-run-json.js');
    const { runRetention, selectRegistries } = await import('../shared/domain/retention/run-retention.js');
    const retention = runtime.loaded.config.retention;
    if (!retention) {
      return {
        status: 404,
        jsonBody: { error: 'retention is not configured: add a retention section to autopilot.yaml' },
      };
    }
    const apply = /^(true|1|yes)$/i.test(request.query.get('apply') ?? '');
    const names = request.query
      .getAll('registry')
      .flatMap((value) => value.split(','))
      .filter(Boolean);
    try {
      selectRegistries(retention, names);
    } catch (error) {
      if (error instanceof ConfigError) return { status: 400, jsonBody: { error: error.message } };
      throw error;
    }
    if (apply && retention.dryRun) {
      return {
        status: 409,
        jsonBody: {
          error:
            'retention.dryRun is true in autopilot.yaml, so the app deletes nothing; set dryRun: false to apply, or call without apply=true for the plan',
        },
      };
    }
    const runId = `http-${context.invocationId}`;
    const result = await runRetention(runtime.retentionDeps(log), {
      trigger: 'http',
      runId,
      correlationId: context.invocationId,
      apply,
      registries: names,
      notify: retention.notify ?? [],
    });
    const busy = result.registries.some((run) => run.status === 'busy');
    return { status: busy ? 409 : 200, jsonBody: retentionRunJson(result) };
  } catch (error) {
    return toHttpResponse(error, log);
  }
}

app.http('retentionRun', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'retention/run',
  handler: retentionRun,
});
