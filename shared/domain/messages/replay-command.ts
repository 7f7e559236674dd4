/**
 * The command that replays parked messages, as every "moved to <queue>-poison" log line and every
 * failure card names it. One builder, so the wording the runner logs, the card shows and the CLI
 * accepts cannot drift apart.
 */

/** Suffix of the queue where a queue's messages are parked (the runner and the Functions host alike). */
const poisonSuffix = '-poison';

/** Where a queue's messages are parked: `pin-requests-poison` (the Functions host uses the same name after maxDequeueCount). */
export const poisonQueueOf = (queue: string): string => `${queue}${poisonSuffix}`;

/** `pin-requests` for `pin-requests-poison`; a name without the suffix is returned as it is. */
export function queueOfPoison(name: string): string {
  return name.endsWith(poisonSuffix) ? name.slice(0, -poisonSuffix.length) : name;
}

/** A key is put on the command line only when it needs no quoting (event keys are 32 hex digits). */
const plainKey = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * `acr-autopilot poison requeue pin-requests --id 0c36…` (every parked message of that event), or,
 * without a usable dedupe key, the list command that shows the ids to pass to `--id`. `queue` may be
 * the queue or its poison twin.
 */
export function replayCommand(queue: string, dedupeKey?: string): string {
  const name = queueOfPoison(queue);
  if (dedupeKey !== undefined && plainKey.test(dedupeKey)) {
    return `acr-autopilot poison requeue ${name} --id ${dedupeKey}`;
  }
  return `acr-autopilot poison list ${name}, then acr-autopilot poison requeue ${name} --id <id>`;
}

/** The message's `dedupeKey` (every queue message carries one), when it has a readable one. */
export function dedupeKeyOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const key = (message as { dedupeKey?: unknown }).dedupeKey;
  return typeof key === 'string' && plainKey.test(key) ? key : undefined;
}
