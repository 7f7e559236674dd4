import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import type { Attributes } from '@opentelemetry/api';
import type { LogFields, Metrics } from '../../domain/ports';
import type { LogLevel, Telemetry } from './telemetry';

/**
 * OpenTelemetry through the Azure Monitor distro, whose packages are imported on the first call only
 * (types alone are imported above), so a worker without `APPLICATIONINSIGHTS_CONNECTION_STRING`
 * never loads them. The auto-instrumentations, Live Metrics,
 * performance counters and standard metrics off: the Functions host already records requests and
 * its own logs; what the app adds is its decisions (log records with `correlationId` and `dedupeKey`
 * as customDimensions), its counters and the ingress latency.
 */

/** Instrumentation scope of every instrument and log record. */
const telemetryScope = 'acr-autopilot';

/** Metric names as they appear in App Insights `customMetrics` (the attributes in customDimensions). */
const metricNames = {
  /** Attributes: `outcome` (accepted, ignored, invalid, duplicate), `source`. */
  events: 'autopilot.events',
  /** Attributes: `action` (fan-out, pin, deploy, notify, retention), `outcome` (succeeded, failed, retried, parked). */
  actions: 'autopilot.actions',
  /** Attribute: `registry`. */
  tagsDeleted: 'autopilot.retention.tags_deleted',
  /** Milliseconds; attributes: `endpoint` (the function), `status` (HTTP status, or ok/error). */
  ingressLatency: 'autopilot.ingress.duration',
} as const;

/** Tests: more exporter options, e.g. `tlsOptions` trusting the CA of a loopback ingestion server. */
export type ExporterOptions = Omit<
  NonNullable<AzureMonitorOpenTelemetryOptions['azureMonitorExporterOptions']>,
  'connectionString'
>;

let started: { connectionString: string; telemetry: Telemetry } | undefined;

/**
 * Starts the distro once per process (it owns the global OpenTelemetry providers); a second call with
 * the same connection string answers the same telemetry, another one restarts it.
 */
export async function startAzureMonitor(
  connectionString: string,
  exporter: ExporterOptions = {},
): Promise<Telemetry> {
  if (started?.connectionString === connectionString) return started.telemetry;
  if (started) await started.telemetry.shutdown();
  const [{ useAzureMonitor, shutdownAzureMonitor }, { metrics: otelMetrics }, { logs, SeverityNumber }] =
    await Promise.all([
      import('@azure/monitor-opentelemetry'),
      import('@opentelemetry/api'),
      import('@opentelemetry/api-logs'),
    ]);
  const severity: Record<LogLevel, number> = {
    debug: SeverityNumber.DEBUG,
    info: SeverityNumber.INFO,
    warn: SeverityNumber.WARN,
    error: SeverityNumber.ERROR,
  };
  useAzureMonitor({
    azureMonitorExporterOptions: { ...exporter, connectionString },
    enableLiveMetrics: false,
    enablePerformanceCounters: false,
    enableStandardMetrics: false,
    enableTraceBasedSamplingForLogs: false,
    instrumentationOptions: {
      azureSdk: { enabled: false },
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
  });
  const meter = otelMetrics.getMeter(telemetryScope);
  const events = meter.createCounter(metricNames.events, {
    description: 'Events at ingress by outcome: accepted, ignored, invalid, duplicate',
  });
  const actions = meter.createCounter(metricNames.actions, {
    description: 'Runs of queued actions by outcome: succeeded, failed, retried, parked',
  });
  const tagsDeleted = meter.createCounter(metricNames.tagsDeleted, {
    description: 'Tags removed by retention runs',
  });
  const ingressLatency = meter.createHistogram(metricNames.ingressLatency, {
    description: 'Time from request to answer at the ingress functions',
    unit: 'ms',
  });
  const logger = logs.getLogger(telemetryScope);

  const metrics: Metrics = {
    event: (outcome, source) => events.add(1, { outcome, source }),
    action: (action, outcome) => actions.add(1, { action, outcome }),
    tagsDeleted: (count, registry) => {
      if (count > 0) tagsDeleted.add(count, { registry });
    },
    ingressLatency: (ms, endpoint, status) => ingressLatency.record(ms, { endpoint, status: String(status) }),
  };
  const flush = async () => {
    await Promise.all([forceFlush(otelMetrics.getMeterProvider()), forceFlush(logs.getLoggerProvider())]);
  };
  const telemetry: Telemetry = {
    metrics,
    log(level, message, fields) {
      logger.emit({
        severityNumber: severity[level],
        severityText: level.toUpperCase(),
        body: message,
        attributes: attributesOf(fields),
      });
    },
    flush,
    async shutdown() {
      if (started?.telemetry !== telemetry) return;
      started = undefined;
      await shutdownAzureMonitor();
    },
  };
  started = { connectionString, telemetry };
  return telemetry;
}

/** The SDK providers flush on demand; the API's types do not say so. */
async function forceFlush(provider: unknown): Promise<void> {
  const flushable = provider as { forceFlush?: () => Promise<void> };
  if (typeof flushable.forceFlush === 'function') await flushable.forceFlush();
}

function attributesOf(fields: LogFields): Attributes {
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) attributes[name] = value;
  return attributes;
}
