import type { DeployTarget, DeployTargetOf, DeployTargetType } from '../config/deploy-targets-schema';
import type { Config } from '../config/schema';
import type { Clock, DedupeStore, Logger, QueueSender } from '../ports';
import type { DeployInput } from './deploy-http-request';
import type { DeployReport } from './deploy-notifications';

/**
 * The side effects a deployment needs, as the domain sees them. Adapters in shared/adapters/deploy
 * implement the triggers (one per target type), shared/adapters/table the arrivals.
 */

/** A trigger the target accepted: the deployment is on its way. */
export interface AcceptedTrigger {
  /** What the answer to the trigger said (a run URL from a 200, a revision from a synchronous update). */
  report: DeployReport;
  /**
   * Finds out more once the trigger is recorded as sent: the run a 204 dispatch started, the revision
   * a long-running ARM update created. Resolves with what it found (a lookup that fails or times out
   * says so in `warning`); throws only a final error, e.g. the new revision failed to provision.
   */
  follow?: () => Promise<DeployReport>;
}

/** Sends the trigger of one target type. */
export interface DeployTrigger<T extends DeployTarget = DeployTarget> {
  /**
   * @throws ConfigError or RefusedError (final: a missing setting, a 4xx with the API's own message),
   *   UpstreamError (retryable: 429, 5xx, timeouts). Nothing was triggered when it throws.
   */
  trigger(target: T, input: DeployInput): Promise<AcceptedTrigger>;
}

/** One trigger per target type (shared/adapters/deploy/deploy-triggers.ts builds them). */
export type DeployTriggers = { [K in DeployTargetType]: DeployTrigger<DeployTargetOf<K>> };

/** When a push was seen from each replica region (regional ACR webhooks, Event Grid `data.location`). */
export interface RegionSightings {
  /** Region (normalized, see `normalizeRegion`) → first delivery from it. */
  arrivals: Record<string, Date>;
  /** The first arrival, or the first time the gate looked when none was recorded: the timeout counts from here. */
  firstSeenAt: Date;
}

/**
 * Each region's arrival of a push, keyed by the event's dedupe key (Table Storage). Regional
 * deliveries of one push are one event for dedupe, but each arrival is recorded here, duplicates too.
 */
export interface RegionArrivals {
  /** Records the first arrival of `key` from `region`; a later one from the same region changes nothing. */
  record(key: string, region: string, at: Date): Promise<void>;
  /** The arrivals so far; the first call also records `now` as when the gate opened. */
  read(key: string, now: Date): Promise<RegionSightings>;
}

/** What `deployImage` needs; the composition root builds it once per worker. */
export interface DeployDeps {
  /** `deployTargets`, and `ingress.dedupeWindow` for how long a sent trigger counts as sent. */
  config: Pick<Config, 'deployTargets' | 'ingress'>;
  triggers: DeployTriggers;
  /** Idempotency records (scope `deploy`, key `deployOutcomeKey`). */
  dedupe: DedupeStore;
  arrivals: RegionArrivals;
  /** Sends outcome notifications. */
  queue: QueueSender;
  clock: Clock;
  log: Logger;
}
