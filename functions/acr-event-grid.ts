import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { loggerFor } from '../shared/adapters/log/context-logger';
import { formatIssuesInline, InvalidEventError } from '../shared/domain/errors';
import { parseEventGridEvent } from '../shared/domain/events/parse-event-grid';
import { ingestOutcome } from '../shared/domain/ingest/ingest-outcome';
import { getRuntime } from '../shared/runtime/composition-root';

/**
 * Event Grid trigger (Event Grid schema or CloudEvents; the runtime answers the validation handshake).
 * Throwing makes the delivery fail so Event Grid retries it: done for storage outages, never for
 * invalid events (a retry cannot fix those; they are logged with every problem instead).
 */
export async function acrEventGrid(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const log = loggerFor(context);
  const runtime = await getRuntime(log);
  try {
    const answer = await ingestOutcome(
      runtime.ingestDeps(log),
      parseEventGridEvent(event, runtime.parseContext()),
      'Event Grid',
    );
    if (answer.kind === 'validation')
      log.info('subscription validation event reached the function; the runtime answers the handshake');
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    log.warn(`${error.message}; not retried: ${formatIssuesInline(error.issues)}`);
  }
}

app.eventGrid('acrEventGrid', { handler: acrEventGrid });
