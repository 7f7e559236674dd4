import { describeImage } from '../events/image-event';
import { describeMs } from '../retry/retry-policy';
import { dedupeKeyOf, replayCommand } from './replay-command';

/** A message as a poison queue holds it, decoded. */
export interface StoredQueueMessage {
  /** The storage message id (new each time a message is sent). */
  id: string;
  /** The decoded message: its JSON, or its text when it is not JSON. */
  body: unknown;
  /** When it was put on this queue. */
  insertedOn: Date | undefined;
}

/** One parked message, as `poison list` shows it. */
export interface ParkedMessage {
  id: string;
  /** `runner`: parked with a `delivery.reason`; `host`: moved by the Functions host after maxDequeueCount. */
  parkedBy: 'runner' | 'host';
  reason: string;
  /** `delivery.parkedAt`, else the time it was put on the poison queue. */
  parkedAt: string | undefined;
  ageMs: number | undefined;
  /** Attempts the runner counted (`delivery.attempt`); unknown for a message that never had one. */
  attempts: number | undefined;
  /** `pin`, `deploy`, `notify`, `notify-flush`, `retention`, `accepted-event`; absent when unreadable. */
  type: string | undefined;
  dedupeKey: string | undefined;
  /** `registry/repository:tag@sha256:…` of the event it is about. */
  image: string | undefined;
  /** What the message acts on: `gitops fleet`, `deploy target prod`, `channel platform`, … */
  target: string | undefined;
  /** The command that puts this message (and the other parked messages of its event) back. */
  replay: string;
}

/** What `poison list` shows for one stored message of `<queue>-poison`. */
export function readParked(queue: string, stored: StoredQueueMessage, now: Date): ParkedMessage {
  const body = record(stored.body);
  const delivery = record(body?.delivery);
  const reason = text(delivery?.reason);
  const parkedAt = isoTime(delivery?.parkedAt) ?? stored.insertedOn?.toISOString();
  const attempt = delivery?.attempt;
  // The runner wraps a message that is not an object as `{ body, delivery }`.
  const inner = wrappedBody(stored.body) === undefined ? body : undefined;
  const dedupeKey = dedupeKeyOf(inner);
  const parkedByRunner = reason !== undefined && delivery?.parkedAt !== undefined;
  return {
    id: stored.id,
    parkedBy: parkedByRunner ? 'runner' : 'host',
    reason: parkedByRunner
      ? reason
      : typeof stored.body === 'string'
        ? 'moved here by the Functions host, and it is not JSON: the function could not read it (see its log)'
        : 'moved here by the Functions host after maxDequeueCount failed deliveries (host.json): the function ' +
          'failed before the runner could park it (see its log)',
    parkedAt,
    ageMs: parkedAt === undefined ? undefined : Math.max(0, now.getTime() - Date.parse(parkedAt)),
    attempts: typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : undefined,
    type: text(inner?.type),
    dedupeKey,
    image: imageOf(inner),
    target: targetOf(inner),
    replay: replayCommand(queue, dedupeKey ?? (plainId(stored.id) ? stored.id : undefined)),
  };
}

/** Whether `--id` names this message: its storage id, its dedupe key, or the key of the event it is about. */
export function matchesId(message: StoredQueueMessage, id: string): boolean {
  if (message.id === id) return true;
  const body = record(wrappedBody(message.body) ?? message.body);
  const keys = [
    body?.dedupeKey,
    record(body?.event)?.dedupeKey,
    record(record(body?.payload)?.event)?.dedupeKey,
  ];
  return keys.some((key) => key === id);
}

/**
 * The message to send back to the queue: without `parkedAt` and `reason`, with a fresh budget
 * (attempt 1 from now). A message the runner wrapped because it was not an object goes back as it
 * came; anything that is not an object goes back unchanged.
 */
export function requeuedBody(body: unknown, now: Date): unknown {
  const wrapped = wrappedBody(body);
  if (wrapped !== undefined) return wrapped.body;
  const object = record(body);
  if (object === undefined) return body;
  const { delivery: _delivery, ...rest } = object;
  return { ...rest, delivery: { attempt: 1, firstAttemptAt: now.toISOString() } };
}

/** `2.5 h`, for a list. */
export function describeAge(ms: number | undefined): string {
  return ms === undefined ? 'unknown age' : `${describeMs(ms)} ago`;
}

/** The text lines of `poison list` for these messages (already read). */
export function formatParkedList(queue: string, poison: string, messages: readonly ParkedMessage[]): string {
  if (messages.length === 0) return `${poison}: no parked messages\n`;
  const lines = [`${poison}: ${messages.length} parked message${messages.length === 1 ? '' : 's'}`];
  for (const message of messages) {
    const attempts = message.attempts === undefined ? '' : ` after ${message.attempts} attempt(s)`;
    lines.push(
      '',
      `${message.id}  parked ${describeAge(message.ageMs)} by the ${message.parkedBy === 'runner' ? 'runner' : 'Functions host'}${attempts}`,
    );
    const about = [message.type, message.image, message.target ? `→ ${message.target}` : undefined]
      .filter(Boolean)
      .join(' ');
    lines.push(`  about:     ${about || 'unreadable message'}`);
    if (message.dedupeKey) lines.push(`  dedupeKey: ${message.dedupeKey}`);
    lines.push(`  reason:    ${oneLine(message.reason)}`, `  replay:    ${message.replay}`);
  }
  lines.push(
    '',
    `Replay: acr-autopilot poison requeue ${queue} --id <id or dedupeKey> (or --all); --dry-run shows what would move.`,
  );
  return `${lines.join('\n')}\n`;
}

function oneLine(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 499)}…` : line;
}

/** The runner's `{ body, delivery }` wrapping of a message that was not an object, when it is one. */
function wrappedBody(value: unknown): { body: unknown } | undefined {
  const object = record(value);
  if (!object || !('body' in object) || !('delivery' in object) || Object.keys(object).length !== 2) {
    return undefined;
  }
  return record(object.body) === undefined ? { body: object.body } : undefined;
}

function imageOf(body: Record<string, unknown> | undefined): string | undefined {
  const event = record(body?.event) ?? record(record(body?.payload)?.event);
  const repository = text(event?.repository);
  const digest = text(event?.digest);
  if (repository !== undefined && digest !== undefined) {
    const tag = text(event?.tag);
    return describeImage({
      registry: text(event?.registry) ?? '',
      repository,
      digest,
      ...(tag === undefined ? {} : { tag }),
    });
  }
  // A burst flush names the repository only.
  const flushed = text(body?.repository);
  if (flushed === undefined) return undefined;
  const registry = text(body?.registry);
  return registry ? `${registry}/${flushed}` : flushed;
}

function targetOf(body: Record<string, unknown> | undefined): string | undefined {
  switch (body?.type) {
    case 'pin':
      return labelled('gitops', body.repo);
    case 'deploy':
      return labelled('deploy target', body.target);
    case 'notify': {
      const kind = text(record(body.payload)?.kind);
      const channel = labelled('channel', body.channel);
      return kind && channel ? `${kind} card to ${channel}` : channel;
    }
    case 'notify-flush':
      return labelled('burst card to channel', body.channel);
    case 'retention':
      return labelled('retention in registry', body.registry);
    case 'accepted-event': {
      const actions = Array.isArray(body.actions) ? body.actions.length : 0;
      return `fan-out of ${actions} action${actions === 1 ? '' : 's'}`;
    }
    default:
      return undefined;
  }
}

function labelled(label: string, value: unknown): string | undefined {
  const name = text(value);
  return name === undefined ? undefined : `${label} ${name}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Storage message ids are GUIDs: safe on a command line. */
function plainId(id: string): boolean {
  return /^[A-Za-z0-9-]{1,64}$/.test(id);
}
