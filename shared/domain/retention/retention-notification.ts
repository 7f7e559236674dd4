import type { NotificationPayload } from '../messages/action-messages';
import { itemsOf } from './retention-outcome';
import type { RegistryRetentionPlan, RetentionOperation } from './retention-plan';

export type RetentionNotification = Extract<NotificationPayload, { kind: 'retention' }>;

/** At most this many repositories per registry go into the message (queue messages are ≤ 64 KB). */
export const notifiedRepositories = 50;

export interface RetentionRun {
  plan: RegistryRetentionPlan;
  /** Operations that failed when applying; ignored in a dry run. */
  failed?: readonly RetentionOperation[];
}

/**
 * The `retention` notification for a run: per registry how many tags and untagged manifests were kept,
 * deleted (in a dry run: would be) and failed, and the repositories that lost most (at most
 * `notifiedRepositories`, most deleted first). A failed manifest delete counts as failed for each tag
 * that went with it. Pure; the caller queues it.
 */
export function retentionNotification(input: {
  dryRun: boolean;
  runs: readonly RetentionRun[];
}): RetentionNotification {
  return {
    kind: 'retention',
    dryRun: input.dryRun,
    registries: input.runs.map(({ plan, failed = [] }) => {
      const failedBy = new Map<string, number>();
      if (!input.dryRun)
        for (const operation of failed)
          failedBy.set(operation.repository, (failedBy.get(operation.repository) ?? 0) + itemsOf(operation));
      let failedTotal = 0;
      for (const count of failedBy.values()) failedTotal += count;
      const repositories = plan.repositories
        .map((repository) => ({
          repository: repository.name,
          deleted: Math.max(0, repository.counts.delete - (failedBy.get(repository.name) ?? 0)),
        }))
        .filter((repository) => repository.deleted > 0)
        .sort((a, b) => b.deleted - a.deleted || (a.repository < b.repository ? -1 : 1))
        .slice(0, notifiedRepositories);
      return {
        registry: plan.address,
        kept: plan.totals.keep,
        deleted: Math.max(0, plan.totals.delete - failedTotal),
        failed: failedTotal,
        repositories,
      };
    }),
  };
}
