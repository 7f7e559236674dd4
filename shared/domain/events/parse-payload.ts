import { parseAcrWebhook } from './parse-acr-webhook';
import { eventGridSchemaOf, parseEventGridDelivery } from './parse-event-grid';
import type { ParseContext, ParseOutcome } from './parse-outcome';

/**
 * A body of unknown origin (a saved webhook body or Event Grid delivery, as the CLI reads them): an
 * array or an object with `eventType`/`specversion` is Event Grid, anything else an ACR webhook.
 */
export function parsePayload(body: unknown, ctx: ParseContext): ParseOutcome[] {
  const isEventGrid = Array.isArray(body) || eventGridSchemaOf(body) !== undefined;
  return isEventGrid ? parseEventGridDelivery(body, ctx) : [parseAcrWebhook(body, ctx)];
}
