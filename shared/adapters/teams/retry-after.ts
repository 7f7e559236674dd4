/**
 * Milliseconds a `Retry-After` header asks for: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2025 07:28:00 GMT`, RFC 9110 §10.2.3), never negative, at most `capMs`. Undefined when
 * the header is absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  now: Date,
  capMs: number,
): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now.getTime();
  }
  return Math.min(Math.max(0, ms), capMs);
}
