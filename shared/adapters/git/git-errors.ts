import { ConfigError, UpstreamError } from '../../domain/errors';

/**
 * The git host (or its pull-request API) refused the request for a reason a retry cannot fix: a rejected or
 * under-privileged token, a repository or branch that does not exist, a protected branch. The message says
 * which setting to fix. It is a `ConfigError`, so the request is parked instead of retried.
 */
export class GitHostRefusedError extends ConfigError {
  /** HTTP status the host answered, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message);
    this.status = options.status;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The git host or its API could not be reached or answered 429/5xx. Retryable: the queue tries again later,
 * and no sooner than `retryAfterMs` when the host said so.
 */
export class GitHostUnavailableError extends UpstreamError {
  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause, {
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    });
  }
}
