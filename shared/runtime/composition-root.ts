import { readAppSettings, type AppSettings } from '../config/app-settings';
import { loadConfig, type LoadedConfig } from '../config/load-config';
import { createQueueSender } from '../adapters/queue/storage-queue-sender';
import { createQueueServiceClient, createTableClient } from '../adapters/storage-clients';
import { createTableDedupeStore } from '../adapters/table/table-dedupe-store';
import { ConfigError, formatIssues } from '../domain/errors';
import type { ParseContext } from '../domain/events/parse-outcome';
import type { IngestDeps } from '../domain/ingest/ingest-event';
import type { DedupeStore, Logger, QueueSender } from '../domain/ports';
import { parseContextFor } from './parse-context';

/** Table holding dedupe and idempotency records (table names are alphanumeric only). */
export const dedupeTable = 'autopilotdedupe';

export interface Runtime {
  settings: AppSettings;
  loaded: LoadedConfig;
  queue: QueueSender;
  dedupe: DedupeStore;
  parseContext(): ParseContext;
  ingestDeps(log: Logger): IngestDeps;
}

/**
 * Builds everything once per worker from app settings: config (validated at cold start), storage
 * clients, the registry alias map. Functions call `getRuntime()`; tests call `createRuntime()`.
 */
export async function createRuntime(settings: AppSettings, log?: Logger): Promise<Runtime> {
  const loaded = await loadConfig(settings.configPath, settings.env, {
    optional: settings.development,
  });
  const warnings = [...loaded.settingProblems, ...loaded.warnings];
  if (warnings.length > 0) log?.warn(`configuration warnings:\n${formatIssues(warnings)}`);
  if (!settings.storage) {
    throw new ConfigError(
      'app setting AzureWebJobsStorage is not set (nor AzureWebJobsStorage__queueServiceUri and __tableServiceUri); the app needs storage for its queues and dedupe table',
    );
  }
  const queue = createQueueSender(createQueueServiceClient(settings.storage));
  const dedupe = createTableDedupeStore(createTableClient(settings.storage, dedupeTable));
  const { config } = loaded;
  return {
    settings,
    loaded,
    queue,
    dedupe,
    parseContext: () => parseContextFor(config),
    ingestDeps: (logger) => ({ config, dedupe, queue, clock: () => new Date(), log: logger }),
  };
}

let current: Promise<Runtime> | undefined;

/**
 * The worker's runtime, built on first use. A failed build is not cached: the next invocation tries
 * again (and reports the same actionable error until the config or setting is fixed).
 */
export function getRuntime(log?: Logger): Promise<Runtime> {
  if (!current) {
    current = createRuntime(readAppSettings(), log);
    current.catch(() => (current = undefined));
  }
  return current;
}
