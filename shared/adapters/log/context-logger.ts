import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../../domain/ports';
import { lineWithFields } from './one-line';

/**
 * The domain's Logger over the invocation's log methods (they carry the invocation id to App
 * Insights). Every message is one line: values from a payload cannot forge another. Fields are
 * appended as ` correlationId=… dedupeKey=…`; the runtime also sends them as customDimensions when
 * telemetry is on (see `observedLogger`).
 */
export function loggerFor(context: InvocationContext): Logger {
  return {
    debug: (message, fields) => context.debug(lineWithFields(message, fields)),
    info: (message, fields) => context.info(lineWithFields(message, fields)),
    warn: (message, fields) => context.warn(lineWithFields(message, fields)),
    error: (message, fields) => context.error(lineWithFields(message, fields)),
  };
}
