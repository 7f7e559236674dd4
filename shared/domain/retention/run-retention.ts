import pLimit from 'p-limit';
import type { RetentionConfig, RetentionRegistry } from '../config/retention-schema';
import type { Config } from '../config/schema';
import { ConfigError } from '../errors';
import type { Notification } from '../messages/action-messages';
import { queueNames } from '../messages/queues';
import type { Clock, GitReader, Logger, Metrics, QueueSender, StateStore } from '../ports';
import { applyRetentionPlan, type ApplyResult } from './apply-retention-plan';
import { formatBytes } from './format-retention-plan';
import type { InventoryRepository } from './inventory';
import { readPinnedReferences, protectedDigestsFor, type PinnedReferences } from './pinned-references';
import { planRetention } from './plan-retention';
import { compileRepositoryRules } from './repository-rules';
import { acquireLease, type RetentionLease } from './retention-lease';
import { retentionNotification, type RetentionRun } from './retention-notification';
import { blockPlan, planAsApplied } from './retention-outcome';
import type { RegistryRetentionPlan, RetentionOperation } from './retention-plan';
import type { RegistryBackend } from './retention-ports';

export type RetentionTrigger = 'timer' | 'http' | 'push' | 'cli';

/** What a retention run needs; the composition root builds it once per worker (`retentionDeps`). */
export interface RetentionDeps {
  config: Pick<Config, 'retention' | 'gitops' | 'registryAliases'>;
  /** Reads an app setting the config names (gitops tokens, registry credentials). */
  setting(name: string): string | undefined;
  backendFor(registry: RetentionRegistry): RegistryBackend;
  git: GitReader;
  /** For the per-registry lease (and the debounce and schedule rows); absent: no lease (CLI without storage). */
  state: StateStore | undefined;
  /** For the summary notification; absent: none is sent. */
  queue: QueueSender | undefined;
  clock: Clock;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Counts the tags each applied run removed; absent: not counted. */
  metrics?: Metrics;
}

export type RetentionProgress =
  | { phase: 'inventory'; registry: string; done: number; total: number }
  | { phase: 'apply'; registry: string; done: number; total: number };

export interface RetentionRunRequest {
  trigger: RetentionTrigger;
  /** Names the run in the lease, the log and the notification's dedupe key. */
  runId: string;
  correlationId: string;
  /** Delete (true) or plan only. The caller has applied `retention.dryRun`. */
  apply: boolean;
  /** Names in `retention.registries`; default all. */
  registries?: readonly string[];
  /** A push-triggered run plans this repository only. */
  repository?: string;
  /** Teams channels for the summary. */
  notify: readonly string[];
  /** `changes`: only when something was (or would be) deleted or failed (push-triggered runs). */
  notifyWhen?: 'always' | 'changes';
  progress?: (event: RetentionProgress) => void;
}

export interface RegistryRun {
  name: string;
  address: string;
  /** `busy`: another run holds the lease; `blocked`: a gitops repo could not be read, nothing deleted. */
  status: 'planned' | 'applied' | 'busy' | 'blocked' | 'failed';
  reason?: string;
  /** The plan; after apply, as applied (skipped deletes are keeps). */
  plan?: RegistryRetentionPlan;
  result?: ApplyResult;
  /** What made the registry fail (inventory or lease errors), for callers that retry. */
  error?: unknown;
}

export interface RetentionRunResult {
  runId: string;
  applied: boolean;
  registries: RegistryRun[];
}

/** A lease outlives a worker that died by this much; it is renewed every third of it while the run lasts. */
export const leaseTtlMs = 5 * 60_000;
/** Repositories inventoried at once (reads; deletes use `retention.concurrency`). */
const inventoryConcurrency = 4;

/**
 * One retention run (issue 11 §2–5): for each selected registry, inventory the repositories a policy
 * matches, plan (pure), and when `apply` delete under a lease in Table Storage, so two runs never
 * overlap on one registry; a run that died half-way leaves a lease that expires, and the waves of the
 * plan leave nothing a later run cannot find. Pinned digests come from the gitops repos: if one cannot
 * be read, nothing is deleted in registries where a policy protects pins, and the report says why.
 * The summary goes to the notifications queue and the log.
 */
export async function runRetention(
  deps: RetentionDeps,
  request: RetentionRunRequest,
): Promise<RetentionRunResult> {
  const retention = deps.config.retention;
  if (!retention) return { runId: request.runId, applied: false, registries: [] };
  const selected = selectRegistries(retention, request.registries);
  const pins = await pinsFor(deps, retention, selected);
  const runs: RegistryRun[] = [];
  for (const registry of selected) runs.push(await runRegistry(deps, request, retention, registry, pins));
  await notify(deps, request, runs);
  return { runId: request.runId, applied: request.apply, registries: runs };
}

/** The registries a request names (all by default); an unknown name is a ConfigError listing the known. */
export function selectRegistries(
  retention: RetentionConfig,
  names: readonly string[] | undefined,
): RetentionRegistry[] {
  if (!names || names.length === 0) return retention.registries;
  const known = retention.registries.map((registry) => registry.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown retention registry ${unknown.map((name) => `"${name}"`).join(', ')}; ` +
        `retention.registries has ${known.length ? known.join(', ') : 'none'}`,
    );
  }
  return retention.registries.filter((registry) => names.includes(registry.name));
}

function policiesFor(retention: RetentionConfig, registry: string) {
  return retention.policies.filter(
    (policy) => policy.registries === undefined || policy.registries.includes(registry),
  );
}

async function pinsFor(
  deps: RetentionDeps,
  retention: RetentionConfig,
  registries: readonly RetentionRegistry[],
): Promise<PinnedReferences> {
  const needed = registries.some((registry) =>
    policiesFor(retention, registry.name).some((policy) => policy.protectPinned),
  );
  if (!needed || Object.keys(deps.config.gitops).length === 0) return { references: [], unreadable: [] };
  return readPinnedReferences(deps, deps.config, retention.registries);
}

async function runRegistry(
  deps: RetentionDeps,
  request: RetentionRunRequest,
  retention: RetentionConfig,
  registry: RetentionRegistry,
  pins: PinnedReferences,
): Promise<RegistryRun> {
  const address = registry.type === 'acr' ? registry.loginServer : registry.url;
  const base = { name: registry.name, address };
  const label = `retention ${registry.name} (${address})${request.repository ? ` ${request.repository}` : ''}`;
  let lease: RetentionLease | undefined;
  if (request.apply && deps.state) {
    const taken = await acquireLease(deps.state, {
      registry: registry.name,
      owner: request.runId,
      trigger: request.trigger,
      ttlMs: leaseTtlMs,
      clock: deps.clock,
    });
    if (taken.kind === 'busy') {
      const reason = `already running: a ${taken.holder.trigger} run (${taken.holder.owner}) holds the registry since ${taken.holder.startedAt}`;
      deps.log.info(`${label}: skipped, ${reason}`);
      return { ...base, status: 'busy', reason };
    }
    lease = taken.lease;
  } else if (request.apply) {
    deps.log.warn(`${label}: no storage for a lease; make sure no other run deletes in this registry now`);
  }
  const heartbeat = lease ? setInterval(() => void renew(deps, lease, label), leaseTtlMs / 3) : undefined;
  heartbeat?.unref();
  try {
    const backend = deps.backendFor(registry);
    const policies = policiesFor(retention, registry.name);
    const inventory = await inventoryOf(request, registry, backend, retention);
    let plan = planRetention({
      registry: { ...registry, canDeleteTags: backend.canDeleteTags },
      inventory,
      policies: retention.policies,
      now: deps.clock(),
      protectedDigests: protectedDigestsFor(registry.name, pins.references, inventory),
      ...(request.repository === undefined ? {} : { scope: { repository: request.repository } }),
    });
    const protects = policies.some((policy) => policy.protectPinned);
    if (protects && pins.unreadable.length > 0) {
      const which = pins.unreadable.map((repo) => `"${repo.repo}" (${repo.error})`).join('; ');
      const reason = `gitops repo ${which} could not be read, so the digests it pins are unknown; nothing is deleted until it can be`;
      plan = blockPlan(
        plan,
        `gitops repo ${pins.unreadable.map((repo) => repo.repo).join(', ')} could not be read`,
      );
      deps.log.error(`${label}: ${reason}`);
      return { ...base, status: 'blocked', reason, plan };
    }
    const { keep, delete: deletes, manifestsDeleted } = plan.totals;
    if (!request.apply) {
      deps.log.info(
        `${label}: dry run, would delete ${deletes} and keep ${keep} (${manifestsDeleted} manifest(s))`,
      );
      return { ...base, status: 'planned', plan };
    }
    const result = await applyRetentionPlan(plan.operations, {
      backend,
      log: deps.log,
      concurrency: retention.concurrency,
      sleep: deps.sleep,
      ...(deps.random ? { random: deps.random } : {}),
      mayContinue: () => !lease?.lost,
      onProgress: (done, total) =>
        request.progress?.({ phase: 'apply', registry: registry.name, done, total }),
    });
    deps.metrics?.tagsDeleted(tagsRemoved(result.done), registry.name);
    deps.log.info(
      `${label}: deleted ${result.done.length} of ${plan.operations.length} planned delete(s)` +
        `, ${result.failed.length} failed, ${result.skipped.length} skipped` +
        (result.bytesFreed > 0 ? `, ${formatBytes(result.bytesFreed)} freed where sizes are known` : ''),
    );
    return { ...base, status: 'applied', plan: planAsApplied(plan, result), result };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.log.error(`${label} failed: ${reason}`);
    return { ...base, status: 'failed', reason, error };
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    await lease?.release().catch((error: unknown) => {
      deps.log.warn(`${label}: could not release the lease (it expires by itself): ${String(error)}`);
    });
  }
}

/** Tags gone after these deletes: each untag, and the tags a deleted manifest took with it. */
export function tagsRemoved(done: readonly RetentionOperation[]): number {
  return done.reduce(
    (sum, operation) => sum + (operation.kind === 'delete-tag' ? 1 : operation.tags.length),
    0,
  );
}

async function renew(deps: RetentionDeps, lease: RetentionLease, label: string): Promise<void> {
  try {
    if (!(await lease.renew())) deps.log.error(`${label}: lost the lease to another run; stopping deletes`);
  } catch (error) {
    deps.log.warn(`${label}: could not renew the lease: ${String(error)}`);
  }
}

/** The repositories a policy matches (the others are never deleted in, so never read). */
async function inventoryOf(
  request: RetentionRunRequest,
  registry: RetentionRegistry,
  backend: RegistryBackend,
  retention: RetentionConfig,
): Promise<{ repositories: InventoryRepository[] }> {
  const rulesFor = compileRepositoryRules(retention.policies, registry.name);
  const names =
    request.repository === undefined
      ? (await backend.listRepositories()).filter((name) => rulesFor(name) !== undefined)
      : [request.repository];
  const limit = pLimit(inventoryConcurrency);
  let done = 0;
  request.progress?.({ phase: 'inventory', registry: registry.name, done, total: names.length });
  const repositories = await Promise.all(
    names.map((name) =>
      limit(async () => {
        const repository = await backend.inventory(name);
        done += 1;
        request.progress?.({ phase: 'inventory', registry: registry.name, done, total: names.length });
        return repository;
      }),
    ),
  );
  return { repositories };
}

/** The summary card (and a failure card per registry that failed or was blocked), to each channel. */
async function notify(
  deps: RetentionDeps,
  request: RetentionRunRequest,
  runs: readonly RegistryRun[],
): Promise<void> {
  if (!deps.queue || request.notify.length === 0) return;
  const planned: RetentionRun[] = runs.flatMap((run) =>
    run.plan
      ? [{ plan: run.plan, ...(run.result ? { failed: run.result.failed.map((f) => f.operation) } : {}) }]
      : [],
  );
  const payload = retentionNotification({ dryRun: !request.apply, runs: planned });
  const changes = payload.registries.some((registry) => registry.deleted > 0 || registry.failed > 0);
  const problems = runs.filter((run) => run.status === 'failed' || run.status === 'blocked');
  const envelope = { dedupeKey: `retention-${request.runId}`, correlationId: request.correlationId };
  const messages: Notification[] = [];
  for (const channel of new Set(request.notify)) {
    if (planned.length > 0 && (request.notifyWhen !== 'changes' || changes))
      messages.push({ type: 'notify', ...envelope, channel, payload });
    for (const run of problems) {
      messages.push({
        type: 'notify',
        ...envelope,
        dedupeKey: `retention-${request.runId}-${run.name}`,
        channel,
        payload: {
          kind: 'failed',
          action: 'retention',
          error: `retention run in registry ${run.name} (${run.address}): ${run.reason ?? run.status}`,
          attempts: 1,
          poisoned: false,
          target: run.name,
        },
      });
    }
  }
  for (const message of messages) await deps.queue.send(queueNames.notify, message);
}
