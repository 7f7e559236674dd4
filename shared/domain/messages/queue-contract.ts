import type { z } from 'zod';
import type { RetryAction } from '../config/retry-schema';
import type { Notification } from './action-messages';
import type { OutcomeSummary } from '../trace/trace-records';
import type { QueueName } from './queues';

/**
 * What a use case returns when its message is not due yet (a burst window still open, a region the
 * image has not reached): the runner sends the message again after `delayMs`, without counting an
 * attempt, and logs `reason`. Waiting is not failing.
 */
export interface Deferral {
  kind: 'deferred';
  delayMs: number;
  reason: string;
}

export function deferral(delayMs: number, reason: string): Deferral {
  return { kind: 'deferred', delayMs: Math.max(0, delayMs), reason };
}

export function isDeferral(value: unknown): value is Deferral {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'deferred' &&
    typeof (value as { delayMs?: unknown }).delayMs === 'number'
  );
}

/** Why and where the runner parked a message, for the failure card. */
export interface ParkedFailure {
  error: string;
  attempts: number;
  /** The queue the message was parked on. */
  parkedOn: string;
}

/**
 * What the queue-consumer runner needs to know about the messages of one queue: how to read them, how
 * to name one in a log line, whose retry budget applies, and which notifications announce that one
 * failed for good. Use cases never name a poison queue or count attempts; the runner does both.
 */
export interface QueueContract<M, O = unknown> {
  queue: QueueName;
  /** Key of `retry` in the config; `fan-out` always runs with the default policy. */
  action: RetryAction | 'fan-out';
  schema: z.ZodType<M>;
  /** `pin of contoso.azurecr.io/payments/api:1.4.2@sha256:… into gitops "fleet"`. */
  describe(message: M): string;
  /** The `failed` notifications sent once, when the message is parked (none for notifications). */
  failed?(message: M, failure: ParkedFailure): Notification[];
  /**
   * The dedupe key of the push the message belongs to, for `acr-autopilot trace`, when it is not the
   * message's own `dedupeKey` (an outcome card is keyed by the event's key plus the action).
   */
  traceKey?(message: M): string;
  /** What the message acts on, for `acr-autopilot trace`: a gitops repo, a deploy target, a channel. */
  target?(message: M): string;
  /** The use case's outcome in one line with its links (commit, pull request, run), for the trace. */
  summarize?(outcome: O, message: M): OutcomeSummary;
}
