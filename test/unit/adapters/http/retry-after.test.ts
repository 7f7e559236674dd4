import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterFrom } from '../../../../shared/adapters/http/retry-after';

const now = new Date('2025-11-24T09:41:00.000Z');
const epochSeconds = (iso: string) => String(Date.parse(iso) / 1000);

describe('retryAfterFrom', () => {
  it.each([
    ['delay-seconds', { 'retry-after': '120' }, 120_000],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['seconds with spaces around', { 'retry-after': ' 7 ' }, 7_000],
    ['an HTTP-date in the future (IMF-fixdate)', { 'retry-after': 'Mon, 24 Nov 2025 09:41:05 GMT' }, 5_000],
    [
      'an HTTP-date in the obsolete RFC 850 form',
      { 'retry-after': 'Monday, 24-Nov-25 09:42:00 GMT' },
      60_000,
    ],
    ['an HTTP-date in the obsolete asctime form', { 'retry-after': 'Mon Nov 24 09:41:30 2025' }, 30_000],
    ['an HTTP-date in the past (retry now)', { 'retry-after': 'Mon, 24 Nov 2025 09:40:00 GMT' }, 0],
    ['Azure retry-after-ms', { 'retry-after-ms': '1500' }, 1_500],
    ['Azure x-ms-retry-after-ms, rounded', { 'x-ms-retry-after-ms': '250.4' }, 250],
    ['retry-after-ms before Retry-After', { 'retry-after-ms': '800', 'retry-after': '30' }, 800],
    [
      'GitHub primary rate limit reset',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epochSeconds('2025-11-24T09:42:00Z') },
      60_000,
    ],
    [
      'GitHub reset already passed',
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epochSeconds('2025-11-24T09:00:00Z') },
      0,
    ],
    [
      'Retry-After before the GitHub reset',
      {
        'retry-after': '10',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': epochSeconds('2025-11-24T10:00:00Z'),
      },
      10_000,
    ],
  ])('reads %s', (_, headers, expected) => {
    expect(retryAfterFrom(new Headers(headers), now)).toBe(expected);
  });

  it.each([
    ['no header at all', {}],
    ['an empty Retry-After', { 'retry-after': '' }],
    ['words', { 'retry-after': 'soon' }],
    ['fractional seconds (not delay-seconds)', { 'retry-after': '1.5' }],
    ['negative seconds', { 'retry-after': '-5' }],
    ['a date with a year hidden in text', { 'retry-after': 'after 2030' }],
    ['a number hidden in text', { 'retry-after': 'retry 3' }],
    ['retry-after-ms that is not a number', { 'retry-after-ms': 'later' }],
    [
      'a GitHub reset while calls remain',
      { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': epochSeconds('2025-11-24T09:42:00Z') },
    ],
    ['a GitHub reset that is not a number', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'soon' }],
  ])('says nothing for %s', (_, headers) => {
    expect(retryAfterFrom(new Headers(headers), now)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [null, undefined],
    [undefined, undefined],
    ['3', 3_000],
    ['Mon, 24 Nov 2025 09:41:01 GMT', 1_000],
    ['Sun, 23 Nov 2025 09:41:01 GMT', 0],
    ['garbage', undefined],
  ])('reads %j as %j ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
