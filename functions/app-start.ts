import { app } from '@azure/functions';
import { getRuntime } from '../shared/runtime/composition-root';
import { consoleLogger } from '../shared/adapters/log/console-logger';

/**
 * Not a function: the worker-start hook. Validates the configuration at cold start so a broken
 * autopilot.yaml or a missing setting shows in the log before the first event, not with it.
 */
app.hook.appStart(async () => {
  try {
    const runtime = await getRuntime(consoleLogger);
    const { path, config } = runtime.loaded;
    consoleLogger.info(`acr-autopilot: ${config.rules.length} rule(s) from ${path ?? 'no config file'}`);
  } catch (error) {
    consoleLogger.error(`acr-autopilot: ${error instanceof Error ? error.message : String(error)}`);
  }
});
