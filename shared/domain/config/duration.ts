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
