import { z } from 'zod';
import { notifyKinds } from '../config/schema';
import { imageEventSchema } from '../events/image-event';
import { queueNames } from './queues';

/**
 * Queue message contracts. Producers and consumers both validate with these schemas, so a message a
 * consumer cannot read is a bug found at the producer, not a poison message days later.
 */

/** Where the outcome of an action is reported, and which kinds that channel wants. */
export const notifyRouteSchema = z.strictObject({
  channel: z.string().min(1),
  kinds: z.array(z.enum(notifyKinds)),
});
export type ResolvedNotifyRoute = z.infer<typeof notifyRouteSchema>;

const envelope = {
  /** The event's dedupe key: consumers use it (plus their own target) as an idempotency key. */
  dedupeKey: z.string().min(1),
  /** Ties log lines of every function that handles this event together (the vendor event id). */
  correlationId: z.string().min(1),
};

const fromRule = {
  ...envelope,
  event: imageEventSchema,
  rule: z.strictObject({ index: z.number().int().nonnegative(), name: z.string().optional() }),
  notify: z.array(notifyRouteSchema),
};

const pinResults = ['committed', 'pull-request', 'no-change'] as const;

/**
 * A deployment a pin request sends once its commit landed (`deploy: { targets, after: pin }`). Each
 * carries the rule and routes it came from: rules that share one pin may deploy different targets.
 */
export const deployAfterPinSchema = z.strictObject({
  /** Key of `deployTargets` in the config. */
  target: z.string().min(1),
  rule: fromRule.rule,
  notify: fromRule.notify,
});
export type DeployAfterPin = z.infer<typeof deployAfterPinSchema>;

export const pinRequestSchema = z.strictObject({
  type: z.literal('pin'),
  ...fromRule,
  /** Key of `gitops` in the config. */
  repo: z.string().min(1),
  paths: z.array(z.string()).min(1),
  mode: z.enum(['pin', 'follow']),
  render: z.enum(['tag-and-digest', 'digest-only']),
  /** The rule's tag matcher; `follow` only moves a tag to one that satisfies it. */
  tagPattern: z.string().optional(),
  /** Deploy requests to queue once the commit landed, with its sha (see deployRequestsAfterPin). */
  then: z.array(deployAfterPinSchema).min(1).optional(),
});
export type PinRequest = z.infer<typeof pinRequestSchema>;

/** What the pin reported, as a deployment after it sees it: the commit to deploy and where it is. */
export const landedPinSchema = z.strictObject({
  /** Key of `gitops` in the config. */
  repo: z.string().min(1).optional(),
  result: z.enum(pinResults),
  commit: z.string().min(1).optional(),
  commitUrl: z.string().min(1).optional(),
  pullRequestUrl: z.string().min(1).optional(),
});
export type LandedPinInfo = z.infer<typeof landedPinSchema>;

export const deployRequestSchema = z.strictObject({
  type: z.literal('deploy'),
  ...fromRule,
  /** Key of `deployTargets` in the config. */
  target: z.string().min(1),
  /** Set when the rule says `deploy: { after: pin }`: the request was sent by the pin, not by ingress. */
  after: z.literal('pin').optional(),
  /** The pin this deployment waited for, once it landed. */
  pin: landedPinSchema.optional(),
});
export type DeployRequest = z.infer<typeof deployRequestSchema>;

/**
 * A push-triggered retention run for one repository (issue 11 §5): a rule with `retain: true`, or a
 * retention policy with `onPush: true`, matched a push. Bursts fold into one run per debounce window.
 */
export const retentionRequestSchema = z.strictObject({
  type: z.literal('retention'),
  ...envelope,
  event: imageEventSchema,
  /** Name in `retention.registries`. */
  registry: z.string().min(1),
  repository: z.string().min(1),
  /** The rule that asked (`retain: true`); absent when a policy's `onPush` did. */
  rule: fromRule.rule.optional(),
  /** The rule's notify routes; routes that want `retention` cards get the run's summary. */
  notify: z.array(notifyRouteSchema),
});
export type RetentionRequest = z.infer<typeof retentionRequestSchema>;

const skippedSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().optional(),
  reason: z.string(),
  /** The pinning engine's `SkipKind` (`other-tag`, `templated`…), counted in the card's summary. */
  kind: z.string().optional(),
});

/** What a notification is about; `kind` selects the card. */
export const notificationPayloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pushed'), event: imageEventSchema }),
  z.strictObject({ kind: z.literal('deleted'), event: imageEventSchema }),
  z.strictObject({
    kind: z.literal('pinned'),
    event: imageEventSchema,
    repo: z.string(),
    result: z.enum(pinResults),
    files: z.array(
      z.strictObject({ file: z.string(), line: z.number().int(), before: z.string(), after: z.string() }),
    ),
    skipped: z.array(skippedSchema).default([]),
    /** `3 mentions skipped: 2 other tag, 1 templated`, over every skip (the list may be cut to fit). */
    skipSummary: z.string().optional(),
    commit: z.string().optional(),
    commitUrl: z.string().optional(),
    pullRequestUrl: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('deployed'),
    event: imageEventSchema,
    target: z.string(),
    targetType: z.string(),
    runUrl: z.string().optional(),
    /** Container Apps: the revision the image change created. */
    revision: z.string().optional(),
    /** With `after: pin`: the pin commit the deployment was triggered for. */
    commit: z.string().optional(),
    pullRequestUrl: z.string().optional(),
    /** Triggered, but with a caveat (e.g. a replica region never reported the image). */
    warning: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('retention'),
    dryRun: z.boolean(),
    registries: z.array(
      z.strictObject({
        registry: z.string(),
        kept: z.number().int().nonnegative(),
        deleted: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        repositories: z.array(
          z.strictObject({ repository: z.string(), deleted: z.number().int().nonnegative() }),
        ),
      }),
    ),
  }),
  z.strictObject({
    kind: z.literal('failed'),
    action: z.enum(['pin', 'deploy', 'notify', 'retention']),
    error: z.string(),
    attempts: z.number().int().nonnegative(),
    poisoned: z.boolean(),
    /** The queue the message was parked on, when it was. */
    parkedOn: z.string().optional(),
    event: imageEventSchema.optional(),
    target: z.string().optional(),
  }),
]);
export type NotificationPayload = z.infer<typeof notificationPayloadSchema>;

export const notificationSchema = z.strictObject({
  type: z.literal('notify'),
  ...envelope,
  /** Key of `teams` in the config. */
  channel: z.string().min(1),
  payload: notificationPayloadSchema,
});
export type Notification = z.infer<typeof notificationSchema>;

export const actionMessageSchema = z.discriminatedUnion('type', [
  pinRequestSchema,
  deployRequestSchema,
  notificationSchema,
  retentionRequestSchema,
]);
export type ActionMessage = z.infer<typeof actionMessageSchema>;

/**
 * What ingress writes to `image-events`: the event and every action message it planned, in one
 * message, so accepting an event is a single atomic write (no half-queued actions when storage
 * fails midway). `fanOutActions` copies the actions to their queues.
 */
export const acceptedEventSchema = z.strictObject({
  type: z.literal('accepted-event'),
  ...envelope,
  event: imageEventSchema,
  actions: z.array(actionMessageSchema).min(1),
});
export type AcceptedEvent = z.infer<typeof acceptedEventSchema>;

/** The queue each message type goes to. */
export function queueFor(message: ActionMessage): string {
  switch (message.type) {
    case 'pin':
      return queueNames.pin;
    case 'deploy':
      return queueNames.deploy;
    case 'notify':
      return queueNames.notify;
    case 'retention':
      return queueNames.retention;
  }
}
