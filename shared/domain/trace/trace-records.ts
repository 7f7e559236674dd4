import { createHash } from 'node:crypto';
import type { ImageAction } from '../events/image-event';

/**
 * What the app keeps about one push for `acr-autopilot trace`: the ingress facts of each delivery and
 * every attempt of every action. Records live in the dedupe table, so they expire with it.
 */

/** The way a delivery came in: the ACR webhook, Event Grid over HTTP (Entra) or the Event Grid trigger. */
export type DeliveryVia = 'acr-webhook' | 'event-grid-http' | 'event-grid-trigger' | 'event-grid';

export const viaLabels: Record<DeliveryVia, string> = {
  'acr-webhook': 'ACR webhook',
  'event-grid-http': 'Event Grid (HTTP endpoint)',
  'event-grid-trigger': 'Event Grid trigger',
  'event-grid': 'Event Grid',
};

/** How one rule judged the event: matched, or the first part of `match` that did not. */
export interface RuleVerdict {
  index: number;
  name?: string;
  matched: boolean;
  reason?: string;
}

export { ruleLabel } from '../rules/plan-actions';

/** One action message ingress planned, named the way the runner's records name it. */
export interface PlannedAction {
  action: 'pin' | 'deploy' | 'notify' | 'retention';
  target: string;
  /** `deploy: { after: pin }`: the pin consumer sends it once its commit landed. */
  after?: 'pin';
}

/** The image as the event described it. */
export interface TracedImage {
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
  action: ImageAction;
  occurredAt: string;
}

/** What ingress knew about one delivery, stored with its dedupe claim (or in its own row). */
export interface IngressFacts {
  via: DeliveryVia;
  eventId: string;
  /** ISO time the delivery was handled. */
  receivedAt: string;
  /** The replica region the delivery named. */
  region?: string;
  image: TracedImage;
  rules: RuleVerdict[];
  /** Why a matching rule produced less than it asks for (planActions' notes). */
  notes: string[];
  planned: PlannedAction[];
}

/** What became of a delivery: `queued` took the claim; the others left a row of their own. */
export type ReceivedResult = 'queued' | 'duplicate' | 'in-flight' | 'nothing-planned';

export interface ReceivedRecord extends IngressFacts {
  dedupeKey: string;
  result: ReceivedResult;
}

/** The dedupe claim of ingress, with the facts of the delivery that took it. */
export interface ClaimRecord {
  state: 'pending' | 'done';
  claimedAt: string;
  completedAt?: string;
  /** Action messages queued. */
  actions?: number;
  facts?: IngressFacts;
}

/** What an action's outcome amounts to, as its queue contract sums it up. */
export interface OutcomeSummary {
  /** The outcome's kind: `committed`, `pull-request`, `deployed`, `posted`, `folded`, `duplicate`, … */
  kind: string;
  /** One line: `committed 0123456789ab`, `run https://…`. */
  text: string;
  /** What a person follows: commit, commitUrl, pullRequestUrl, runUrl, revision, retentionRun, burst. */
  links?: Record<string, string>;
}

export type AttemptResult = 'done' | 'deferred' | 'retrying' | 'parked' | 'unreadable' | 'error';

/** One run of one queue message, as the queue-consumer runner saw it. */
export interface AttemptRecord {
  dedupeKey: string;
  /** ISO time the attempt ended. */
  at: string;
  queue: string;
  /** The contract's action: pin, deploy, notify, retention, fan-out. */
  action: string;
  /** `pin of contoso.azurecr.io/payments/api:1.4.2@sha256:… into gitops "fleet"`. */
  subject: string;
  target?: string;
  attempt?: number;
  result: AttemptResult;
  reason?: string;
  delayMs?: number;
  summary?: OutcomeSummary;
}

/** Everything stored under one dedupe key. */
export interface TraceRecords {
  dedupeKey: string;
  claim?: ClaimRecord;
  received: ReceivedRecord[];
  attempts: AttemptRecord[];
}

/** What `trace` was asked about. */
export type TraceLookup =
  | { kind: 'dedupe-key'; dedupeKey: string }
  | { kind: 'digest'; digest: string; registry?: string; repository?: string }
  | { kind: 'tag'; repository: string; tag: string; registry?: string };

/** A push a lookup found, newest first. */
export interface TraceMatch {
  dedupeKey: string;
  receivedAt: string;
}

/**
 * The key trace records are stored under: the dedupe key itself (32 hex characters for events), or a
 * hash when a message carries one that cannot name a table partition (`/ \ # ?`, control characters).
 */
export function traceKeyOf(dedupeKey: string): string {
  return /^[\w.:@=+-]{1,200}$/.test(dedupeKey)
    ? dedupeKey
    : `sha256-${createHash('sha256').update(dedupeKey).digest('hex')}`;
}

/** Largest JSON text kept in one property (Table Storage holds 32 K characters per string). */
const maxJson = 30_000;

/**
 * The facts as flat string properties, stored with the dedupe claim in the same insert (no extra write
 * on the ingress path). Lists are JSON; a very long list keeps what fits and says how much it dropped.
 */
export function ingressRecord(facts: IngressFacts): Record<string, string> {
  const { image } = facts;
  return {
    via: facts.via,
    eventId: facts.eventId,
    receivedAt: facts.receivedAt,
    ...(facts.region ? { region: facts.region } : {}),
    registry: image.registry,
    repository: image.repository,
    ...(image.tag ? { tag: image.tag } : {}),
    digest: image.digest,
    imageAction: image.action,
    occurredAt: image.occurredAt,
    rules: cappedJson(facts.rules),
    notes: cappedJson(facts.notes),
    planned: cappedJson(facts.planned),
  };
}

/** The facts back from stored properties; undefined when the record holds none (an older claim). */
export function ingressFactsFrom(properties: Readonly<Record<string, unknown>>): IngressFacts | undefined {
  const text = (name: string) => {
    const value = properties[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const eventId = text('eventId');
  const repository = text('repository');
  const digest = text('digest');
  if (!eventId || !repository || !digest) return undefined;
  const region = text('region');
  const tag = text('tag');
  return {
    via: (text('via') ?? 'acr-webhook') as DeliveryVia,
    eventId,
    receivedAt: text('receivedAt') ?? '',
    ...(region ? { region } : {}),
    image: {
      registry: text('registry') ?? '',
      repository,
      ...(tag ? { tag } : {}),
      digest,
      action: (text('imageAction') ?? 'push') as ImageAction,
      occurredAt: text('occurredAt') ?? '',
    },
    rules: jsonList(properties.rules, (item): item is RuleVerdict => isObject(item) && 'matched' in item),
    notes: jsonList(properties.notes, (item): item is string => typeof item === 'string'),
    planned: jsonList(
      properties.planned,
      (item): item is PlannedAction => isObject(item) && 'target' in item,
    ),
  };
}

function cappedJson(list: readonly unknown[]): string {
  let kept = list.length;
  let json = JSON.stringify(list);
  while (json.length > maxJson && kept > 0) {
    kept = Math.floor(kept / 2);
    json = JSON.stringify([...list.slice(0, kept), `… ${list.length - kept} more not recorded`]);
  }
  return json;
}

/** A stored JSON list, keeping the items of the expected shape (a cut list ends with a note). */
function jsonList<T>(value: unknown, keep: (item: unknown) => item is T): T[] {
  if (typeof value !== 'string') return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.filter(keep) : [];
  } catch {
    return [];
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
