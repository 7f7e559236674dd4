import { Cron } from 'croner';
import { z } from 'zod';
import { duration, glob, httpsUrl, name, ncrontab, settingName, tagMatcher } from './schema-parts';

/**
 * `retention`: scheduled and push-triggered tag cleanup (issue 11 §1). These names are the user
 * contract; durations come out in milliseconds.
 */

/** `myreg.azurecr.io` or `localhost:8443`: a host (and port), never a URL. */
const loginServer = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/,
    'expected a login server like myreg.azurecr.io (a host name, without https:// or a path)',
  );

const acrRegistrySchema = z.strictObject({
  name,
  type: z.literal('acr').describe('Azure Container Registry, through managed identity'),
  loginServer,
});

const ociRegistrySchema = z
  .strictObject({
    name,
    type: z.literal('oci').describe('any registry speaking the OCI distribution API'),
    url: httpsUrl.describe('registry base URL, e.g. https://registry.example.com or http://127.0.0.1:5000'),
    usernameFrom: settingName.optional(),
    passwordFrom: settingName.optional(),
    tokenFrom: settingName.optional().describe('app setting holding a bearer token'),
  })
  .superRefine((registry, ctx) => {
    if (registry.usernameFrom !== undefined && registry.passwordFrom === undefined)
      ctx.addIssue({ code: 'custom', path: ['passwordFrom'], message: 'usernameFrom needs passwordFrom' });
    if (registry.passwordFrom !== undefined && registry.usernameFrom === undefined)
      ctx.addIssue({ code: 'custom', path: ['usernameFrom'], message: 'passwordFrom needs usernameFrom' });
    if (registry.tokenFrom !== undefined && registry.passwordFrom !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tokenFrom'],
        message: 'use either tokenFrom (bearer token) or usernameFrom/passwordFrom (basic), not both',
      });
  });

const registrySchema = z.discriminatedUnion('type', [acrRegistrySchema, ociRegistrySchema], {
  error: 'expected type: acr (with loginServer) or type: oci (with url)',
});

const keepSchema = z.strictObject(
  {
    newest: z.number().int().positive().optional().describe('keep the newest N tags per repository'),
    youngerThan: duration.optional().describe('keep tags updated within this duration, e.g. 14d'),
    tags: z.array(tagMatcher).default([]).describe('keep tags matching any of these (glob, re:, semver:)'),
  },
  {
    // Required on purpose: a policy without `keep` would delete every tag it matches.
    error: (issue) =>
      issue.input === undefined
        ? 'required: say which tags to keep, e.g. { newest: 10, youngerThan: 14d }; {} deletes every matched tag'
        : undefined,
  },
);

const policySchema = z.strictObject({
  registries: z.array(name).min(1).optional().describe('names of retention.registries; default: all'),
  repositories: z.array(glob).min(1).describe('globs on the repository, e.g. team-a/**'),
  keep: keepSchema.describe('a tag is kept when ANY clause holds; the rest of the matched tags are deleted'),
  untagged: z
    .strictObject({ olderThan: duration })
    .optional()
    .describe('delete manifests without tags older than this; omit to keep them'),
  protectPinned: z.boolean().default(true).describe('keep digests referenced in the gitops repos'),
  onPush: z.boolean().default(false).describe('also run for one repository when an image is pushed to it'),
});

export const retentionSchema = z.strictObject({
  schedule: ncrontab
    .superRefine((schedule, ctx) => {
      const problem = scheduleProblem(schedule);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('0 0 3 * * *'),
  dryRun: z.boolean().default(true).describe('plan and report only; set false to delete'),
  concurrency: z.number().int().min(1).max(32).default(8).describe('parallel deletes (ACR recommends ≤ 32)'),
  debounce: duration.prefault('2m').describe('pushes to one repository within this window make one run'),
  registries: z
    .array(registrySchema)
    .default([])
    .superRefine((registries, ctx) => {
      const seen = new Set<string>();
      registries.forEach((registry, index) => {
        if (seen.has(registry.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `duplicate registry name "${registry.name}"; names must be unique`,
          });
        }
        seen.add(registry.name);
      });
    }),
  policies: z.array(policySchema).default([]),
  notify: z
    .array(name.describe('a key of teams'))
    .optional()
    .describe('Teams channels that get the summary of each run (and a card when one fails)'),
});

export type RetentionConfig = z.output<typeof retentionSchema>;
export type RetentionRegistry = RetentionConfig['registries'][number];
export type RetentionPolicy = RetentionConfig['policies'][number];

/** Why croner (the retention timer's schedule check) cannot use an NCRONTAB expression, if it cannot. */
function scheduleProblem(schedule: string): string | undefined {
  try {
    new Cron(schedule.trim(), { paused: true });
    return undefined;
  } catch (error) {
    return `not a valid schedule: ${error instanceof Error ? error.message : String(error)}`;
  }
}
