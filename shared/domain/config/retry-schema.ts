import { z } from 'zod';
import { defaultRetryPolicy, type RetryPolicy } from '../retry/retry-policy';
import { duration } from './schema-parts';

/** The actions whose retries a user tunes (`retry.<action>` in autopilot.yaml). */
export const retryActions = ['pin', 'deploy', 'notify', 'retention'] as const;
export type RetryAction = (typeof retryActions)[number];

const policySchema = z
  .strictObject({
    maxAttempts: z.number().int().min(1).max(1000).optional().describe('attempts in all, the first included'),
    baseDelay: duration.optional().describe('delay after the first failure, doubling (jittered) each time'),
    maxDelay: duration.optional().describe('no single delay is longer, whatever Retry-After asks for'),
    within: duration.optional().describe('no attempt starts later than this after the first'),
  })
  .transform((policy): RetryPolicy => ({
    maxAttempts: policy.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    baseDelayMs: policy.baseDelay ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: policy.maxDelay ?? defaultRetryPolicy.maxDelayMs,
    withinMs: policy.within ?? defaultRetryPolicy.withinMs,
  }))
  .refine((policy) => policy.baseDelayMs <= policy.maxDelayMs, {
    message: 'baseDelay must not be longer than maxDelay',
  })
  .refine((policy) => policy.maxDelayMs <= 7 * 24 * 60 * 60_000, {
    message: 'maxDelay can be at most 7d (a storage queue keeps a message invisible at most 7 days)',
  });

/**
 * `retry`: per action, how long failures a retry can fix are retried before the message is parked on
 * its poison queue and a failure card goes out. Defaults outlast an outage of several hours.
 */
export const retrySchema = z
  .strictObject({
    pin: policySchema.prefault({}),
    deploy: policySchema.prefault({}),
    notify: policySchema.prefault({}),
    retention: policySchema.prefault({}),
  })
  .prefault({});
