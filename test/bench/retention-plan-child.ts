import { performance } from 'node:perf_hooks';
import { planRetention } from '../../shared/domain/retention/plan-retention';
import type { RegistryRetentionPlan } from '../../shared/domain/retention/retention-plan';
import { digest, now, policies, syntheticInventory } from '../helpers/retention-builders';

/**
 * Runs in its own process with --expose-gc (see retention.ts), so the memory figures are this work's
 * and not the other benchmarks': node + tsx at start, the synthetic 1,000 × 100 inventory, the peak
 * while planning it once, the plan's live size, then the time of two more plans. Prints JSON.
 */
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const settle = () => {
  gc();
  return process.memoryUsage();
};

const start = settle();
const inventory = syntheticInventory(1000, 100);
const built = settle();
const written = policies(
  {
    repositories: ['team-*/**'],
    keep: { newest: 10, youngerThan: '14d', tags: ['latest', 'semver:>=1.0.0'] },
    untagged: { olderThan: '7d' },
  },
  { repositories: ['team-1/**'], keep: { newest: 20 } },
);
const protectedDigests = new Map(
  Array.from({ length: 1000 }, (_, r) => [digest(`r${r}t50`), `fleet:apps/app-${r}.yaml`]),
);
const plan = (): RegistryRetentionPlan =>
  planRetention({
    registry: { name: 'bench', type: 'acr', loginServer: 'bench.azurecr.io' },
    inventory,
    policies: written,
    now,
    protectedDigests,
  });

const before = performance.now();
let first: RegistryRetentionPlan | undefined = plan();
const timings = [performance.now() - before];
const peakRss = process.resourceUsage().maxRSS * 1024;
const withPlan = settle();
const tags = first.repositories.reduce((sum, repository) => sum + repository.tags.length, 0);
const operations = first.operations.length;
first = undefined;
settle();
for (let run = 0; run < 2; run++) {
  const started = performance.now();
  plan();
  timings.push(performance.now() - started);
  gc();
}
console.log(
  JSON.stringify({
    tags,
    repositories: inventory.repositories.length,
    operations,
    planMs: timings,
    rssStartMb: mb(start.rss),
    rssInventoryMb: mb(built.rss),
    peakRssMb: mb(peakRss),
    heapInventoryMb: mb(built.heapUsed - start.heapUsed),
    heapPlanMb: mb(withPlan.heapUsed - built.heapUsed),
    peakOverInventoryMb: mb(peakRss - built.rss),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  }),
);
