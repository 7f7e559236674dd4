import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createOutboundClient } from '../../shared/adapters/http/outbound-client';
import { createOciBackend } from '../../shared/adapters/registry/oci-registry-backend';
import { applyRetentionPlan } from '../../shared/domain/retention/apply-retention-plan';
import type { RetentionOperation } from '../../shared/domain/retention/retention-plan';
import { listTags, pushImage, startOciRegistry } from '../helpers/oci-registry';
import { ms, printFigures, type Figure } from './stats';

interface PlanFigures {
  tags: number;
  repositories: number;
  operations: number;
  planMs: number[];
  rssStartMb: number;
  rssInventoryMb: number;
  peakRssMb: number;
  heapInventoryMb: number;
  heapPlanMb: number;
  peakOverInventoryMb: number;
}

/**
 * Retention, measured two ways: (a) the planner over 100,000 tags in 1,000 repositories, in a fresh
 * process so the memory figures are its own (tsx, the synthetic inventory and the plan); (b) deletes
 * per second against the local docker-registry through the OCI backend, at concurrency 1 and 8.
 */
export async function benchRetention(options: { images: number }): Promise<Figure[]> {
  return [...(await benchPlanner()), ...(await benchDeletes(options.images))];
}

async function benchPlanner(): Promise<Figure[]> {
  const child = join(__dirname, 'retention-plan-child.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child], {
    maxBuffer: 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PlanFigures;
  const first = result.planMs[0] ?? NaN;
  const best = Math.min(...result.planMs);
  const figures: Figure[] = [
    {
      name: 'tags / repositories / delete operations',
      value: `${result.tags} / ${result.repositories} / ${result.operations}`,
    },
    { name: 'plan 100,000 tags, first run (cold)', value: ms(first), target: '≤ 2 s', ok: first <= 2000 },
    { name: 'plan 100,000 tags, best of 3', value: ms(best) },
    { name: 'RSS: node + tsx + modules, at start', value: `${result.rssStartMb} MB` },
    { name: 'RSS: + synthetic inventory (live)', value: `${result.rssInventoryMb} MB` },
    {
      name: 'RSS: peak of the whole process, planning',
      value: `${result.peakRssMb} MB`,
      target: '≤ 256 MB',
      ok: result.peakRssMb <= 256,
    },
    { name: 'planner: peak RSS over the inventory', value: `${result.peakOverInventoryMb} MB` },
    { name: 'planner: live heap of the plan it returns', value: `${result.heapPlanMb} MB` },
    { name: 'synthetic inventory: live heap', value: `${result.heapInventoryMb} MB` },
  ];
  printFigures('Retention (a): planRetention over syntheticInventory(1000, 100), own process', figures);
  return figures;
}

async function benchDeletes(images: number): Promise<Figure[]> {
  const registry = await startOciRegistry();
  try {
    const backend = createOciBackend({
      registry: { name: 'bench', url: registry.url },
      http: createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true }),
      setting: () => undefined,
      log: { warn: (message) => console.warn(message) },
    });
    const rate = async (concurrency: number, round: number): Promise<number> => {
      const repository = `bench/c${concurrency}-${round}`;
      const operations: RetentionOperation[] = [];
      for (let i = 0; i < images; i++) {
        const pushed = await pushImage(registry.url, repository, {
          tag: `t${i}`,
          created: '2024-01-01T00:00:00Z',
        });
        operations.push({
          kind: 'delete-manifest',
          repository,
          digest: pushed.digest,
          tags: [`t${i}`],
          reason: 'bench',
          wave: 0,
        });
      }
      const started = performance.now();
      const result = await applyRetentionPlan(operations, {
        backend,
        concurrency,
        log: { info: () => undefined, warn: (message) => console.warn(message) },
        sleep: (delay) => new Promise((resolve) => setTimeout(resolve, delay)),
      });
      const seconds = (performance.now() - started) / 1000;
      if (result.done.length !== images || (await listTags(registry.url, repository)).length !== 0) {
        throw new Error(`bench: ${result.failed.length} delete(s) failed at concurrency ${concurrency}`);
      }
      return images / seconds;
    };
    // Two rounds, alternating, best of each: this machine's 2 cores run the registry too, so one
    // measurement swings with whatever else it is doing.
    const ones: number[] = [];
    const eights: number[] = [];
    for (let round = 0; round < 2; round++) {
      ones.push(await rate(1, round));
      eights.push(await rate(8, round));
    }
    const one = Math.max(...ones);
    const eight = Math.max(...eights);
    const figures: Figure[] = [
      { name: `deletes/s at concurrency 1 (${images} manifests, best of 2)`, value: one.toFixed(0) },
      { name: `deletes/s at concurrency 8 (${images} manifests, best of 2)`, value: eight.toFixed(0) },
      { name: 'concurrency 8 vs 1', value: `${(eight / one).toFixed(1)}×` },
    ];
    printFigures(
      'Retention (b): apply deletes against docker-registry 2.8 (re-read of tags included)',
      figures,
    );
    return figures;
  } finally {
    await registry.stop();
  }
}
