/**
 * How long a server asked to wait before the next call, in milliseconds, from (first match wins):
 * `retry-after-ms` / `x-ms-retry-after-ms` (Azure), `Retry-After` as delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3), or GitHub's primary rate limit (`x-ratelimit-remaining: 0` + `x-ratelimit-reset`).
 * Undefined when the answer says nothing usable; never negative.
 */
export function retryAfterFrom(headers: Headers, now: Date): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name)?.trim();
    if (value && /^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value));
  }
  const parsed = parseRetryAfter(headers.get('retry-after'), now);
  if (parsed !== undefined) return parsed;
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (headers.get('x-ratelimit-remaining') === '0' && reset && /^\d+$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - now.getTime());
  }
  return undefined;
}

/** A `Retry-After` value: delay-seconds (`120`) or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.max(0, date - now.getTime());
}

const month = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const time = '\\d{2}:\\d{2}:\\d{2}';
/** IMF-fixdate and the obsolete RFC 850 form, both in GMT (RFC 9110 §5.6.7). */
const gmtDate = new RegExp(`^[A-Za-z]{3,9}, \\d{1,2}[ -]${month}[ -]\\d{2,4} ${time} GMT$`);
/** The obsolete asctime form, which carries no zone and means GMT. */
const asctime = new RegExp(`^[A-Za-z]{3} ${month} +\\d{1,2} ${time} \\d{4}$`);

/**
 * Milliseconds since the epoch of an HTTP-date, or undefined. `Date.parse` alone is far too lenient
 * (V8 reads `1.5` and `-5` as dates in 2001 and `after 2030` as 2030) and reads asctime as local time.
 */
function parseHttpDate(text: string): number | undefined {
  const value = gmtDate.test(text)
    ? Date.parse(text)
    : asctime.test(text)
      ? Date.parse(`${text} GMT`)
      : Number.NaN;
  return Number.isNaN(value) ? undefined : value;
}
