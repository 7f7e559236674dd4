const units: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A duration in milliseconds as config text, in the largest unit that divides it: 1209600000 → `14d`,
 * 5400000 → `90m`, 1500 → `1500ms`. Days rather than weeks, as retention settings are usually written.
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `sha256:0123456789abcdef…` → `sha256:0123456789ab`: enough to tell digests apart in a reason. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

/** The time a manifest or tag was last pushed, or undefined when unknown or not a valid date. */
export function timeOf(...candidates: (Date | undefined)[]): number | undefined {
  for (const date of candidates) {
    const time = date?.getTime();
    if (time !== undefined && Number.isFinite(time)) return time;
  }
  return undefined;
}
