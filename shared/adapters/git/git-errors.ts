import { ConfigError, UpstreamError } from '../../domain/errors';

/**
 * The git host (or its pull-request API) refused the request for a reason a retry cannot fix: a rejected or
 * under-privileged token, a repository or branch that does not exist, a protected branch. The message says
 * which setting to fix. It is a `ConfigError`, so queue functions drop the message instead of retrying.
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
  readonly status: number | undefined;
  /** From the host's `Retry-After` header, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Returns `url` without user info, query or fragment, so it can go into messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hadCredentials = parsed.username !== '' || parsed.password !== '';
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    const text = parsed.toString();
    return hadCredentials ? text.replace('://', '://***@') : text;
  } catch {
    return '(unparseable url)';
  }
}

/**
 * Removes every occurrence of the given secrets (and their Basic-auth encodings) from `text`. Belt and braces:
 * messages are built without secrets, but a host may echo a header back in an error body.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    result = result.split(secret).join('***');
  }
  return result;
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `now`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for errors that mean "the network or the host did not answer in time". */
export function isTransportError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ABORT_ERR|UND_ERR_.*)$/.test(
      code,
    )
  );
}

/** Describes a transport failure without its stack or any header, e.g. `connect ECONNREFUSED 127.0.0.1:1`. */
export function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'the request timed out';
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
