import { Cron } from 'croner';
import { ConfigError } from '../errors';
import type { StateStore } from '../ports';
import { runRetention, type RetentionDeps, type RetentionRunResult } from './run-retention';

/**
 * The timer function fires every few minutes (`retentionTick`); `retention.schedule` decides when a
 * run is due. The schedule lives in autopilot.yaml (the user contract), which the host cannot read
 * when it registers timers, so the tick checks it: that also makes "no retention section" a no-op.
 */
export { retentionTick } from './retention-tick';

/** A missed occurrence (the app was down at 03:00) still runs when the app is back within this. */
export const catchUpMs = 60 * 60_000;

const scheduleScope = 'retention-schedule';
const scheduleKey = 'timer';

interface ScheduleState {
  /** The last occurrence of `retention.schedule` a run was started for (ISO). */
  lastOccurrence: string;
}

export type ScheduledOutcome =
  | { kind: 'not-configured' }
  | { kind: 'not-due'; next: string | undefined }
  /** Another instance claimed this occurrence first. */
  | { kind: 'claimed-elsewhere'; occurrence: string }
  | { kind: 'ran'; occurrence: string; result: RetentionRunResult };

/**
 * The latest occurrence of a six-field NCRONTAB schedule at or before `now`, in `timeZone` (the
 * Functions host's WEBSITE_TIME_ZONE; UTC by default).
 */
export function latestOccurrence(schedule: string, now: Date, timeZone = 'Etc/UTC'): Date | undefined {
  // previousRuns looks strictly before the reference; an occurrence exactly at `now` counts as due.
  return withCron(schedule, timeZone, (cron) => cron.previousRuns(1, new Date(now.getTime() + 1))[0]);
}

/**
 * One tick: when an occurrence of `retention.schedule` has passed that no run was started for, claims
 * it in Table Storage (ETag: of several instances one wins) and runs retention over every registry,
 * deleting only when `dryRun` is false. An occurrence older than `catchUpMs` when first seen is only
 * recorded (a new deployment does not run last night's schedule at noon).
 */
export async function runScheduledRetention(
  deps: RetentionDeps & { state: StateStore },
  options: { timeZone?: string; notify: readonly string[] },
): Promise<ScheduledOutcome> {
  const retention = deps.config.retention;
  if (!retention) return { kind: 'not-configured' };
  const now = deps.clock();
  const occurrence = latestOccurrence(retention.schedule, now, options.timeZone);
  const next = () =>
    withCron(retention.schedule, options.timeZone ?? 'Etc/UTC', (cron) => cron.nextRun(now)?.toISOString());
  if (!occurrence) return { kind: 'not-due', next: next() };
  const stored = await deps.state.get<ScheduleState>(scheduleScope, scheduleKey);
  const last = Date.parse(stored?.value?.lastOccurrence ?? '');
  if (Number.isFinite(last) && last >= occurrence.getTime()) return { kind: 'not-due', next: next() };
  const claim = await deps.state.put<ScheduleState>(
    scheduleScope,
    scheduleKey,
    { lastOccurrence: occurrence.toISOString() },
    stored?.etag,
  );
  if (claim === 'conflict') return { kind: 'claimed-elsewhere', occurrence: occurrence.toISOString() };
  if (now.getTime() - occurrence.getTime() > catchUpMs) {
    deps.log.info(
      `retention schedule "${retention.schedule}": the occurrence at ${occurrence.toISOString()} was missed by more than ${catchUpMs / 60_000} min; waiting for the next one (${next() ?? 'never'})`,
    );
    return { kind: 'not-due', next: next() };
  }
  const runId = `timer-${occurrence.toISOString().replace(/[^0-9TZ]/g, '')}`;
  const result = await runRetention(deps, {
    trigger: 'timer',
    runId,
    correlationId: runId,
    apply: !retention.dryRun,
    notify: options.notify,
  });
  return { kind: 'ran', occurrence: occurrence.toISOString(), result };
}

/** Runs `use` on the schedule's Cron; a bad schedule or time zone is a ConfigError saying what to fix. */
function withCron<T>(schedule: string, timeZone: string, use: (cron: Cron) => T): T {
  try {
    return use(new Cron(schedule.trim(), { timezone: timeZone, paused: true }));
  } catch (error) {
    throw new ConfigError(
      `retention.schedule "${schedule}" in time zone "${timeZone}" cannot be used (${error instanceof Error ? error.message : String(error)}); ` +
        'fix the schedule, or set the app setting WEBSITE_TIME_ZONE to an IANA time zone such as Europe/Berlin',
    );
  }
}
