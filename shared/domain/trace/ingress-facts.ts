import type { Config } from '../config/schema';
import type { ImageEvent } from '../events/image-event';
import type { Delivery } from '../ingest/record-arrival';
import type { Logger, TraceRecorder } from '../ports';
import type { ActionPlan } from '../rules/plan-actions';
import { plannedActions } from './action-target';
import type { IngressFacts, ReceivedResult, RuleVerdict } from './trace-records';

/** What ingress knew about one delivery: where from, how each rule judged it, what it planned. Pure. */
export function ingressFacts(
  event: ImageEvent,
  delivery: Delivery,
  plan: ActionPlan,
  rules: Config['rules'],
  receivedAt: Date,
): IngressFacts {
  const unmatched = new Map(plan.unmatched.map((rule) => [rule.index, rule.reason]));
  const verdicts = rules.map((rule, index): RuleVerdict => {
    const reason = unmatched.get(index);
    return {
      index,
      ...(rule.name ? { name: rule.name } : {}),
      matched: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
    };
  });
  return {
    via: delivery.via ?? event.source,
    eventId: event.id,
    receivedAt: receivedAt.toISOString(),
    ...(delivery.region ? { region: delivery.region } : {}),
    image: {
      registry: event.registry,
      repository: event.repository,
      ...(event.tag ? { tag: event.tag } : {}),
      digest: event.digest,
      action: event.action,
      occurredAt: event.occurredAt,
    },
    rules: verdicts,
    notes: plan.notes,
    planned: plannedActions(plan.messages),
  };
}

/**
 * Records a delivery that took no dedupe claim (a duplicate, one in flight, one with nothing to do).
 * Never rejects: a lost trace record only makes `trace` say less; failing the delivery could lose it.
 */
export async function recordReceived(
  deps: { trace?: TraceRecorder | undefined; log: Logger },
  dedupeKey: string,
  facts: IngressFacts,
  result: ReceivedResult,
): Promise<void> {
  if (!deps.trace) return;
  try {
    await deps.trace.received({ ...facts, dedupeKey, result });
  } catch (error) {
    deps.log.warn(`could not write the trace record of ${dedupeKey} (${result}): ${String(error)}`);
  }
}
