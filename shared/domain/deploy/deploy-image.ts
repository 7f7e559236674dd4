import { configuredEntry } from '../config/configured-entry';
import type { DeployTarget, DeployTargetType } from '../config/deploy-targets-schema';
import { describeImage } from '../events/image-event';
import { deployRequestSchema, type DeployRequest } from '../messages/action-messages';
import { deferral, type Deferral, type QueueContract } from '../messages/queue-contract';
import { queueNames } from '../messages/queues';
import type { AcceptedTrigger, DeployDeps, DeployTrigger } from './deploy-ports';
import {
  deployedPayload,
  deployFailedPayload,
  deployNotifications,
  deployOutcomeKey,
  type DeployReport,
} from './deploy-notifications';
import { actionTarget } from '../trace/action-target';
import { summarizeDeploy } from '../trace/outcome-summaries';
import { decideRegionGate } from './region-gate';

/** Dedupe scope of the once-per-(event, target) records. */
const deployScope = 'deploy';
/** How often a target waiting for replica regions looks again (never past its `regionTimeout`). */
const regionPollMs = 10_000;
/** How long to wait when another delivery of the same deployment is being sent right now. */
const inFlightDelayMs = 15_000;

/** What became of one deploy request. Failures are thrown: the queue-consumer runner retries or parks them. */
export type DeployOutcome =
  | ({ kind: 'deployed'; target: string; targetType: DeployTargetType } & DeployReport)
  /** Already sent for this event (a redelivery, a duplicate message, another region's delivery). */
  | { kind: 'duplicate'; target: string; reason: string };

/** The deploy-requests queue for the queue-consumer runner: its messages, log name and failure report. */
export const deployQueue: QueueContract<DeployRequest, DeployOutcome | Deferral> = {
  queue: queueNames.deploy,
  action: 'deploy',
  schema: deployRequestSchema,
  describe: describeDeploy,
  failed: (request, failure) =>
    deployNotifications(request, deployFailedPayload(request, { ...failure, poisoned: true })),
  target: actionTarget,
  // A deferral never reaches it: the runner sends the message again instead.
  summarize: (outcome, request) =>
    outcome.kind === 'deferred'
      ? { kind: 'deferred', text: outcome.reason }
      : summarizeDeploy(outcome, request),
};

/** `deploy of contoso.azurecr.io/payments/api:1.4.2@sha256:… to "payments-prod"`. */
function describeDeploy(request: DeployRequest): string {
  return `deploy of ${describeImage(request.event)} to "${request.target}"`;
}

/**
 * Triggers the request's deploy target once per (event, target) and reports it.
 *
 * 1. Replication gate: a target with `regions` waits (a `deferral`, not an attempt) until the push was
 *    seen from every listed region, or fires at `regionTimeout` with a warning.
 * 2. Claims the idempotency record `deploy`/`deployOutcomeKey`: a duplicate does nothing, a delivery
 *    that is being sent right now is looked at again shortly.
 * 3. Sends the trigger. A failure gives the claim back (so the retry sends it) and is thrown for the
 *    runner to retry or park; once the target accepted, the record is completed before anything else.
 * 4. Follows up (the run a dispatch started, the revision an ARM update created) and sends one
 *    `deployed` notification per route that wants them (keyed by `deployOutcomeKey`).
 */
export async function deployImage(
  deps: DeployDeps,
  request: DeployRequest,
): Promise<DeployOutcome | Deferral> {
  const what = describeDeploy(request);
  const target = targetOf(deps, request);
  const warnings: string[] = [];

  if (target.regions && target.regions.length > 0) {
    const now = deps.clock();
    const seen = await deps.arrivals.read(request.dedupeKey, now);
    const decision = decideRegionGate({
      regions: target.regions,
      arrivals: seen.arrivals,
      firstSeenAt: seen.firstSeenAt,
      now,
      timeoutMs: target.regionTimeout,
    });
    if (decision.kind === 'wait') {
      const left = decision.until.getTime() - now.getTime();
      return deferral(
        Math.max(1_000, Math.min(regionPollMs, left)),
        `waiting for the image to reach ${decision.missing.join(', ')} (firing anyway at ${decision.until.toISOString()})`,
      );
    }
    if (decision.kind === 'fire-with-warning') warnings.push(decision.warning);
  }

  const key = deployOutcomeKey(request);
  const claim = await deps.dedupe.claim(deployScope, key, {
    now: deps.clock(),
    windowMs: deps.config.ingress.dedupeWindow,
  });
  if (claim === 'duplicate') {
    const reason = 'already triggered for this event';
    deps.log.info(`${what}: ${reason}; nothing sent`);
    return { kind: 'duplicate', target: request.target, reason };
  }
  if (claim === 'in-flight') {
    return deferral(inFlightDelayMs, 'another delivery of this deployment is being sent right now');
  }

  for (const warning of warnings) deps.log.warn(`${what}: ${warning}`);
  let accepted: AcceptedTrigger;
  try {
    accepted = await triggerOf(deps, target).trigger(target, {
      target: request.target,
      event: request.event,
      pin: request.pin,
    });
  } catch (error) {
    await deps.dedupe.release(deployScope, key).catch((releaseError: unknown) => {
      deps.log.error(`${what}: could not release idempotency record ${key}: ${String(releaseError)}`);
    });
    throw error;
  }
  // Sent: from now on a redelivery must not send it again. A failure to record that is logged, not
  // thrown (throwing would make the runner send it again right away); the claim then goes stale.
  await deps.dedupe
    .complete(deployScope, key, { now: deps.clock(), actions: 1 })
    .catch((error: unknown) => deps.log.warn(`${what}: could not record it as sent: ${String(error)}`));

  const followed = accepted.follow ? await accepted.follow() : {};
  const report = mergeReports(accepted.report, followed, [...warnings, ...pullRequestNote(request)]);
  const outcome: DeployOutcome = {
    kind: 'deployed',
    target: request.target,
    targetType: target.type,
    ...report,
  };
  for (const note of deployNotifications(request, deployedPayload(request, target.type, report))) {
    // The deployment is out; a card that cannot be queued must not send it again through a retry.
    await deps.queue
      .send(queueNames.notify, note)
      .catch((error: unknown) =>
        deps.log.error(
          `${what}: triggered, but the ${note.channel} card could not be queued: ${String(error)}`,
        ),
      );
  }
  const details = [
    report.runUrl ? `run ${report.runUrl}` : undefined,
    report.revision ? `revision ${report.revision}` : undefined,
  ].filter(Boolean);
  deps.log.info(
    `${what}: triggered${details.length > 0 ? ` (${details.join(', ')})` : ''}` +
      (report.warning ? `; ${report.warning}` : ''),
  );
  return outcome;
}

function targetOf(deps: DeployDeps, request: DeployRequest): DeployTarget {
  return configuredEntry(deps.config.deployTargets, request.target, {
    kind: 'deploy target',
    section: 'deployTargets',
    rule: request.rule,
    field: 'deploy',
  });
}

/** `DeployTriggers` has one per type; the cast only joins the per-type signatures. */
function triggerOf(deps: DeployDeps, target: DeployTarget): DeployTrigger {
  return deps.triggers[target.type] as DeployTrigger;
}

/** In pull-request mode the pin "landed" when its pull request was opened: the deployment says so. */
function pullRequestNote(request: DeployRequest): string[] {
  return request.pin?.result === 'pull-request' && request.pin.pullRequestUrl
    ? [
        `triggered when the pin's pull request was opened (${request.pin.pullRequestUrl}), not when it is merged`,
      ]
    : [];
}

/** The trigger's report with what the follow-up found, and every caveat, one sentence each. */
export function mergeReports(
  sent: DeployReport,
  followed: DeployReport,
  warnings: readonly string[] = [],
): DeployReport {
  const all = [...warnings, sent.warning, followed.warning].filter((text): text is string => Boolean(text));
  const runUrl = followed.runUrl ?? sent.runUrl;
  const revision = followed.revision ?? sent.revision;
  return {
    ...(runUrl ? { runUrl } : {}),
    ...(revision ? { revision } : {}),
    ...(all.length > 0 ? { warning: all.join('; ') } : {}),
  };
}
