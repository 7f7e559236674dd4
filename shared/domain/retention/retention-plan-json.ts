import { sumCounts } from './plan-retention';
import type { RegistryRetentionPlan, RetentionDecision } from './retention-plan';

/** The `--json` output of `acr-autopilot retention plan` (issue 11 §6); these keys are the contract. */
export interface RetentionPlanJson {
  registries: {
    name: string;
    repositories: {
      name: string;
      tags: { tag: string; digest: string; decision: RetentionDecision; reason: string }[];
      manifests: { digest: string; decision: RetentionDecision; reason: string }[];
    }[];
  }[];
  /** Over every tag and untagged manifest listed. */
  totals: { keep: number; delete: number };
}

/** The plans of one run as the documented JSON: exactly these keys, nothing internal. */
export function retentionPlanJson(plans: readonly RegistryRetentionPlan[]): RetentionPlanJson {
  const totals = sumCounts(plans.map((plan) => plan.totals));
  return {
    registries: plans.map((plan) => ({
      name: plan.registry,
      repositories: plan.repositories.map((repository) => ({
        name: repository.name,
        tags: repository.tags.map(({ tag, digest, decision, reason }) => ({ tag, digest, decision, reason })),
        manifests: repository.manifests.map(({ digest, decision, reason }) => ({ digest, decision, reason })),
      })),
    })),
    totals: { keep: totals.keep, delete: totals.delete },
  };
}
