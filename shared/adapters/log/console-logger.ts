import type { Logger } from '../../domain/ports';
import { oneLine } from './one-line';

/** For code outside an invocation (worker start, CLI): the host collects console output. One line each. */
export const consoleLogger: Logger = {
  debug: (message) => console.debug(oneLine(message)),
  info: (message) => console.info(oneLine(message)),
  warn: (message) => console.warn(oneLine(message)),
  error: (message) => console.error(oneLine(message)),
};
