import { shortDigest } from '../events/image-event';
import type { RegistryRetentionPlan, RepositoryPlan, RetentionCounts } from './retention-plan';
import { sumCounts } from './plan-retention';

/**
 * The plan as text for `acr-autopilot retention plan`: per registry and repository every tag and
 * untagged manifest with its decision and reason, then totals. A repository no policy matches is one
 * line (nothing there is deleted). Pure; the CLI adds colour and paging if it wants.
 *
 * ```text
 * registry prod (myreg.azurecr.io)
 *   team-a/web: keep 2, delete 1 (policy 0)
 *     keep    latest  sha256:4f2c9a0b1d3e  matches latest
 *     delete  v1.0.0  sha256:8b1d0c3e5f7a  older than 14d, not in newest 1 of 2
 *     keep    <untagged> sha256:0a1b2c3d4e5f  untagged, younger than 7d
 * totals: keep 2, delete 1 (tags and untagged manifests); 1 manifest to delete
 * ```
 */
export function formatRetentionPlan(plans: readonly RegistryRetentionPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`registry ${plan.registry}${plan.address === plan.registry ? '' : ` (${plan.address})`}`);
    if (plan.repositories.length === 0) lines.push('  no repositories');
    for (const repository of plan.repositories) lines.push(...repositoryLines(repository));
  }
  lines.push(`totals: ${totalsText(sumCounts(plans.map((plan) => plan.totals)))}`);
  return `${lines.join('\n')}\n`;
}

function repositoryLines(repository: RepositoryPlan): string[] {
  const { counts, policies } = repository;
  if (policies.length === 0) return [`  ${repository.name}: no policy matches, keep ${counts.keep}`];
  const which = `${policies.length === 1 ? 'policy' : 'policies'} ${policies.join(', ')}`;
  const lines = [`  ${repository.name}: keep ${counts.keep}, delete ${counts.delete} (${which})`];
  const rows = [
    ...repository.tags.map((tag) => [tag.decision, tag.tag, tag.digest, tag.reason] as const),
    ...repository.manifests.map((m) => [m.decision, '<untagged>', m.digest, m.reason] as const),
  ];
  const width = Math.min(40, Math.max(0, ...rows.map(([, name]) => name.length)));
  for (const [decision, name, digest, reason] of rows)
    lines.push(`    ${decision.padEnd(6)}  ${name.padEnd(width)}  ${shortDigest(digest)}  ${reason}`);
  if (rows.length === 0) lines.push('    (empty)');
  return lines;
}

function totalsText(totals: RetentionCounts): string {
  const manifests = `${totals.manifestsDeleted} manifest${totals.manifestsDeleted === 1 ? '' : 's'} to delete`;
  const bytes = totals.bytesDeleted > 0 ? ` (${formatBytes(totals.bytesDeleted)} where sizes are known)` : '';
  return `keep ${totals.keep}, delete ${totals.delete} (tags and untagged manifests); ${manifests}${bytes}`;
}

/** 1234567 → `1.2 MB` (decimal units, as registries report sizes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
