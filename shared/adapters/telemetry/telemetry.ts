import { applicationInsightsSetting } from '../../config/app-settings';
import type { LogFields, Logger, Metrics } from '../../domain/ports';
import { startAzureMonitor, type ExporterOptions } from './azure-monitor';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** OpenTelemetry for the worker: the app's counters and histogram, its decision lines, and a flush. */
export interface Telemetry {
  metrics: Metrics;
  /** A decision line as a log record whose attributes are the fields (customDimensions in App Insights). */
  log(level: LogLevel, message: string, fields: LogFields): void;
  /** Exports what is pending now (metrics are otherwise exported once a minute). */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry with the Azure Monitor exporter when the connection string is set, and loads
 * nothing otherwise: the OpenTelemetry packages are imported here, on first use, so a worker without
 * `APPLICATIONINSIGHTS_CONNECTION_STRING` does not pay for them at cold start. Telemetry never stops
 * the app: when it cannot start, that is logged and events are processed without it.
 */
export async function startTelemetry(
  connectionString: string | undefined,
  log?: Pick<Logger, 'warn'>,
  exporter?: ExporterOptions,
): Promise<Telemetry | undefined> {
  if (!connectionString) return undefined;
  try {
    return await startAzureMonitor(connectionString, exporter);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replaceAll(
      connectionString,
      applicationInsightsSetting,
    );
    log?.warn(
      `app setting ${applicationInsightsSetting} is set, but telemetry could not start (${reason}); ` +
        'events are processed without it. Check the connection string of the Application Insights resource',
    );
    return undefined;
  }
}

/** Calls kept while the distro loads; beyond this many (a burst on a cold worker) they are dropped. */
const maxPendingCalls = 10_000;

/**
 * Telemetry usable at once while the distro loads in the background (a second or two of imports):
 * calls made meanwhile are kept and replayed once it has started, so the first webhook of a cold
 * worker (ACR waits 5 s) is not held up by it. `flush` and `shutdown` wait for the start. Undefined
 * without a connection string: nothing is loaded then.
 */
export function startTelemetryInBackground(
  connectionString: string | undefined,
  log?: Pick<Logger, 'warn'>,
  exporter?: ExporterOptions,
): Telemetry | undefined {
  if (!connectionString) return undefined;
  let started: Telemetry | undefined;
  let pending: ((telemetry: Telemetry) => void)[] | undefined = [];
  const ready = startTelemetry(connectionString, log, exporter).then((telemetry) => {
    const calls = pending ?? [];
    pending = undefined;
    started = telemetry;
    if (telemetry) for (const call of calls) call(telemetry);
    return telemetry;
  });
  const call = (use: (telemetry: Telemetry) => void): void => {
    if (started) use(started);
    else if (pending && pending.length < maxPendingCalls) pending.push(use);
  };
  return {
    metrics: {
      event: (outcome, source) => call((telemetry) => telemetry.metrics.event(outcome, source)),
      action: (action, outcome) => call((telemetry) => telemetry.metrics.action(action, outcome)),
      tagsDeleted: (count, registry) => call((telemetry) => telemetry.metrics.tagsDeleted(count, registry)),
      ingressLatency: (ms, endpoint, status) =>
        call((telemetry) => telemetry.metrics.ingressLatency(ms, endpoint, status)),
    },
    log: (level, message, fields) => call((telemetry) => telemetry.log(level, message, fields)),
    flush: async () => (await ready)?.flush(),
    shutdown: async () => (await ready)?.shutdown(),
  };
}

/**
 * The logger, also sending every line that carries fields (the decision lines) to telemetry, so App
 * Insights can be queried by `customDimensions.dedupeKey`. The text line is written as before.
 */
export function observedLogger(logger: Logger, telemetry: Telemetry | undefined): Logger {
  if (!telemetry) return logger;
  const tee =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      logger[level](message, fields);
      if (!fields) return;
      try {
        telemetry.log(level, message, fields);
      } catch {
        // Telemetry is best effort: a failing exporter never fails the decision it reports.
      }
    };
  return { debug: tee('debug'), info: tee('info'), warn: tee('warn'), error: tee('error') };
}
