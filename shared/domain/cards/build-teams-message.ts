import type { NotificationPayload } from '../messages/action-messages';
import { burstCard } from './burst-card';
import type { FoldedPushes } from './burst-folding';
import { adaptiveCard, textBlock, type AdaptiveCard } from './card-elements';
import { header, type CardContext } from './card-parts';
import { deployedCard } from './deployed-card';
import { failedCard } from './failed-card';
import { defaultMessageBudgetBytes, fitToSize, messageBytes } from './fit-to-size';
import { imageCard } from './image-card';
import { pinnedCard } from './pinned-card';
import type { PortalLinkOptions } from './portal-link';
import { retentionCard } from './retention-card';
import { wrapCard, type TeamsMessage, type TeamsMessageMode } from './teams-message';

export interface BuildTeamsMessageOptions extends PortalLinkOptions {
  /** The channel's `teams.<channel>.mode`. */
  mode: TeamsMessageMode;
  /** Byte budget of the serialized message; defaults to 1 KB under Teams' 28 KB limit. */
  maxBytes?: number;
}

/** What a card can be built from: a queue notification's payload, or a flushed burst of pushes. */
export type CardPayload = NotificationPayload | FoldedPushes;

/**
 * The message to POST to a Workflows URL for one payload: an Adaptive Card 1.4, in the Workflows
 * envelope or bare as `mode` says, under the size budget (long lists end in "and N more"). Pure.
 */
export function buildTeamsMessage(payload: CardPayload, options: BuildTeamsMessageOptions): TeamsMessage {
  const maxBytes = options.maxBytes ?? defaultMessageBudgetBytes;
  const render = (listLimit: number) =>
    wrapCard(
      buildCard(payload, {
        listLimit,
        portalBaseUrl: options.portalBaseUrl,
        registryResourceIds: options.registryResourceIds,
      }),
      options.mode,
    );
  const fitted = fitToSize(render, maxBytes);
  return fitted?.message ?? wrapCard(tooLargeCard(payload, messageBytes(render(0))), options.mode);
}

/** The bare card for a payload with the given list limit (no size fitting). */
export function buildCard(payload: CardPayload, context: CardContext): AdaptiveCard {
  switch (payload.kind) {
    case 'pushed':
    case 'deleted':
      return imageCard(payload, context);
    case 'pushed-burst':
      return burstCard(payload, context);
    case 'pinned':
      return pinnedCard(payload, context);
    case 'deployed':
      return deployedCard(payload, context);
    case 'retention':
      return retentionCard(payload, context);
    case 'failed':
      return failedCard(payload, context);
  }
}

/**
 * Only reachable when the fixed parts of a card exceed the budget, which clipping every outside string
 * should prevent; still better than a message Teams refuses.
 */
function tooLargeCard(payload: CardPayload, bytes: number): AdaptiveCard {
  const title = `A ${payload.kind} notification was too large for Teams`;
  return adaptiveCard(
    [
      header(title, undefined, 'warning'),
      textBlock(`Even without its lists the card took ${bytes} bytes. The function logs have the details.`),
    ],
    [],
    title,
  );
}
