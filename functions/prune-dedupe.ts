import { app, type InvocationContext, type Timer } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { getRuntime } from '../shared/runtime/composition-root';

/** A day of slack past the dedupe window, so a record is never pruned while it can still matter. */
const slackMs = 24 * 60 * 60 * 1000;

/** Nightly: deletes dedupe records older than the dedupe window (Table Storage has no TTL). */
export async function pruneDedupe(_timer: Timer, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const cutoff = new Date(runtime.clock().getTime() - runtime.loaded.config.ingress.dedupeWindow - slackMs);
  const deleted = await runtime.dedupe.prune(cutoff);
  log.info(`pruned ${deleted} dedupe record(s) written before ${cutoff.toISOString()}`);
}

app.timer('pruneDedupe', { schedule: '0 30 4 * * *', handler: pruneDedupe });
