import type { HttpResponseInit } from '@azure/functions';
import { DomainError, ensureError, type ErrorCode } from '../../domain/errors';
import type { Logger } from '../../domain/ports';

const statusByCode: Record<ErrorCode, number> = {
  unauthorized: 401,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  'malformed-json': 400,
  'invalid-event': 400,
  'invalid-message': 400,
  config: 500,
  upstream: 503,
  'in-flight': 503,
};

/**
 * The one place that turns errors into HTTP answers: JSON `{ error, details? }`. Retryable failures are
 * 503 with Retry-After (Event Grid waits at least 30 s before retrying a 503). Unknown errors are 500
 * without their message (it may contain anything) and are logged in full.
 */
export function toHttpResponse(thrown: unknown, log: Logger): HttpResponseInit {
  if (thrown instanceof DomainError) {
    const status = statusByCode[thrown.code];
    const line = `${status} ${thrown.code}: ${thrown.message}`;
    if (status >= 500) log.error(line);
    else log.warn(line);
    return {
      status,
      jsonBody: {
        error: thrown.message,
        ...(thrown.issues.length > 0 ? { details: thrown.issues } : {}),
      },
      ...(status === 503 ? { headers: { 'Retry-After': '30' } } : {}),
    };
  }
  const error = ensureError(thrown);
  log.error(`500 unexpected: ${error.stack ?? error.message}`);
  return { status: 500, jsonBody: { error: 'internal error; see the function logs for details' } };
}
