const units: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const durationPattern = /^(\d+)(ms|s|m|h|d|w)$/;

/** `30s`, `15m`, `24h`, `7d`, `2w`, `500ms` → milliseconds; undefined when not of that form. */
export function parseDuration(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (units[match[2] ?? ''] ?? NaN);
}

/**
 * The inverse of `parseDuration`: milliseconds as config text, in the largest unit (up to days) that
 * divides it: 1209600000 → `14d`, 5400000 → `90m`, 1500 → `1500ms`. Days rather than weeks, as
 * retention settings are usually written.
 */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = units[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
