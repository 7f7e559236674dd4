import { describeImage, shortDigest, type ImageEvent } from '../events/image-event';
import {
  codeBlock,
  container,
  textBlock,
  type CardElement,
  type ContainerStyle,
  type Fact,
} from './card-elements';
import { clip, escapeMarkdown } from './card-text';
import type { PortalLinkOptions } from './portal-link';

/** What every card builder gets besides its payload. */
export interface CardContext extends PortalLinkOptions {
  /** How many items each list may show; chosen by `fitToSize`, `Infinity` on the first try. */
  listLimit: number;
}

/** Longest a single user-controlled value may get on a card, so one field cannot eat the size budget. */
export const maxValueChars = 300;

/** Escaped and clipped: the form every outside string takes on a card. */
export function safe(text: string, max = maxValueChars): string {
  return escapeMarkdown(clip(text, max));
}

/**
 * The coloured band at the top of every card: a bold title and an optional subtle subtitle. Both are
 * plain text (escaped here), so the same title can serve as the card's `fallbackText`.
 */
export function header(title: string, subtitle: string | undefined, style: ContainerStyle): CardElement {
  return container(
    [
      textBlock(safe(title, maxTitleChars), { size: 'Medium', weight: 'Bolder' }),
      ...(subtitle ? [textBlock(safe(subtitle, maxTitleChars), { isSubtle: true, spacing: 'None' })] : []),
    ],
    { style, bleed: true },
  );
}

/** Titles are clipped harder than values: they are read at a glance and repeated in `fallbackText`. */
export const maxTitleChars = 200;

/** `payments/api:1.4.2`, or `payments/api@sha256:0123…` when there is no tag; plain text. */
export function imageLabel(event: Pick<ImageEvent, 'repository' | 'tag' | 'digest'>): string {
  return event.tag ? `${event.repository}:${event.tag}` : `${event.repository}@${shortDigest(event.digest)}`;
}

/** The full reference for a fact value: `myreg.azurecr.io/payments/api:1.4.2@sha256:0123…`. */
export function imageFact(event: ImageEvent): Fact {
  return { title: 'Image', value: safe(describeImage(event)) };
}

/**
 * The full digest as a pull reference in a monospace block, which readers can select and copy
 * (`myreg.azurecr.io/payments/api@sha256:…`).
 */
export function pullReference(event: Pick<ImageEvent, 'registry' | 'repository' | 'digest'>): CardElement[] {
  const name = event.registry ? `${event.registry}/${event.repository}` : event.repository;
  return [
    textBlock('Pull by digest', { weight: 'Bolder', size: 'Small', spacing: 'Medium' }),
    codeBlock(safe(`${name}@${event.digest}`, 600), { size: 'Small', spacing: 'None' }),
  ];
}
