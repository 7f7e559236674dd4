import { app, type InvocationContext, type Timer } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { retentionTick } from '../shared/domain/retention/retention-tick';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * Every five minutes: runs retention when an occurrence of `retention.schedule` is due (the schedule
 * is in autopilot.yaml, which the host cannot read when it registers timers). Without a retention
 * section it does nothing. Deletes only when `retention.dryRun` is false.
 */
export async function retentionTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { runScheduledRetention } = await import('../shared/domain/retention/retention-schedule.js');
  const retention = runtime.loaded.config.retention;
  if (!retention) return;
  const outcome = await runScheduledRetention(runtime.retentionDeps(log), {
    ...(runtime.settings.env.WEBSITE_TIME_ZONE ? { timeZone: runtime.settings.env.WEBSITE_TIME_ZONE } : {}),
    notify: retention.notify ?? [],
  });
  if (outcome.kind === 'claimed-elsewhere')
    log.info(`retention run for ${outcome.occurrence} runs elsewhere`);
  if (outcome.kind === 'ran') {
    const statuses = outcome.result.registries.map((run) => `${run.name}: ${run.status}`).join(', ');
    log.info(`retention run for ${outcome.occurrence} done (${statuses || 'no registry'})`);
  }
}

app.timer('retentionTimer', { schedule: retentionTick, handler: retentionTimer });
