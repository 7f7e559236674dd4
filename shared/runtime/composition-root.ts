import { readAppSettings, type AppSettings } from '../config/app-settings';
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { createGitWriteBack } from '../adapters/git/git-write-back';
import { createPullRequests } from '../adapters/git/pull-requests';
import { createOutboundClient, type OutboundClient } from '../adapters/http/outbound-client';
import { consoleLogger } from '../adapters/log/console-logger';
import type { ConsumerDeps } from '../adapters/queue/queue-consumer';
import { createQueueSender } from '../adapters/queue/storage-queue-sender';
import { createQueueServiceClient, createTableClient } from '../adapters/storage-clients';
import { createTableDedupeStore } from '../adapters/table/table-dedupe-store';
import { createTableStateStore } from '../adapters/table/table-state-store';
import { createTeamsPoster } from '../adapters/teams/post-to-workflows';
import { outboundHosts } from '../domain/config/outbound-hosts';
import { ConfigError, formatIssues } from '../domain/errors';
import type { ParseContext } from '../domain/events/parse-outcome';
import type { IngestDeps } from '../domain/ingest/ingest-event';
import type { QueueContract } from '../domain/messages/queue-contract';
import type { NotifyDeps } from '../domain/notify/notify-types';
import type { PinDeps } from '../domain/pinning/pin-ports';
import type { Clock, DedupeStore, GitWriter, Logger, QueueSender, StateStore } from '../domain/ports';
import { defaultRetryPolicy } from '../domain/retry/retry-policy';
import { parseContextFor } from './parse-context';

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
  parseContext(): ParseContext;
  ingestDeps(log: Logger): IngestDeps;
  /** What the queue-consumer runner needs for one queue: the sender, the log and that action's budget. */
  consumerDeps(log: Logger, contract: Pick<QueueContract<unknown>, 'action'>): ConsumerDeps;
  pinDeps(log: Logger): PinDeps;
  notifyDeps(log: Logger): NotifyDeps;
}

/**
 * Builds everything once per worker from app settings: config (validated at cold start), storage
 * clients, the outbound client, the git writer. Functions call `getRuntime()`; tests build one with
 * `createRuntime()` and hand it over with `useRuntime()`.
 */
export async function createRuntime(
  settings: AppSettings,
  log?: Logger,
  options: { clock?: Clock } = {},
): Promise<Runtime> {
  const loaded = await loadConfig(settings.configPath, settings.env, {
    optional: settings.development,
  });
  const warnings = [...loaded.settingProblems, ...loaded.warnings];
  if (warnings.length > 0) log?.warn(`configuration warnings:\n${formatIssues(warnings)}`);
  const storage = settings.storage;
  if (!storage) {
    throw new ConfigError(
      'app setting AzureWebJobsStorage is not set (nor AzureWebJobsStorage__queueServiceUri and __tableServiceUri); the app needs storage for its queues and dedupe table',
    );
  }
  const { config } = loaded;
  const queue = createQueueSender(createQueueServiceClient(storage));
  const dedupe = createTableDedupeStore(createTableClient(storage, dedupeTable));
  const http = createOutboundClient({
    allowedHosts: outboundHosts(config),
    allowInsecureLoopback: settings.allowInsecureLoopback,
    // Retries in the worker only bridge blips; anything longer is the queue's job (retry.<action>).
    log: consoleLogger,
  });
  const setting = (name: string) => settings.env[name];
  const clock = options.clock ?? (() => new Date());
  // Built on first use and shared by every invocation of the worker: the git writer queues pins to
  // the same branch in one lane, which only works with one instance; its lines go to the console
  // (they may be about several invocations at once) and carry the event ids.
  let writer: GitWriter | undefined;
  let state: StateStore | undefined;
  const pullRequests = createPullRequests({ http });

  return {
    settings,
    loaded,
    queue,
    dedupe,
    http,
    clock,
    parseContext: () => parseContextFor(config),
    ingestDeps: (logger) => ({ config, dedupe, queue, clock, log: logger }),
    consumerDeps: (logger, contract) => ({
      queue,
      log: logger,
      clock,
      random: Math.random,
      retry: contract.action === 'fan-out' ? defaultRetryPolicy : config.retry[contract.action],
    }),
    pinDeps(logger) {
      writer ??= createGitWriteBack({ http, log: (message) => consoleLogger.info(message) });
      return { config, setting, writer, pullRequests, queue, log: logger };
    },
    notifyDeps(logger) {
      state ??= createTableStateStore(createTableClient(storage, stateTable));
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
        state,
        clock,
        log: logger,
      };
    },
  };
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

/** Makes `getRuntime()` answer with this runtime (tests); `undefined` goes back to app settings. */
export function useRuntime(runtime: Runtime | Promise<Runtime> | undefined): void {
  current = runtime === undefined ? undefined : Promise.resolve(runtime);
}
