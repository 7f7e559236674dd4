import { z } from 'zod';
import { duration, glob, name, ncrontab, settingName, tagMatcher } from './schema-parts';

/** `retention`: scheduled and push-triggered tag cleanup. */
export const retentionSchema = z.strictObject({
  schedule: ncrontab.default('0 0 3 * * *'),
  dryRun: z.boolean().default(true),
  registries: z
    .array(
      z.strictObject({
        name,
        type: z.enum(['acr', 'oci']),
        loginServer: z.string().min(1),
        usernameFrom: settingName.optional(),
        passwordFrom: settingName.optional(),
      }),
    )
    .default([]),
  policies: z
    .array(
      z.strictObject({
        registries: z.array(name).optional(),
        repositories: z.array(glob).min(1),
        keep: z
          .strictObject({
            newest: z.number().int().nonnegative().optional(),
            younger: duration.optional(),
            tags: z.array(tagMatcher).default([]),
          })
          .default({ tags: [] }),
        untagged: z
          .strictObject({ delete: z.boolean().default(false), olderThan: duration.default(0) })
          .default({ delete: false, olderThan: 0 }),
        protectPinned: z.boolean().default(true),
      }),
    )
    .default([]),
});
