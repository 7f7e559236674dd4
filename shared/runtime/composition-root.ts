import { setTimeout as delay } from 'node:timers/promises';
import { readAppSettings, type AppSettings } from '../config/app-settings';
import type { LoadedConfig } from '../config/load-config';
import type { TriggerDeps } from '../adapters/deploy/deploy-triggers';
import type { OutboundClient } from '../adapters/http/outbound-client';
import type { EntraVerifier } from '../adapters/http/verify-entra-token';
import { once } from '../adapters/load-once';
import { consoleLogger } from '../adapters/log/console-logger';
import type { ConsumerDeps } from '../adapters/queue/queue-consumer';
import type { RegistryBackendDeps } from '../adapters/registry/create-registry-backend';
import type { ExporterOptions } from '../adapters/telemetry/azure-monitor';
import type { Telemetry } from '../adapters/telemetry/telemetry';
import { ConfigError, formatIssuesInline } from '../domain/errors';
import type { DeployDeps, DeployTriggers } from '../domain/deploy/deploy-ports';
import type { ParseContext } from '../domain/events/parse-outcome';
import type { IngestDeps } from '../domain/ingest/ingest-event';
import type { QueueContract } from '../domain/messages/queue-contract';
import type { NotifyDeps } from '../domain/notify/notify-types';
import type { PinDeps } from '../domain/pinning/pin-ports';
import type { RetentionDeps } from '../domain/retention/run-retention';
import type {
  Clock,
  DedupeStore,
  GitReader,
  GitWriter,
  Logger,
  Metrics,
  QueueSender,
  StateStore,
} from '../domain/ports';
import { noMetrics } from '../domain/ports';

/**
 * What the runtime is built from, loaded when the first runtime is built, not when this module is:
 * the Functions host imports every function module (and so this one) at cold start, and the config
 * schema, the storage SDKs and the rest would cost it about 300 ms before anything else.
 */
async function loadWiring() {
  return {
    ...(await import('../config/load-config.js')),
    ...(await import('../adapters/storage-clients.js')),
    ...(await import('../adapters/queue/storage-queue-sender.js')),
    ...(await import('../adapters/table/table-dedupe-store.js')),
    ...(await import('../adapters/table/table-region-arrivals.js')),
    ...(await import('../adapters/table/table-trace-store.js')),
    ...(await import('../adapters/table/table-state-store.js')),
    ...(await import('../adapters/http/outbound-client.js')),
    ...(await import('../adapters/http/verify-entra-token.js')),
    ...(await import('../adapters/deploy/access-tokens.js')),
    ...(await import('../adapters/deploy/deploy-triggers.js')),
    ...(await import('../adapters/git/pull-requests.js')),
    ...(await import('../adapters/registry/create-registry-backend.js')),
    ...(await import('../adapters/teams/post-to-workflows.js')),
    ...(await import('../adapters/telemetry/telemetry.js')),
    ...(await import('../domain/config/outbound-hosts.js')),
    ...(await import('../domain/retry/retry-policy.js')),
    ...(await import('./parse-context.js')),
  };
}

/** Table holding dedupe and idempotency records (table names are alphanumeric only). */
export const dedupeTable = 'autopilotdedupe';
/** Table holding small documents with ETag concurrency, e.g. open bursts. */
export const stateTable = 'autopilotstate';

/** Per Teams post; the queue's retries cover longer outages. */
const teamsTimeoutMs = 10_000;

/** Everything a function needs, built once per worker from app settings and autopilot.yaml. */
export interface Runtime {
  settings: AppSettings;
  loaded: LoadedConfig;
  queue: QueueSender;
  dedupe: DedupeStore;
  /** The one outbound HTTP client, with the config's host allow-list. */
  http: OutboundClient;
  clock: Clock;
  /** Counters and the ingress latency histogram; counts nothing when telemetry is off. */
  metrics: Metrics;
  /** OpenTelemetry to Application Insights, when APPLICATIONINSIGHTS_CONNECTION_STRING is set. */
  telemetry: Telemetry | undefined;
  parseContext(): ParseContext;
  ingestDeps(log: Logger): IngestDeps;
  /** What the queue-consumer runner needs for one queue: the sender, the log and that action's budget. */
  consumerDeps(log: Logger, contract: Pick<QueueContract<unknown>, 'action'>): ConsumerDeps;
  pinDeps(log: Logger): PinDeps;
  deployDeps(log: Logger): DeployDeps;
  /** The bearer-token check of `POST /api/acr/eventgrid`; undefined when `ingress.eventGrid.entra` is unset. */
  entraVerifier(): EntraVerifier | undefined;
  /** Whether the queues and tables answer, within a few seconds (for /api/health). */
  probeStorage(): Promise<{ queues: boolean; tables: boolean }>;
  notifyDeps(log: Logger): NotifyDeps;
  /** Registries, the gitops reader, the state table (leases, debounce) and the queue, for retention runs. */
  retentionDeps(log: Logger): RetentionDeps & { state: StateStore };
}

/**
 * Builds everything once per worker from app settings: config (validated at cold start), storage
 * clients, the outbound client, the git writer. Functions call `getRuntime()`; tests build one with
 * `createRuntime()` and hand it over with `useRuntime()`.
 */
export async function createRuntime(
  settings: AppSettings,
  log?: Logger,
  options: {
    clock?: Clock;
    /** Tests: a token source, fast sleeps and short follow-ups for the deploy triggers. */
    deploy?: Partial<Pick<TriggerDeps, 'tokens' | 'sleep' | 'runLookup' | 'armFollow'>>;
    /** Tests: an ACR credential and SDK options (a trusted test CA), and fast sleeps between retries. */
    retention?: { acr?: RegistryBackendDeps['acr']; sleep?: (ms: number) => Promise<void> };
    /** Tests: exporter options for a loopback ingestion server (its CA, no offline storage). */
    telemetryExporter?: ExporterOptions;
  } = {},
): Promise<Runtime> {
  const {
    loadConfig,
    createQueueServiceClient,
    createTableClient,
    createQueueSender,
    createTableDedupeStore,
    createTableRegionArrivals,
    createTableTraceStore,
    createTableStateStore,
    createOutboundClient,
    createEntraVerifier,
    createAzureAccessTokens,
    createDeployTriggers,
    createPullRequests,
    registryBackends,
    createTeamsPoster,
    startTelemetryInBackground,
    observedLogger,
    outboundHosts,
    defaultRetryPolicy,
    parseContextFor,
  } = await loadWiring();
  const loaded = await loadConfig(settings.configPath, settings.env, {
    optional: settings.development,
  });
  const warnings = [...loaded.settingProblems, ...loaded.warnings];
  if (warnings.length > 0) log?.warn(`configuration warnings: ${formatIssuesInline(warnings)}`);
  const storage = settings.storage;
  if (!storage) {
    throw new ConfigError(
      'app setting AzureWebJobsStorage is not set (nor AzureWebJobsStorage__queueServiceUri and __tableServiceUri); the app needs storage for its queues and dedupe table',
    );
  }
  const { config } = loaded;
  // Loaded only when the setting is there (without it, no OpenTelemetry module is imported at all),
  // and in the background: the first invocation does not wait for it (nor logs for it, once done).
  const telemetry = startTelemetryInBackground(
    settings.applicationInsightsConnectionString,
    consoleLogger,
    options.telemetryExporter,
  );
  const metrics = telemetry?.metrics ?? noMetrics;
  const observe = (logger: Logger) => observedLogger(logger, telemetry);
  const queueService = createQueueServiceClient(storage);
  const dedupeClient = createTableClient(storage, dedupeTable);
  const queue = createQueueSender(queueService);
  const dedupe = createTableDedupeStore(dedupeClient);
  // Region arrivals live in the dedupe table, so the nightly prune removes them too.
  const arrivals = createTableRegionArrivals(dedupeClient);
  // Trace records (acr-autopilot trace) too: they expire with the dedupe records.
  const trace = createTableTraceStore(dedupeClient);
  const http = createOutboundClient({
    allowedHosts: outboundHosts(config),
    allowInsecureLoopback: settings.allowInsecureLoopback,
    // Retries in the worker only bridge blips; anything longer is the queue's job (retry.<action>).
    log: consoleLogger,
  });
  const setting = (name: string) => settings.env[name];
  const clock = options.clock ?? (() => new Date());
  const sleep = (ms: number) => delay(ms);
  // Shared by every invocation of the worker, their libraries loaded on first use: the git writer
  // queues pins to the same branch in one lane, which only works with one instance; its lines go to
  // the console (they may be about several invocations at once) and carry the event ids.
  const writer = gitWriter(http);
  let state: StateStore | undefined;
  const stateStore = () => (state ??= createTableStateStore(createTableClient(storage, stateTable)));
  let backends: RetentionDeps['backendFor'] | undefined;
  const reader = gitReader(http);
  let verifier: EntraVerifier | undefined;
  let triggers: DeployTriggers | undefined;
  const pullRequests = createPullRequests({ http });

  return {
    settings,
    loaded,
    queue,
    dedupe,
    http,
    clock,
    metrics,
    telemetry,
    parseContext: () => parseContextFor(config),
    entraVerifier() {
      const entra = config.ingress.eventGrid.entra;
      if (!entra) return undefined;
      verifier ??= createEntraVerifier(entra, { http, clock });
      return verifier;
    },
    async probeStorage() {
      const answers = async (probe: (signal: AbortSignal) => Promise<unknown>) => {
        try {
          await probe(AbortSignal.timeout(3_000));
          return true;
        } catch (error) {
          // A missing table is fine (created on first use); only no answer counts as down.
          return (error as { statusCode?: unknown }).statusCode === 404;
        }
      };
      const [queues, tables] = await Promise.all([
        answers((abortSignal) => queueService.getProperties({ abortSignal })),
        answers(async (abortSignal) => {
          await dedupeClient.listEntities({ abortSignal }).byPage({ maxPageSize: 1 }).next();
        }),
      ]);
      return { queues, tables };
    },
    ingestDeps: (logger) => ({
      config,
      dedupe,
      queue,
      clock,
      log: observe(logger),
      arrivals,
      metrics,
      trace,
    }),
    consumerDeps: (logger, contract) => ({
      queue,
      trace,
      log: observe(logger),
      metrics,
      clock,
      random: Math.random,
      retry: contract.action === 'fan-out' ? defaultRetryPolicy : config.retry[contract.action],
    }),
    pinDeps(logger) {
      return { config, setting, writer, pullRequests, queue, log: logger };
    },
    deployDeps(logger) {
      // Shared by the worker's invocations, like the git writer; Entra credentials load on first use.
      triggers ??= createDeployTriggers({
        http,
        setting,
        tokens: createAzureAccessTokens(),
        clock,
        sleep,
        log: consoleLogger,
        ...options.deploy,
      });
      return { config, triggers, dedupe, arrivals, queue, clock, log: logger };
    },
    notifyDeps(logger) {
      return {
        config,
        setting,
        poster: createTeamsPoster({
          http,
          timeoutMs: teamsTimeoutMs,
          // The poster's "accepted" line repeats the use case's "posted" line.
          log: { info: (message) => logger.debug(message) },
          allowInsecureLoopback: settings.allowInsecureLoopback,
        }),
        queue,
        dedupe,
        state: stateStore(),
        clock,
        log: logger,
      };
    },
    retentionDeps(logger) {
      // Built once per worker: registry clients keep their tokens between runs.
      backends ??= registryBackends({
        http,
        setting,
        log: consoleLogger,
        ...(options.retention?.acr ? { acr: options.retention.acr } : {}),
      });
      return {
        config,
        setting,
        backendFor: backends,
        git: reader,
        state: stateStore(),
        queue,
        clock,
        log: observe(logger),
        metrics,
        sleep: options.retention?.sleep ?? sleep,
      };
    },
  };
}

/** The git writer, with isomorphic-git loaded at the first pin rather than at cold start. */
function gitWriter(http: OutboundClient): GitWriter {
  const loading = once(async () =>
    (await import('../adapters/git/git-write-back.js')).createGitWriteBack({
      http,
      log: (message) => consoleLogger.info(message),
    }),
  );
  return { writeBack: async (input, edit) => (await loading()).writeBack(input, edit) };
}

/** The git reader (retention), with isomorphic-git loaded at its first read. */
function gitReader(http: OutboundClient): GitReader {
  const loading = once(async () => (await import('../adapters/git/git-read.js')).createGitReader({ http }));
  return { read: async (input, reader) => (await loading()).read(input, reader) };
}

let current: Promise<Runtime> | undefined;

/**
 * The worker's runtime, built on first use. A failed build is not cached: the next invocation tries
 * again (and reports the same actionable error until the config or setting is fixed).
 */
export function getRuntime(log?: Logger): Promise<Runtime> {
  if (!current) {
    const building = createRuntime(readAppSettings(), log);
    current = building;
    building.catch(() => {
      if (current === building) current = undefined;
    });
  }
  return current;
}

/** The metrics of the runtime built so far; none while it is being built or when building failed. */
export function runtimeMetrics(): Promise<Metrics> {
  return current
    ? current.then(
        (runtime) => runtime.metrics,
        () => noMetrics,
      )
    : Promise.resolve(noMetrics);
}

/** Makes `getRuntime()` answer with this runtime (tests); `undefined` goes back to app settings. */
export function useRuntime(runtime: Runtime | Promise<Runtime> | undefined): void {
  current = runtime === undefined ? undefined : Promise.resolve(runtime);
}
