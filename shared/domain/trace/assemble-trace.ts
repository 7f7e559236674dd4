import { describeImage } from '../events/image-event';
import { poisonQueueOf, replayCommand } from '../messages/replay-command';
import {
  ruleLabel,
  viaLabels,
  type AttemptRecord,
  type AttemptResult,
  type DeliveryVia,
  type IngressFacts,
  type OutcomeSummary,
  type PlannedAction,
  type ReceivedResult,
  type RuleVerdict,
  type TracedImage,
  type TraceRecords,
} from './trace-records';
import { deployVerdict, type Verdict } from './deploy-verdict';

/** One delivery of the push: where it came from and what ingress did with it. */
export interface TracedDelivery {
  at: string;
  via: DeliveryVia;
  eventId: string;
  region?: string;
  result: ReceivedResult;
}

/** One action of the push (a pin, a deployment, a card, a retention run) and every attempt at it. */
export interface ActionTrace {
  action: string;
  target?: string;
  subject: string;
  queue: string;
  /** The last attempt's result; `not-run` for a planned action nothing has recorded yet. */
  status: AttemptResult | 'not-run';
  /** The highest attempt number seen. */
  attempts: number;
  /** Attempts that failed and were sent again. */
  retries: number;
  /** What the done outcome came to (commit, pull request, run, card). */
  summary?: OutcomeSummary;
  /** Why the last failing attempt failed, or why it waits. */
  reason?: string;
  after?: 'pin';
  /** For a parked message: the command that moves it back to its queue. */
  replay?: string;
  history: AttemptRecord[];
}

export interface TimelineEntry {
  at: string;
  text: string;
}

/** The answer to "what happened to my push, and why did it (not) deploy?". */
export interface PushTrace {
  dedupeKey: string;
  image?: TracedImage;
  deliveries: TracedDelivery[];
  regions: string[];
  duplicatesDropped: number;
  rules: RuleVerdict[];
  notes: string[];
  planned: PlannedAction[];
  actions: ActionTrace[];
  timeline: TimelineEntry[];
  verdict: Verdict;
}

/** Builds the trace of one push from its stored records. Pure. */
export function assembleTrace(records: TraceRecords): PushTrace {
  const deliveries = tracedDeliveries(records);
  const facts = records.claim?.facts ?? [...records.received].sort(byReceived)[0];
  const actions = actionTraces(records.attempts, facts?.planned ?? [], records.dedupeKey);
  const trace: Omit<PushTrace, 'verdict' | 'timeline'> = {
    dedupeKey: records.dedupeKey,
    ...(facts ? { image: facts.image } : {}),
    deliveries,
    regions: [...new Set(deliveries.flatMap((delivery) => (delivery.region ? [delivery.region] : [])))],
    duplicatesDropped: deliveries.filter((delivery) => delivery.result === 'duplicate').length,
    rules: facts?.rules ?? [],
    notes: facts?.notes ?? [],
    planned: facts?.planned ?? [],
    actions,
  };
  return { ...trace, timeline: timeline(trace, records.attempts), verdict: deployVerdict(trace) };
}

function tracedDeliveries(records: TraceRecords): TracedDelivery[] {
  const claimed = records.claim?.facts;
  const all: (IngressFacts & { result: ReceivedResult })[] = [
    ...(claimed ? [{ ...claimed, result: 'queued' as const }] : []),
    ...records.received,
  ];
  return all.sort(byReceived).map((facts) => ({
    at: facts.receivedAt,
    via: facts.via,
    eventId: facts.eventId,
    ...(facts.region ? { region: facts.region } : {}),
    result: facts.result,
  }));
}

function actionTraces(
  attempts: readonly AttemptRecord[],
  planned: readonly PlannedAction[],
  dedupeKey: string,
): ActionTrace[] {
  const groups = new Map<string, AttemptRecord[]>();
  for (const record of [...attempts].sort(byTime)) {
    const key = `${record.queue}\n${record.subject}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const traced = [...groups.values()].map((history): ActionTrace => {
    const last = history[history.length - 1] as AttemptRecord;
    const failed = [...history].reverse().find((record) => record.result !== 'done');
    const reason = last.result === 'done' ? undefined : (last.reason ?? failed?.reason);
    return {
      action: last.action,
      ...(last.target ? { target: last.target } : {}),
      subject: last.subject,
      queue: last.queue,
      status: last.result,
      attempts: Math.max(1, ...history.map((record) => record.attempt ?? 1)),
      retries: history.filter((record) => record.result === 'retrying').length,
      ...(last.result === 'done' && last.summary ? { summary: last.summary } : {}),
      ...(reason ? { reason } : {}),
      ...(last.result === 'parked' || last.result === 'unreadable'
        ? { replay: replayCommand(last.queue, dedupeKey) }
        : {}),
      history,
    };
  });
  const notRun = planned
    .filter(
      (plan) => !traced.some((action) => action.action === plan.action && action.target === plan.target),
    )
    .map((plan): ActionTrace => ({
      action: plan.action,
      target: plan.target,
      subject: `${plan.action} → ${plan.target}${plan.after ? ' (after the pin)' : ''}`,
      queue: '',
      status: 'not-run',
      attempts: 0,
      retries: 0,
      ...(plan.after ? { after: plan.after } : {}),
      history: [],
    }));
  for (const action of traced) {
    const plan = planned.find((p) => p.action === action.action && p.target === action.target);
    if (plan?.after) action.after = plan.after;
  }
  return [...traced, ...notRun];
}

function timeline(trace: Omit<PushTrace, 'verdict' | 'timeline'>, attempts: readonly AttemptRecord[]) {
  const entries: TimelineEntry[] = trace.deliveries.map((delivery) => ({
    at: delivery.at,
    text: `received from ${viaLabels[delivery.via]}${delivery.region ? ` (${delivery.region})` : ''}, event ${delivery.eventId}: ${deliveryText(delivery.result, trace)}`,
  }));
  for (const record of attempts) entries.push({ at: record.at, text: attemptText(record) });
  return entries.sort(byTime);
}

function deliveryText(result: ReceivedResult, trace: Omit<PushTrace, 'verdict' | 'timeline'>): string {
  switch (result) {
    case 'queued': {
      const matched = trace.rules.filter((rule) => rule.matched).map(ruleLabel);
      return `queued ${trace.planned.length} action(s)${matched.length > 0 ? ` from ${matched.join(', ')}` : ''}`;
    }
    case 'duplicate':
      return 'duplicate, dropped';
    case 'in-flight':
      return 'another delivery was being queued; asked the sender to retry';
    case 'nothing-planned':
      return trace.rules.some((rule) => rule.matched)
        ? 'rules matched, but none asked for anything this event can do'
        : 'no rule matched, nothing queued';
  }
}

/** `pin of … into gitops "fleet": attempt 2 failed: …; retrying in 1 s`. */
function attemptText(record: AttemptRecord): string {
  const attempt = record.attempt === undefined ? '' : `attempt ${record.attempt} `;
  switch (record.result) {
    case 'done':
      return `${record.subject}: ${attempt}done${record.summary ? `: ${record.summary.text}` : ''}`;
    case 'deferred':
      return `${record.subject}: waiting (${record.reason ?? 'deferred'}); again in ${seconds(record.delayMs)}`;
    case 'retrying':
      return `${record.subject}: ${attempt}failed: ${record.reason ?? ''}; retrying in ${seconds(record.delayMs)}`;
    case 'parked':
      return `${record.subject}: ${attempt}failed for good: ${record.reason ?? ''}; parked on ${poisonQueueOf(record.queue)}`;
    case 'unreadable':
      return `${record.subject}: unreadable, parked on ${poisonQueueOf(record.queue)}: ${record.reason ?? ''}`;
    case 'error':
      return `${record.subject}: the run stopped (${record.reason ?? 'error'}); the host delivers it again`;
  }
}

export function describeTracedImage(image: TracedImage): string {
  return `${image.action} ${describeImage(image)}`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'a while' : `${Math.round(ms / 1000)} s`;
}

function byReceived(a: { receivedAt: string }, b: { receivedAt: string }): number {
  return a.receivedAt.localeCompare(b.receivedAt);
}

function byTime(a: { at: string; attempt?: number }, b: { at: string; attempt?: number }): number {
  return a.at.localeCompare(b.at) || (a.attempt ?? 0) - (b.attempt ?? 0);
}
