import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../../domain/ports';

/** The domain's Logger over the invocation's log methods (they carry the invocation id to App Insights). */
export function loggerFor(context: InvocationContext): Logger {
  return {
    debug: (message) => context.debug(message),
    info: (message) => context.info(message),
    warn: (message) => context.warn(message),
    error: (message) => context.error(message),
  };
}
