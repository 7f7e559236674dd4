import { createTeamsPoster } from '../adapters/teams/post-to-workflows';
import { createTableClient } from '../adapters/storage-clients';
import { createTableStateStore } from '../adapters/table/table-state-store';
import { ConfigError } from '../domain/errors';
import type { NotifyDeps } from '../domain/notify/notify-types';
import type { Logger, StateStore } from '../domain/ports';
import type { Runtime } from './composition-root';

/** Table holding small documents with ETag concurrency, e.g. open bursts (alphanumeric names only). */
export const stateTable = 'autopilotstate';

/** Per attempt; the queue's visibility timeout and retries cover longer outages. */
const teamsTimeoutMs = 10_000;
const teamsAttempts = 3;

const stateStores = new WeakMap<Runtime, StateStore>();

/**
 * What `notifyTeams` needs, from the worker's runtime. The state store is built once per runtime (it
 * remembers that its table exists); the poster per invocation, so its retry lines carry the
 * invocation's logger.
 */
export function notifyDepsFor(runtime: Runtime, log: Logger): NotifyDeps {
  let state = stateStores.get(runtime);
  if (!state) {
    const storage = runtime.settings.storage;
    if (!storage) throw new ConfigError('app setting AzureWebJobsStorage is not set');
    state = createTableStateStore(createTableClient(storage, stateTable));
    stateStores.set(runtime, state);
  }
  return {
    config: runtime.loaded.config,
    setting: (name) => runtime.settings.env[name],
    poster: createTeamsPoster({
      timeoutMs: teamsTimeoutMs,
      maxAttempts: teamsAttempts,
      // The poster's "accepted" line repeats the use case's "posted" line; keep its retries visible.
      log: { info: (message) => log.debug(message), warn: (message) => log.warn(message) },
      allowInsecureLoopback: runtime.settings.allowInsecureLoopback,
    }),
    queue: runtime.queue,
    dedupe: runtime.dedupe,
    state,
    clock: () => new Date(),
    log,
  };
}
