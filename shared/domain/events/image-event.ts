import { z } from 'zod';

export const imageActions = ['push', 'delete', 'chart_push', 'chart_delete'] as const;
export type ImageAction = (typeof imageActions)[number];

/**
 * The one internal event. Both the ACR webhook and Event Grid parsers produce it; everything after
 * ingress (rules, queues, cards) only ever sees this shape.
 */
export const imageEventSchema = z.strictObject({
  /** The vendor's event id (ACR `id` / Event Grid `data.id`), or a generated one when absent. */
  id: z.string().min(1),
  source: z.enum(['acr-webhook', 'event-grid']),
  action: z.enum(imageActions),
  /** Login server, lower-case, aliases resolved (`myreg.azurecr.io`). Empty when the payload names none. */
  registry: z.string(),
  repository: z.string().min(1),
  tag: z.string().min(1).optional(),
  digest: z.string().min(1),
  mediaType: z.string().min(1).optional(),
  /** ISO 8601 with milliseconds. */
  occurredAt: z.iso.datetime({ offset: true }),
  /** Same image change from any source and any redelivery → same key. */
  dedupeKey: z.string().regex(/^[0-9a-f]{32}$/),
});
export type ImageEvent = z.infer<typeof imageEventSchema>;

/** `registry/repository:tag@digest`, the way people write it; parts that are unknown are left out. */
export function describeImage(event: Pick<ImageEvent, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  const name = event.registry ? `${event.registry}/${event.repository}` : event.repository;
  return `${name}${event.tag ? `:${event.tag}` : ''}@${shortDigest(event.digest)}`;
}

/** `sha256:0123456789ab` — the algorithm and the first 12 hex characters. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':', 2);
  return hex === undefined ? digest.slice(0, 12) : `${algorithm}:${hex.slice(0, 12)}`;
}
