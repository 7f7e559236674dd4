import { textBlock, type TextBlock } from './card-elements';

/**
 * The generic size cap. Builders never decide how many list items fit: they render every list through
 * `capItems(items, listLimit)` and `fitToSize` searches for the largest `listLimit` whose message stays
 * within the byte budget. Lists shorter than the limit are shown whole, longer ones end in "and N more".
 */

/** Teams rejects messages above about 28 KB with "Request Entity too large" (reference §1.2). */
export const teamsMessageLimitBytes = 28 * 1024;

/**
 * What builders aim for: 1 KB below the limit, because the limit counts the message as Teams sees it
 * and the flow may add a little around what we send.
 */
export const defaultMessageBudgetBytes = teamsMessageLimitBytes - 1024;

/** UTF-8 bytes of the JSON text, as it goes over the wire. */
export function messageBytes(message: unknown): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

/** The first `limit` items and how many were left out. */
export function capItems<T>(items: readonly T[], limit: number): { shown: T[]; hidden: number } {
  const shown = items.slice(0, Math.max(0, limit));
  return { shown, hidden: items.length - shown.length };
}

/** The "and N more files" line that closes a capped list; nothing when nothing was left out. */
export function andMore(hidden: number, noun: string, plural?: string): TextBlock[] {
  if (hidden <= 0) return [];
  const nouns = hidden === 1 ? noun : (plural ?? `${noun}s`);
  return [textBlock(`… and ${hidden} more ${nouns}`, { isSubtle: true, spacing: 'Small' })];
}

/** A guard for a `render` that never reaches its full size; no real list gets near it. */
const maxListLimit = 1 << 20;

/**
 * The message rendered with the largest list limit that fits `maxBytes`, or undefined when even empty
 * lists do not fit (the caller then sends a minimal card). `render` must grow (weakly) with the limit.
 * Cost: the full render, then about 2·log2(longest list) renders.
 */
export function fitToSize<T>(
  render: (listLimit: number) => T,
  maxBytes: number,
): { message: T; listLimit: number } | undefined {
  const full = render(Number.POSITIVE_INFINITY);
  if (messageBytes(full) <= maxBytes) return { message: full, listLimit: Number.POSITIVE_INFINITY };
  const fits = (limit: number) => {
    const message = render(limit);
    return messageBytes(message) <= maxBytes ? message : undefined;
  };
  let best = fits(0);
  if (best === undefined) return undefined;
  // Grow until a limit does not fit (one must: at the longest list's length we are back at `full`)...
  let low = 0;
  let high = 1;
  for (let message = fits(high); message !== undefined && high < maxListLimit; message = fits(high)) {
    best = message;
    low = high;
    high *= 2;
  }
  // ...then bisect between the last limit that fit and the first that did not.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const message = fits(middle);
    if (message === undefined) high = middle;
    else {
      best = message;
      low = middle;
    }
  }
  return { message: best, listLimit: low };
}
