import type { HttpRequest } from '@azure/functions';
import { DomainError } from '../../domain/errors';

/** ACR and Event Grid events are about 1 KB; 256 KB leaves room for batches and nothing for abuse. */
export const maxBodyBytes = 256 * 1024;

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Checks media type and size, then parses; each failure is a DomainError the HTTP mapping knows. */
export async function readJsonBody(request: HttpRequest, limit = maxBodyBytes): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!jsonContentType.test(contentType)) {
    throw new DomainError(
      'unsupported-media-type',
      `Content-Type must be application/json (got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'none'}); do not override Content-Type in the webhook's custom headers`,
    );
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limit) throw tooLarge(limit);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/ in JSON at.*$/s, '') : 'unreadable';
    throw new DomainError('malformed-json', `body is not valid JSON (${reason.slice(0, 120)})`);
  }
}

function tooLarge(limit: number): DomainError {
  return new DomainError(
    'payload-too-large',
    `body is larger than ${limit / 1024} KB; ACR events are about 1 KB`,
  );
}
