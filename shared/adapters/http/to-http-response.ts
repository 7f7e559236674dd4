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

/** What an anonymous caller is told for a server-side problem; the details are in the log. */
const publicMessages: Partial<Record<ErrorCode, string>> = {
  config: 'the app is not configured correctly; its log and `acr-autopilot config check` say what to fix',
  upstream: 'a dependency of the app is unavailable; retry later',
};

/**
 * The one place that turns errors into HTTP answers: JSON `{ error, details? }`. A client mistake
 * (4xx) is explained with each problem by path; a server-side problem (5xx) only gets a status and a
 * generic sentence, since the caller may be anyone and the details (paths, settings) are for the log.
 * Retryable failures are 503 with Retry-After (Event Grid waits at least 30 s before retrying a 503).
 * Another delivery of the same event being processed is expected traffic: an info line, 503, retry soon.
 */
export function toHttpResponse(thrown: unknown, log: Logger): HttpResponseInit {
  if (thrown instanceof DomainError) {
    const status = statusByCode[thrown.code];
    const line = `${status} ${thrown.code}: ${thrown.message}`;
    if (thrown.code === 'in-flight') log.info(line);
    else if (status >= 500) log.error(line);
    else log.warn(line);
    const body =
      status < 500
        ? { error: thrown.message, ...(thrown.issues.length > 0 ? { details: thrown.issues } : {}) }
        : thrown.code === 'in-flight'
          ? { error: thrown.message }
          : { error: publicMessages[thrown.code] ?? 'internal error; see the function logs for details' };
    const retryAfter = thrown.code === 'in-flight' ? '5' : '30';
    return { status, jsonBody: body, ...(status === 503 ? { headers: { 'Retry-After': retryAfter } } : {}) };
  }
  const error = ensureError(thrown);
  log.error(`500 unexpected: ${error.stack ?? error.message}`);
  return { status: 500, jsonBody: { error: 'internal error; see the function logs for details' } };
}
