import { shortDigest, type ImageEvent } from '../events/image-event';
import { adaptiveCard, factSet, type AdaptiveCard, type Fact } from './card-elements';
import { describeMediaType, formatUtc } from './card-text';
import { header, imageLabel, pullReference, safe, type CardContext } from './card-parts';
import { portalLink } from './portal-link';

export const eventSourceNames: Record<ImageEvent['source'], string> = {
  'acr-webhook': 'ACR webhook',
  'event-grid': 'Event Grid',
};

/** Card for one image (or Helm chart) pushed to or deleted from a registry. */
export function imageCard(
  payload: { kind: 'pushed' | 'deleted'; event: ImageEvent },
  context: CardContext,
): AdaptiveCard {
  const { event } = payload;
  const pushed = payload.kind === 'pushed';
  const artifact = event.action.startsWith('chart_') ? 'Helm chart' : 'Image';
  const title = `${artifact} ${pushed ? 'pushed' : 'deleted'}: ${imageLabel(event)}`;
  const facts: Fact[] = [
    { title: 'Registry', value: event.registry ? safe(event.registry) : 'unknown' },
    { title: 'Repository', value: safe(event.repository) },
    { title: 'Tag', value: event.tag ? safe(event.tag) : 'none (by digest)' },
    { title: 'Digest', value: safe(shortDigest(event.digest)) },
    ...(event.mediaType ? [{ title: 'Media type', value: safe(describeMediaType(event.mediaType)) }] : []),
    { title: pushed ? 'Pushed' : 'Deleted', value: formatUtc(event.occurredAt) },
    { title: 'Via', value: eventSourceNames[event.source] },
  ];
  const link = portalLink(event.registry, event.repository, context);
  return adaptiveCard(
    [
      header(title, event.registry || undefined, pushed ? 'good' : 'warning'),
      factSet(facts),
      ...pullReference(event),
    ],
    link ? [link] : [],
    title,
  );
}
