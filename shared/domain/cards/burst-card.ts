import { shortDigest } from '../events/image-event';
import type { FoldedPushes } from './burst-folding';
import { adaptiveCard, codeBlock, factSet, showCard, type AdaptiveCard } from './card-elements';
import { count, formatUtc } from './card-text';
import { header, safe, type CardContext } from './card-parts';
import { andMore, capItems } from './fit-to-size';
import { portalLink } from './portal-link';

/** Card for many pushes to one repository folded into one message: one line per push. */
export function burstCard(payload: FoldedPushes, context: CardContext): AdaptiveCard {
  const { events } = payload;
  const digests = new Map<string, string[]>();
  for (const event of events) {
    const tags = digests.get(event.digest) ?? [];
    digests.set(event.digest, event.tag ? [...tags, event.tag] : tags);
  }
  const times = events.map((event) => event.occurredAt).sort();
  const first = times[0];
  const last = times.at(-1);
  const span =
    first && last ? (first === last ? formatUtc(first) : `${formatUtc(first)} – ${formatUtc(last)}`) : '';
  const title = `${count(payload.total, 'push', 'pushes')} to ${payload.repository}`;
  const subtitle = [payload.registry, count(digests.size, 'digest'), span].filter(Boolean).join(' · ');

  const pushes = capItems(events, context.listLimit);
  const digestList = capItems([...digests], context.listLimit);
  const link = portalLink(payload.registry, payload.repository, context);
  return adaptiveCard(
    [
      header(title, subtitle, 'good'),
      ...(pushes.shown.length
        ? [
            factSet(
              pushes.shown.map((event) => ({
                title: event.tag ? safe(event.tag) : 'no tag',
                value: `${safe(shortDigest(event.digest))} · ${formatUtc(event.occurredAt)}`,
              })),
            ),
          ]
        : []),
      ...andMore(payload.total - pushes.shown.length, 'push', 'pushes'),
    ],
    [
      ...(digestList.shown.length
        ? [
            showCard('Show full digests', [
              ...digestList.shown.map(([digest, tags]) =>
                codeBlock(safe(tags.length ? `${digest}  ${tags.join(', ')}` : digest, 600), {
                  size: 'Small',
                }),
              ),
              ...andMore(digestList.hidden, 'digest'),
            ]),
          ]
        : []),
      ...(link ? [link] : []),
    ],
    title,
  );
}
