import { describeImage } from '../events/image-event';
import {
  retentionRequestSchema,
  type Notification,
  type RetentionRequest,
} from '../messages/action-messages';
import { deferral, type Deferral, type QueueContract } from '../messages/queue-contract';
import { queueNames } from '../messages/queues';
import type { StateStore } from '../ports';
import { leaseTtlMs, runRetention, type RegistryRun, type RetentionDeps } from './run-retention';
import { channelsWanting } from '../messages/outcome-notifications';
import { actionTarget } from '../trace/action-target';
import { summarizeRetention } from '../trace/outcome-summaries';

/** State scope of the debounce rows (one per registry and repository). */
export const debounceScope = 'retention-debounce';
/** A busy registry (another run holds its lease): try again after this. */
const busyRetryMs = 60_000;

interface DebounceRow {
  /** Dedupe key of the request that owns the window; only it runs. */
  owner: string;
  /** When the window closes and the owner runs (ISO). */
  dueAt: string;
  state: 'waiting' | 'running';
  /** Set while running; a run older than the lease TTL died, and a redelivery may run again. */
  runningSince?: string;
}

export type RetentionRequestOutcome =
  | { kind: 'ran'; run: RegistryRun }
  /** Another request of the same window runs for it. */
  | { kind: 'folded'; into: string }
  | { kind: 'skipped'; reason: string };

/** The retention-requests queue for the queue-consumer runner. */
export const retentionQueue: QueueContract<RetentionRequest, RetentionRequestOutcome | Deferral> = {
  queue: queueNames.retention,
  action: 'retention',
  schema: retentionRequestSchema,
  describe: describeRetentionRequest,
  target: actionTarget,
  summarize: (outcome, request) =>
    outcome.kind === 'deferred'
      ? { kind: 'deferred', text: outcome.reason }
      : summarizeRetention(outcome, pushRunId(request.dedupeKey)),
  failed: (request, failure) =>
    channelsFor(request, undefined).map((channel): Notification => ({
      type: 'notify',
      dedupeKey: request.dedupeKey,
      correlationId: request.correlationId,
      channel,
      payload: {
        kind: 'failed',
        action: 'retention',
        error: failure.error,
        attempts: failure.attempts,
        poisoned: true,
        parkedOn: failure.parkedOn,
        event: request.event,
        target: request.registry,
      },
    })),
};

/** The run id of a push-triggered run: the trace and the report name it. */
export function pushRunId(dedupeKey: string): string {
  return `push-${dedupeKey}`;
}

/** `retention of team-a/web in registry "prod" (push of myreg.azurecr.io/team-a/web:1.2.3@sha256:…)`. */
export function describeRetentionRequest(request: RetentionRequest): string {
  return `retention of ${request.repository} in registry "${request.registry}" (push of ${describeImage(request.event)})`;
}

/**
 * The channels a push-triggered run reports to: `retention.notify`, and the rule's routes that want
 * `retention` cards (or `failed`, for the failure card).
 */
export function channelsFor(
  request: RetentionRequest,
  configured: readonly string[] | undefined,
  kind: 'retention' | 'failed' = 'failed',
): string[] {
  return [...new Set([...(configured ?? []), ...channelsWanting(request.notify, kind)])];
}

/**
 * A push-triggered retention run for one repository (issue 11 §5), debounced: the first request of a
 * burst opens a window (`retention.debounce`) in Table Storage and comes back when it closes; requests
 * inside the window fold into it. When the window's owner comes back it plans that repository (and,
 * unless `dryRun`, deletes under the registry's lease), with the same planner, report and dry-run rule
 * as the timer. A push during the run opens the next window, so the newest push always gets a run.
 */
export async function handleRetentionRequest(
  deps: RetentionDeps & { state: StateStore },
  request: RetentionRequest,
): Promise<RetentionRequestOutcome | Deferral> {
  const retention = deps.config.retention;
  const registry = retention?.registries.find((candidate) => candidate.name === request.registry);
  const what = describeRetentionRequest(request);
  if (!retention || !registry) {
    const reason = `retention registry "${request.registry}" is no longer configured`;
    deps.log.info(`${what} skipped: ${reason}`);
    return { kind: 'skipped', reason };
  }
  const key = `${request.registry}\n${request.repository}`;
  const now = deps.clock();
  const window = retention.debounce;
  const stored = await deps.state.get<DebounceRow>(debounceScope, key);
  const row = stored?.value;

  const mine = row?.owner === request.dedupeKey;
  // Another request's window still open: fold into it. A window whose run already started (or that
  // closed without running) gets a successor, so a push during a run is never left without one.
  const openWindow = row?.state === 'waiting' && Date.parse(row.dueAt) > now.getTime();
  if (!row || (!mine && !openWindow)) {
    const created = await deps.state.put<DebounceRow>(
      debounceScope,
      key,
      { owner: request.dedupeKey, dueAt: new Date(now.getTime() + window).toISOString(), state: 'waiting' },
      stored?.etag,
    );
    if (created === 'conflict') {
      const winner = (await deps.state.get<DebounceRow>(debounceScope, key))?.value;
      return { kind: 'folded', into: winner?.owner ?? 'another request' };
    }
    return deferral(
      window,
      `waiting ${Math.round(window / 1000)} s for more pushes to ${request.repository}`,
    );
  }
  if (!mine) return { kind: 'folded', into: row.owner };
  if (row.state === 'running' && Date.parse(row.runningSince ?? '') + leaseTtlMs > now.getTime()) {
    return { kind: 'folded', into: request.dedupeKey };
  }
  const due = Date.parse(row.dueAt);
  if (row.state === 'waiting' && due > now.getTime()) {
    return deferral(due - now.getTime(), `the window for ${request.repository} closes at ${row.dueAt}`);
  }
  const running: DebounceRow = { ...row, state: 'running', runningSince: now.toISOString() };
  const marked = await deps.state.put(debounceScope, key, running, stored?.etag);
  if (marked === 'conflict') return { kind: 'folded', into: 'a newer request' };
  const runningEtag = marked.etag;
  let result;
  try {
    result = await runRetention(deps, {
      trigger: 'push',
      runId: pushRunId(request.dedupeKey),
      correlationId: request.correlationId,
      apply: !retention.dryRun,
      registries: [registry.name],
      repository: request.repository,
      notify: channelsFor(request, retention.notify, 'retention'),
      notifyWhen: 'changes',
    });
  } finally {
    // A newer window opened during the run keeps its row (the etag changed).
    if (runningEtag) await deps.state.delete(debounceScope, key, runningEtag).catch(() => undefined);
  }
  const run = result.registries[0] as RegistryRun;
  if (run.status === 'busy') {
    await deps.state
      .put<DebounceRow>(
        debounceScope,
        key,
        {
          owner: request.dedupeKey,
          dueAt: new Date(deps.clock().getTime() + busyRetryMs).toISOString(),
          state: 'waiting',
        },
        undefined,
      )
      .catch(() => undefined);
    return deferral(busyRetryMs, run.reason ?? 'another retention run holds the registry');
  }
  if (run.status === 'failed') throw run.error instanceof Error ? run.error : new Error(run.reason);
  return { kind: 'ran', run };
}
