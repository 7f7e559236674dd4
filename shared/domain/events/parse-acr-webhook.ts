import { z } from 'zod';
import { issuesFromZod } from '../zod-issues';
import { acrEventDataSchema, imageEventFromAcrData } from './acr-event-data';
import type { ImageAction } from './image-event';
import type { ParseContext, ParseOutcome } from './parse-outcome';

/** Every action an ACR webhook can carry; `ping` comes from `az acr webhook ping`. */
export const acrWebhookActions = [
  'push',
  'delete',
  'chart_push',
  'chart_delete',
  'quarantine',
  'ping',
] as const;

export const acrWebhookSchema = acrEventDataSchema.extend({
  action: z.enum(acrWebhookActions, {
    error: (issue) =>
      issue.input === undefined
        ? 'required: every ACR webhook body has an action'
        : `expected one of ${acrWebhookActions.join(', ')}`,
  }),
});

const ignoredActions: Record<string, string> = {
  ping: 'action "ping" is a connectivity test from az acr webhook ping; nothing to do',
  quarantine:
    'action "quarantine" is not handled: ACR sends a push once the image passes quarantine, and that push is acted on',
};

/** Parses the body of an ACR native webhook (container-registry-webhook-reference). */
export function parseAcrWebhook(body: unknown, ctx: ParseContext): ParseOutcome {
  const parsed = acrWebhookSchema.safeParse(body);
  if (!parsed.success) {
    const id = idOf(body);
    return { kind: 'invalid', issues: issuesFromZod(parsed.error), ...(id ? { eventId: id } : {}) };
  }
  const data = parsed.data;
  const ignoredReason = ignoredActions[data.action];
  if (ignoredReason)
    return { kind: 'ignored', reason: ignoredReason, ...(data.id ? { eventId: data.id } : {}) };
  return imageEventFromAcrData(data, data.action as ImageAction, 'acr-webhook', ctx);
}

function idOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'id' in body && typeof body.id === 'string') return body.id;
  return undefined;
}
