import { UpstreamError } from '../domain/errors';

/** HTTP status of an Azure SDK RestError, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** First line of an error message, capped: SDK errors can carry whole XML bodies. */
export function briefly(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 300) ?? '';
}

const roleHints = {
  queue: 'Storage Queue Data Contributor',
  table: 'Storage Table Data Contributor',
} as const;

/**
 * A storage failure as a retryable UpstreamError: what failed, the HTTP status, the first line of the
 * SDK's message, and on 403 the role the app identity is missing.
 */
export function storageUpstream(
  what: string,
  error: unknown,
  service: keyof typeof roleHints,
): UpstreamError {
  const status = statusOf(error);
  const hint =
    status === 403 ? `; the app identity needs the ${roleHints[service]} role on the storage account` : '';
  return new UpstreamError(
    `${what} failed${status ? ` (HTTP ${status})` : ''}: ${briefly(error)}${hint}`,
    error,
  );
}
