import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { timedIngress } from '../shared/adapters/telemetry/timed-ingress';
import { getRuntime, runtimeMetrics } from '../shared/runtime/composition-root';

/**
 * Event Grid trigger (Event Grid schema or CloudEvents; the runtime answers the validation handshake).
 * The same ingest path as `POST /api/acr/eventgrid`: an invalid event is logged with every problem and
 * not retried; a storage failure is thrown, which fails the delivery so Event Grid retries it.
 */
export async function acrEventGrid(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  const { parseEventGridEvent } = await import('../shared/domain/events/parse-event-grid.js');
  const { ingestDelivery } = await import('../shared/domain/ingest/ingest-delivery.js');
  const answer = await ingestDelivery(
    runtime.ingestDeps(log),
    [parseEventGridEvent(event, runtime.parseContext())],
    { via: 'event-grid-trigger' },
  );
  if (answer.kind === 'validation')
    log.info('subscription validation event reached the function; the runtime answers the handshake');
}

app.eventGrid('acrEventGrid', { handler: timedIngress('acrEventGrid', acrEventGrid, runtimeMetrics) });
