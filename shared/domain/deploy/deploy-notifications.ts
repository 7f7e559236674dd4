import { type DeployRequest, type Notification, type NotificationPayload } from '../messages/action-messages';
import { outcomeNotifications } from '../messages/outcome-notifications';

type Deployed = Extract<NotificationPayload, { kind: 'deployed' }>;
type Failed = Extract<NotificationPayload, { kind: 'failed' }>;

/** An API's error text can be long (HTML error pages); the card shows a sentence, the logs the rest. */
const maxErrorChars = 4_000;

/** What a triggered deployment reports. */
export interface DeployReport {
  /** The run's page (GitHub Actions run, Azure Pipelines run, Argo CD application, Azure portal). */
  runUrl?: string | undefined;
  /** Container Apps: the revision the new image created. */
  revision?: string | undefined;
  /** A caveat, e.g. the replication gate's timeout warning. */
  warning?: string | undefined;
}

/**
 * The idempotency key of a deployment's outcome notifications: the event's key, the action and the
 * target. The Teams consumer posts once per key + kind + channel, so a redelivered request does not
 * post its card twice, while the cards of two targets (or of the pin) of one push stay distinct.
 */
export function deployOutcomeKey(request: Pick<DeployRequest, 'dedupeKey' | 'target'>): string {
  return `${request.dedupeKey}:deploy:${request.target}`;
}

/** The `deployed` payload of a triggered deployment, with the pin it waited for when there was one. */
export function deployedPayload(request: DeployRequest, targetType: string, report: DeployReport): Deployed {
  return {
    kind: 'deployed',
    event: request.event,
    target: request.target,
    targetType,
    ...(report.runUrl ? { runUrl: report.runUrl } : {}),
    ...(report.revision ? { revision: report.revision } : {}),
    ...(request.pin?.commit ? { commit: request.pin.commit } : {}),
    ...(request.pin?.pullRequestUrl ? { pullRequestUrl: request.pin.pullRequestUrl } : {}),
    ...(report.warning ? { warning: report.warning } : {}),
  };
}

/** The `failed` payload of a deployment that was refused or gave up. */
export function deployFailedPayload(
  request: DeployRequest,
  failure: { error: string; attempts: number; poisoned: boolean; parkedOn?: string },
): Failed {
  return {
    kind: 'failed',
    action: 'deploy',
    error:
      failure.error.length <= maxErrorChars ? failure.error : `${failure.error.slice(0, maxErrorChars - 1)}…`,
    attempts: failure.attempts,
    poisoned: failure.poisoned,
    ...(failure.parkedOn === undefined ? {} : { parkedOn: failure.parkedOn }),
    event: request.event,
    target: request.target,
  };
}

/** One notification per notify route of the request that asked for this payload's kind, validated. */
export function deployNotifications(request: DeployRequest, payload: Deployed | Failed): Notification[] {
  return outcomeNotifications(request, deployOutcomeKey(request), payload);
}
