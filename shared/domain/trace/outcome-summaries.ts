import type { DeployRequest } from '../messages/action-messages';
import type { DeployOutcome } from '../deploy/deploy-image';
import type { NotifyOutcome } from '../notify/notify-types';
import type { PinOutcome } from '../pinning/pin-image';
import type { RetentionRequestOutcome } from '../retention/retention-request';
import type { OutcomeSummary } from './trace-records';

/**
 * Each action's outcome in one line with what a person follows (commit, pull request, run, revision,
 * retention run), as the queue contracts hand it to the trace. Pure.
 */

/** `committed 0123456789ab (2 file(s)); queued deploy to web`. */
export function summarizePin(outcome: PinOutcome): OutcomeSummary {
  if (outcome.kind === 'skipped') return { kind: 'skipped', text: `skipped: ${outcome.reason}` };
  const files = new Set(outcome.changes.map((change) => change.file)).size;
  const done =
    outcome.result === 'committed'
      ? `committed ${outcome.commit?.slice(0, 12) ?? '(no sha)'} (${files} file(s))`
      : outcome.result === 'pull-request'
        ? `pull request ${outcome.pullRequestUrl ?? '(no URL)'} (${files} file(s))`
        : 'no change: the gitops repo already holds this digest';
  const deploys = outcome.deploys
    ? `; queued deploy to ${outcome.deploys.targets.join(', ')}${outcome.deploys.note ? ` (${outcome.deploys.note})` : ''}`
    : '';
  return {
    kind: outcome.result,
    text: `${done}${deploys}`,
    ...links({
      commit: outcome.commit,
      commitUrl: outcome.commitUrl,
      pullRequestUrl: outcome.pullRequestUrl,
    }),
  };
}

/** `triggered github-workflow: run https://…`. */
export function summarizeDeploy(outcome: DeployOutcome, request: DeployRequest): OutcomeSummary {
  if (outcome.kind === 'duplicate') return { kind: 'duplicate', text: outcome.reason };
  const details = [
    outcome.runUrl ? `run ${outcome.runUrl}` : undefined,
    outcome.revision ? `revision ${outcome.revision}` : undefined,
    request.pin?.commit ? `for commit ${request.pin.commit.slice(0, 12)}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return {
    kind: 'deployed',
    text:
      `triggered ${outcome.targetType}${details.length > 0 ? `: ${details.join(', ')}` : ''}` +
      (outcome.warning ? `; warning: ${outcome.warning}` : ''),
    ...links({
      runUrl: outcome.runUrl,
      revision: outcome.revision,
      commit: request.pin?.commit,
      pullRequestUrl: request.pin?.pullRequestUrl,
    }),
  };
}

/** `posted to Teams channel "platform"`, `folded into burst …`. */
export function summarizeNotify(outcome: NotifyOutcome): OutcomeSummary {
  switch (outcome.kind) {
    case 'posted':
      return { kind: 'posted', text: `posted to Teams channel "${outcome.channel}"` };
    case 'duplicate':
      return { kind: 'duplicate', text: `already posted to Teams channel "${outcome.channel}"` };
    case 'folded':
      return {
        kind: 'folded',
        text: `folded into burst ${outcome.burstId}, posted with its flush`,
        links: { burst: outcome.burstId },
      };
    case 'nothing-to-flush':
      return { kind: 'nothing-to-flush', text: outcome.reason };
    case 'deferred':
      return { kind: 'deferred', text: outcome.reason };
  }
}

/** `run push-…: applied: deleted 3, kept 10`. */
export function summarizeRetention(outcome: RetentionRequestOutcome, runId: string): OutcomeSummary {
  switch (outcome.kind) {
    case 'folded':
      return { kind: 'folded', text: `folded into the run of ${outcome.into}` };
    case 'skipped':
      return { kind: 'skipped', text: `skipped: ${outcome.reason}` };
    case 'ran': {
      const { run } = outcome;
      const totals = run.plan?.totals;
      const counts = run.result
        ? `deleted ${run.result.done.length}, failed ${run.result.failed.length}`
        : totals
          ? `would delete ${totals.delete}, keep ${totals.keep} (dry run)`
          : (run.reason ?? '');
      return {
        kind: run.status,
        text: `run ${runId} in ${run.name}: ${run.status}${counts ? `: ${counts}` : ''}`,
        links: { retentionRun: runId },
      };
    }
  }
}

/** `{ links }` with the values that are set, or nothing when none is. */
function links(values: Record<string, string | undefined>): { links?: Record<string, string> } {
  const kept = Object.entries(values).filter((entry): entry is [string, string] => Boolean(entry[1]));
  return kept.length > 0 ? { links: Object.fromEntries(kept) } : {};
}
