import { z } from 'zod';
import type { Issue } from '../errors';
import { dedupeKeyFor } from './dedupe-key';
import { digestProblem, registryProblem, repositoryProblem, tagProblem } from './image-identity';
import type { ImageAction, ImageEvent } from './image-event';
import type { ParseContext, ParseOutcome } from './parse-outcome';

/**
 * The ACR event body, shared by the native webhook (top level) and Event Grid (`data`). Shapes from
 * container-registry-webhook-reference and event-schema-container-registry. Real traffic omits
 * documented fields (no tag on delete, no `request` on chart events, no `useragent`), so every field
 * is optional and unknown fields pass through; only types are checked.
 */
export const acrEventDataSchema = z.looseObject({
  id: z.string().max(256, 'an event id has at most 256 characters').optional(),
  timestamp: z.string().optional(),
  action: z.string().optional(),
  location: z.string().optional(),
  target: z
    .looseObject({
      mediaType: z.string().max(255, 'a media type has at most 255 characters').optional(),
      size: z.number().optional(),
      digest: z.string().optional(),
      length: z.number().optional(),
      repository: z.string().optional(),
      url: z.string().optional(),
      tag: z.string().optional(),
      name: z.string().optional(),
      version: z.string().optional(),
    })
    .optional(),
  request: z
    .looseObject({
      id: z.string().optional(),
      addr: z.string().optional(),
      host: z.string().optional(),
      method: z.string().optional(),
      useragent: z.string().optional(),
    })
    .optional(),
});
export type AcrEventData = z.infer<typeof acrEventDataSchema>;

/**
 * Builds the ImageEvent from an already type-checked ACR body. `hintRegistry` is what the envelope
 * knows (Event Grid's topic); the body's own `request.host` wins over it.
 */
export function imageEventFromAcrData(
  data: AcrEventData,
  action: ImageAction,
  source: ImageEvent['source'],
  ctx: ParseContext,
  extras: { fallbackId?: string; hintRegistry?: string; pathPrefix?: string } = {},
): ParseOutcome {
  const repository = data.target?.repository?.trim();
  const digest = data.target?.digest?.trim();
  const eventId = data.id ?? extras.fallbackId;
  const missing = [!repository && 'target.repository', !digest && 'target.digest'].filter(Boolean);
  if (!repository || !digest) {
    return {
      kind: 'ignored',
      reason: `${action} event without ${missing.join(' and ')}: there is no image to act on`,
      ...(eventId ? { eventId } : {}),
    };
  }
  const host =
    data.request?.host || hostOfUrl(data.target?.url) || extras.hintRegistry || ctx.defaultRegistry || '';
  const registry = host ? ctx.canonicalRegistry(host) : '';
  const tag = data.target?.tag || undefined;
  const at = (field: string) => `${extras.pathPrefix ?? ''}${field}`;
  const issues = [
    { path: at('target.digest'), message: digestProblem(digest) },
    { path: at('target.repository'), message: repositoryProblem(repository, registry) },
    { path: at('target.tag'), message: tag === undefined ? undefined : tagProblem(tag) },
    {
      path: data.request?.host ? at('request.host') : at('target.url'),
      message: host ? registryProblem(registry) : undefined,
    },
  ].filter((issue): issue is Issue => issue.message !== undefined);
  if (issues.length > 0) return { kind: 'invalid', issues, ...(eventId ? { eventId } : {}) };
  const event: ImageEvent = {
    id: eventId || ctx.newId(),
    source,
    action,
    registry,
    repository,
    ...(tag ? { tag } : {}),
    digest,
    ...(data.target?.mediaType ? { mediaType: data.target.mediaType } : {}),
    occurredAt: normalizeTimestamp(data.timestamp, ctx.receivedAt),
    dedupeKey: dedupeKeyFor({ registry, repository, tag, digest, action }),
  };
  return { kind: 'accepted', event };
}

/**
 * ACR writes up to nine fractional digits (`2017-11-17T16:52:01.343145347Z`), which `Date` does not
 * parse everywhere; cut to milliseconds. Unreadable or missing → the time we received it.
 */
export function normalizeTimestamp(value: string | undefined, fallback: Date): string {
  if (value) {
    const trimmed = value.trim().replace(/(\.\d{3})\d+/, '$1');
    const parsed = new Date(trimmed);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
  }
  return fallback.toISOString();
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}
