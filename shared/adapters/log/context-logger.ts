import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../../domain/ports';
import { oneLine } from './one-line';

/**
 * The domain's Logger over the invocation's log methods (they carry the invocation id to App
 * Insights). Every message is one line: values from a payload cannot forge another.
 */
export function loggerFor(context: InvocationContext): Logger {
  return {
    debug: (message) => context.debug(oneLine(message)),
    info: (message) => context.info(oneLine(message)),
    warn: (message) => context.warn(oneLine(message)),
    error: (message) => context.error(oneLine(message)),
  };
}
