/**
 * The few error classes the app throws on purpose. Each has a stable `code`; only
 * `shared/adapters/http/to-http-response.ts` turns codes into HTTP statuses, and queue functions decide
 * retry-or-drop by `retryable`. Messages are sentences a platform engineer can act on, never a secret.
 */
export type ErrorCode =
  | 'unauthorized'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'malformed-json'
  | 'invalid-event'
  | 'invalid-message'
  | 'config'
  | 'upstream'
  | 'in-flight';

export interface Issue {
  /** Dotted path into the offending document, e.g. `target.digest` or `rules[2].match.tag`. */
  path: string;
  message: string;
  /** 1-based line in the source file, when the document came from a file. */
  line?: number;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];
  /** True when trying again later can succeed (storage outage, 5xx upstream). */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly Issue[]; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.issues = options.issues ?? [];
    this.retryable = options.retryable ?? false;
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

export class InvalidEventError extends DomainError {
  constructor(message: string, issues: readonly Issue[]) {
    super('invalid-event', message, { issues });
  }
}

export class ConfigError extends DomainError {
  constructor(message: string, issues: readonly Issue[] = []) {
    super('config', message, { issues });
  }
}

/** A dependency (storage, git host, Teams) failed in a way a later attempt may not. */
export class UpstreamError extends DomainError {
  /** HTTP status the dependency answered, when there was an answer. */
  readonly status: number | undefined;
  /** How long the dependency asked to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, cause?: unknown, options: { status?: number; retryAfterMs?: number } = {}) {
    super('upstream', message, { retryable: true, cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A dependency refused the request in a way sending it again will not fix (a 4xx other than 408/429,
 * a redirect to another host). The message carries the service's own explanation.
 */
export class RefusedError extends DomainError {
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(options.status === 413 ? 'payload-too-large' : 'upstream', message, {
      retryable: false,
      cause: options.cause,
    });
    this.status = options.status;
  }
}

/** When the failing dependency asked to be called again, in milliseconds, if it said. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Normalizes anything thrown into an Error without losing the original as `cause`. */
export function ensureError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${safeString(thrown)}`, {
    cause: thrown,
  });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Issues on one line, `path: message; path: message`, for log lines. */
export function formatIssuesInline(issues: readonly Issue[]): string {
  return formatIssues(issues).split('\n').join('; ');
}

/** Formats issues one per line, `path: message (line N)`. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map(
      (issue) =>
        `${issue.path ? `${issue.path}: ` : ''}${issue.message}${issue.line ? ` (line ${issue.line})` : ''}`,
    )
    .join('\n');
}
