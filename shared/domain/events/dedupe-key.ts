import { createHash } from 'node:crypto';
import type { ImageAction } from './image-event';

/**
 * The key that makes the same image change one event, whichever way it arrives: an ACR webhook and an
 * Event Grid delivery of the same push carry different envelope ids but the same registry, repository,
 * tag, digest and action. Redeliveries (Event Grid is at-least-once) share it too.
 */
export function dedupeKeyFor(parts: {
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest: string;
  action: ImageAction;
}): string {
  const material = [parts.registry, parts.repository, parts.tag ?? '', parts.digest, parts.action].join('\n');
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
