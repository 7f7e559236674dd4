import type { Logger } from '../../domain/ports';
import { lineWithFields } from './one-line';

/** For code outside an invocation (worker start, CLI): the host collects console output. One line each. */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(lineWithFields(message, fields)),
  info: (message, fields) => console.info(lineWithFields(message, fields)),
  warn: (message, fields) => console.warn(lineWithFields(message, fields)),
  error: (message, fields) => console.error(lineWithFields(message, fields)),
};
