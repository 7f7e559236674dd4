import { z } from 'zod';
import { issuesFromZod } from '../zod-issues';
import { registryNameInResourceId } from './event-sources';
import { acrEventDataSchema, imageEventFromAcrData } from './acr-event-data';
import type { ImageAction } from './image-event';
import type { ParseContext, ParseOutcome } from './parse-outcome';

/**
 * Event Grid delivers ACR events in the Event Grid schema (`eventType`, `topic`, `eventTime`) or as
 * CloudEvents 1.0 (`type`, `source`, `time`), one per request or batched in an array. Older docs use a
 * bare `ImagePushed` type and one sample spells `specVersion`; both are accepted.
 */
const typeToAction: Record<string, ImageAction> = {
  ImagePushed: 'push',
  ImageDeleted: 'delete',
  ChartPushed: 'chart_push',
  ChartDeleted: 'chart_delete',
};

export const validationEventType = 'Microsoft.EventGrid.SubscriptionValidationEvent';

const eventGridEnvelopeSchema = z.looseObject({
  id: z.string().optional(),
  topic: z.string().optional(),
  subject: z.string().optional(),
  eventType: z.string().min(1),
  eventTime: z.string().optional(),
  dataVersion: z.string().optional(),
  metadataVersion: z.string().optional(),
  data: z.unknown().optional(),
});

const cloudEventEnvelopeSchema = z.looseObject({
  specversion: z.string().optional(),
  specVersion: z.string().optional(),
  id: z.string().optional(),
  source: z.string().optional(),
  subject: z.string().optional(),
  type: z.string().min(1),
  time: z.string().optional(),
  data: z.unknown().optional(),
  data_base64: z.string().optional(),
});

const validationDataSchema = z.looseObject({
  validationCode: z.string().min(1),
  validationUrl: z.string().optional(),
});

/** Which envelope a JSON object uses, or undefined when it is neither. */
export function eventGridSchemaOf(value: unknown): 'event-grid' | 'cloud-events' | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if ('specversion' in value || 'specVersion' in value) return 'cloud-events';
  if ('eventType' in value) return 'event-grid';
  return undefined;
}

/** Parses a whole delivery body: one event or an array of them. */
export function parseEventGridDelivery(body: unknown, ctx: ParseContext): ParseOutcome[] {
  if (Array.isArray(body)) {
    if (body.length === 0)
      return [{ kind: 'invalid', issues: [{ path: '', message: 'empty array: no events' }] }];
    return body.map((event, index) => parseEventGridEvent(event, ctx, [index]));
  }
  return [parseEventGridEvent(body, ctx)];
}

/** Parses one Event Grid event, in either schema. */
export function parseEventGridEvent(
  event: unknown,
  ctx: ParseContext,
  prefix: PropertyKey[] = [],
): ParseOutcome {
  const schema = eventGridSchemaOf(event);
  if (!schema) {
    return {
      kind: 'invalid',
      issues: [
        {
          path: formatPrefix(prefix),
          message: 'not an Event Grid event (no eventType) nor a CloudEvent (no specversion)',
        },
      ],
    };
  }
  const envelope = schema === 'event-grid' ? readEventGrid(event) : readCloudEvent(event);
  if ('issues' in envelope) {
    return { kind: 'invalid', issues: issuesFromZod(envelope.issues, prefix) };
  }
  const { type, id, topic, data } = envelope;

  if (type === validationEventType) {
    const validation = validationDataSchema.safeParse(data);
    if (!validation.success) {
      return { kind: 'invalid', issues: issuesFromZod(validation.error, [...prefix, 'data']) };
    }
    return {
      kind: 'validation',
      validationCode: validation.data.validationCode,
      ...(validation.data.validationUrl ? { validationUrl: validation.data.validationUrl } : {}),
    };
  }

  if (ctx.sources && topic && !ctx.sources.allows(topic)) {
    return {
      kind: 'ignored',
      reason:
        `topic ${topic} is not one of the registries in the config (${ctx.sources.names.join(', ')}); ` +
        'if it is yours, add its login server or resource id to ingress.registries',
      ...(id ? { eventId: id } : {}),
    };
  }
  const shortType = type.replace(/^Microsoft\.ContainerRegistry\./, '');
  const action = typeToAction[shortType];
  if (!action) {
    return {
      kind: 'ignored',
      reason: `event type "${type}" is not handled (only Microsoft.ContainerRegistry.ImagePushed, ImageDeleted, ChartPushed and ChartDeleted are)`,
      ...(id ? { eventId: id } : {}),
    };
  }
  const parsedData = acrEventDataSchema.safeParse(data ?? {});
  if (!parsedData.success) {
    return {
      kind: 'invalid',
      issues: issuesFromZod(parsedData.error, [...prefix, 'data']),
      ...(id ? { eventId: id } : {}),
    };
  }
  const hintRegistry = registryFromResourceId(topic);
  const outcome = imageEventFromAcrData(parsedData.data, action, 'event-grid', ctx, {
    pathPrefix: 'data.',
    ...(id ? { fallbackId: id } : {}),
    ...(hintRegistry ? { hintRegistry } : {}),
  });
  // `data.location` is the region the event came from (next.md §3): a replication-gate arrival.
  const location = parsedData.data.location?.trim();
  return outcome.kind === 'accepted' && location ? { ...outcome, region: location } : outcome;
}

interface Envelope {
  type: string;
  id: string | undefined;
  topic: string | undefined;
  data: unknown;
}

function readEventGrid(event: unknown): Envelope | { issues: z.ZodError } {
  const parsed = eventGridEnvelopeSchema.safeParse(event);
  if (!parsed.success) return { issues: parsed.error };
  const { eventType, id, topic, data } = parsed.data;
  return { type: eventType, id, topic, data };
}

function readCloudEvent(event: unknown): Envelope | { issues: z.ZodError } {
  const parsed = cloudEventEnvelopeSchema.safeParse(event);
  if (!parsed.success) return { issues: parsed.error };
  const { type, id, source, data, data_base64: base64 } = parsed.data;
  return { type, id, topic: source, data: data ?? decodeBase64Json(base64) };
}

function decodeBase64Json(base64: string | undefined): unknown {
  if (!base64) return undefined;
  try {
    return JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * `/subscriptions/…/providers/Microsoft.ContainerRegistry/registries/myreg` → `myreg.azurecr.io`.
 * Only a hint: a registry behind a custom domain is mapped by `registryAliases`.
 */
export function registryFromResourceId(resourceId: string | undefined): string | undefined {
  const name = resourceId ? registryNameInResourceId(resourceId) : undefined;
  return name ? `${name}.azurecr.io` : undefined;
}

function formatPrefix(prefix: PropertyKey[]): string {
  return prefix.map((key) => (typeof key === 'number' ? `[${key}]` : String(key))).join('.');
}
