import { retentionPlanJson, type RetentionPlanJson } from './retention-plan-json';
import { itemsOf } from './retention-outcome';
import type { RetentionOperation } from './retention-plan';
import type { RegistryRun, RetentionRunResult } from './run-retention';

/** What `POST /api/retention/run` answers: the plan JSON (the CLI's `--json`) plus what the run did. */
export interface RetentionRunJson extends RetentionPlanJson {
  run: {
    id: string;
    /** True when the run deleted (`?apply=true`), false for a plan. */
    applied: boolean;
    registries: {
      name: string;
      status: RegistryRun['status'];
      reason?: string;
      /** Tags and untagged manifests deleted, failed and skipped at apply time. */
      deleted: number;
      failed: number;
      skipped: number;
      bytesFreed: number;
      failures: { operation: string; error: string }[];
    }[];
  };
}

/** The run as JSON: the plans (as applied), then per registry its status and apply counts. Pure. */
export function retentionRunJson(result: RetentionRunResult): RetentionRunJson {
  const plans = result.registries.flatMap((run) => (run.plan ? [run.plan] : []));
  return {
    ...retentionPlanJson(plans),
    run: {
      id: result.runId,
      applied: result.applied,
      registries: result.registries.map((run) => {
        const sum = (operations: readonly RetentionOperation[]) =>
          operations.reduce((total, operation) => total + itemsOf(operation), 0);
        const applied = run.result;
        return {
          name: run.name,
          status: run.status,
          ...(run.reason === undefined ? {} : { reason: run.reason }),
          deleted: applied ? sum(applied.done) : 0,
          failed: applied ? sum(applied.failed.map((failure) => failure.operation)) : 0,
          skipped: applied ? sum(applied.skipped.map((skip) => skip.operation)) : 0,
          bytesFreed: applied?.bytesFreed ?? 0,
          failures: (applied?.failed ?? []).map((failure) => ({
            operation: operationText(failure.operation),
            error: failure.error,
          })),
        };
      }),
    },
  };
}

/** `untag team-a/web:1.0.0` / `delete team-a/web@sha256:<full digest>`: for reports people act on. */
export function operationText(operation: RetentionOperation): string {
  return operation.kind === 'delete-tag'
    ? `untag ${operation.repository}:${operation.tag}`
    : `delete ${operation.repository}@${operation.digest}`;
}
