import type { Logger } from '../../domain/ports';

/** For code outside an invocation (worker start, CLI): the host collects console output. */
export const consoleLogger: Logger = {
  debug: (message) => console.debug(message),
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};
