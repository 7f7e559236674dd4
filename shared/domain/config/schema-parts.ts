import picomatch from 'picomatch';
import { z } from 'zod';
import { tagMatcherProblem } from '../rules/tag-matcher';
import { durationPattern, parseDuration } from './duration';

/** Building blocks shared by every section of the autopilot.yaml schema. */

export const settingName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must name an app setting (letters, digits and _), not hold a secret');

export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" and "-"');

export const duration = z
  .string()
  .regex(durationPattern, 'expected a duration like 30s, 15m, 24h or 7d')
  .transform((text) => parseDuration(text) as number);

export const glob = z.string().superRefine((text, ctx) => {
  try {
    picomatch(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid glob "${text}": ${(error as Error).message}` });
  }
});

export const tagMatcher = z
  .string()
  .describe('glob (v1.*), re:<regex> or semver:<range>')
  .superRefine((text, ctx) => {
    const problem = tagMatcherProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Six-field NCRONTAB as Azure Functions timers use: `{second} {minute} {hour} {day} {month} {day-of-week}`. */
export const ncrontab = z
  .string()
  .regex(/^\s*(\S+\s+){5}\S+\s*$/, 'expected six NCRONTAB fields: second minute hour day month day-of-week');

export const httpsUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** A host name, or `*.suffix` for any subdomain: `api.github.com`, `*.azurecr.io`. */
export const hostPattern = z
  .string()
  .regex(
    /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    'expected a host name like api.github.com or *.example.com (no scheme, port or path)',
  );
