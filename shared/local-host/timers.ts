import { Cron } from 'croner';
import type { Registration } from './function-registry';
import type { HostLog } from './host-log';
import { invoke } from './invoke';

export interface TimerHandle {
  stop(): void;
  /** Runs the function now, as `POST /admin/functions/{name}` does. */
  runNow(): Promise<void>;
}

/**
 * A timer trigger: six-field NCRONTAB (`{second} {minute} {hour} {day} {month} {day-of-week}`), or
 * `%SETTING%` naming an app setting that holds it, evaluated in UTC like the Functions host (unless
 * WEBSITE_TIME_ZONE is set). Runs never overlap.
 */
export function startTimer(
  registration: Registration,
  env: Readonly<Record<string, string | undefined>>,
  log: HostLog,
): TimerHandle {
  const schedule = resolveSchedule(String(registration.trigger.schedule ?? ''), env);
  let last: Date | undefined;
  const fire = async (isPastDue = false) => {
    const now = new Date();
    const info = {
      isPastDue,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (last ?? now).toISOString(),
        next: job.nextRun()?.toISOString() ?? '',
        lastUpdated: now.toISOString(),
      },
    };
    last = now;
    try {
      await invoke(registration, info, log);
    } catch (error) {
      log('error', registration.name, `failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const job = new Cron(schedule, { timezone: env.WEBSITE_TIME_ZONE || 'Etc/UTC', protect: true }, () =>
    fire(),
  );
  log(
    'information',
    registration.name,
    `timer "${schedule}", next run ${job.nextRun()?.toISOString() ?? 'never'}`,
  );
  if (registration.trigger.runOnStartup === true) void fire();
  return { stop: () => job.stop(), runNow: () => fire() };
}

export function resolveSchedule(schedule: string, env: Readonly<Record<string, string | undefined>>): string {
  const setting = /^%(\w+)%$/.exec(schedule.trim());
  if (!setting) return schedule;
  const value = env[setting[1] ?? ''];
  if (!value) throw new Error(`timer schedule names app setting ${setting[1]}, which is not set`);
  return value;
}
