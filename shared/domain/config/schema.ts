import { z } from 'zod';
import { imageActions } from '../events/image-event';
import { afterPinVariablesOf } from '../deploy/target-templates';
import { deployTargetSchema } from './deploy-targets-schema';
import { retentionSchema } from './retention-schema';
import { retrySchema } from './retry-schema';
import { duration, glob, hostPattern, httpsUrl, name, settingName, tagMatcher } from './schema-parts';

/**
 * The autopilot.yaml schema. Objects are strict so a typo (`mach:`) is an error with its line, not a
 * silently ignored key. Secrets are never values here: `*From` fields name app settings.
 */

export const notifyKinds = ['pushed', 'deleted', 'pinned', 'deployed', 'retention', 'failed'] as const;
export type NotifyKind = (typeof notifyKinds)[number];
/** Everything except `deleted`, which most teams find noisy. */
export const defaultNotifyKinds: readonly NotifyKind[] = notifyKinds.filter((kind) => kind !== 'deleted');

const notifyRoute = z.union([
  name,
  z.strictObject({ channel: name, kinds: z.array(z.enum(notifyKinds)).min(1) }),
]);

const deployTargetNames = z.array(name.describe('a key of deployTargets'));
/** Rules whose `deploy` was the short list form, so errors name the path the user wrote. */
const deployListForms = new WeakSet<object>();

/**
 * `deploy: [target, …]` (trigger on the push) or `deploy: { targets: [...], after: pin }` (trigger once
 * the rule's pin commit landed, with its sha). Both become `{ targets, after? }`.
 */
const deploySchema = z
  .union(
    [
      deployTargetNames,
      z.strictObject({
        targets: deployTargetNames,
        after: z
          .string()
          .refine((value) => value === 'pin', 'expected "pin": trigger once the pin commit landed')
          .meta({ enum: ['pin'] })
          .optional(),
      }),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? 'expected a list of deploy targets, or { targets: [...], after: pin }'
          : undefined,
    },
  )
  .default([])
  .transform((deploy): { targets: string[]; after?: 'pin' } => {
    if (!Array.isArray(deploy)) return { targets: deploy.targets, ...(deploy.after ? { after: 'pin' } : {}) };
    const normalized = { targets: deploy };
    deployListForms.add(normalized);
    return normalized;
  });

const ruleSchema = z.strictObject({
  name: z.string().optional(),
  match: z.strictObject({
    registry: glob.optional().describe('glob on the login server, e.g. myreg.azurecr.io'),
    repository: glob.default('**').describe('glob on the repository, e.g. payments/*'),
    tag: tagMatcher.optional(),
    actions: z.array(z.enum(imageActions)).min(1).default(['push']),
  }),
  pin: z
    .strictObject({
      repo: name.describe('a key of gitops'),
      paths: z.array(glob).min(1).default(['**/*.yaml', '**/*.yml']),
      mode: z.enum(['pin', 'follow']).default('pin'),
      render: z.enum(['tag-and-digest', 'digest-only']).default('tag-and-digest'),
    })
    .optional(),
  deploy: deploySchema,
  notify: z.array(notifyRoute).default([]),
});

const gitopsRepoSchema = z.strictObject({
  url: httpsUrl,
  branch: z.string().min(1).default('main'),
  mode: z.enum(['push', 'pull-request']).default('push'),
  provider: z.enum(['github', 'azure-devops', 'generic']).optional(),
  /** Pull-request API base when it is not the provider's public one (GitHub Enterprise, a proxy, tests). */
  apiUrl: httpsUrl.optional().describe('pull-request API base, e.g. https://github.example.com/api/v3'),
  tokenFrom: settingName.optional(),
  usernameFrom: settingName.optional(),
  author: z
    .strictObject({ name: z.string().min(1), email: z.string().min(3) })
    .default({ name: 'acr-autopilot', email: 'acr-autopilot@users.noreply.github.com' }),
  commitMessage: z
    .string()
    .optional()
    .describe(
      'commit message template; placeholders {{repository}} {{tag}} {{digest}} {{shortDigest}} {{registry}} {{image}} {{repo}} {{branch}} {{rule}} {{eventId}} {{files}} {{fileCount}} {{changeCount}}',
    ),
});

const teamsChannelSchema = z.strictObject({
  urlFrom: settingName,
  mode: z.enum(['envelope', 'card']).default('envelope'),
  allowedHosts: z.array(z.string()).default([]),
});

export const configSchema = z
  .strictObject({
    ingress: z
      .strictObject({
        webhookHeader: z.string().min(1).default('Authorization'),
        dedupeWindow: duration.default(86_400_000),
        defaultRegistry: z.string().optional(),
      })
      .default({ webhookHeader: 'Authorization', dedupeWindow: 86_400_000 }),
    registryAliases: z
      .record(z.string(), z.array(z.string()))
      .default({})
      .describe('login server → other names of the same registry (custom domains)'),
    gitops: z.record(name, gitopsRepoSchema).default({}),
    teams: z.record(name, teamsChannelSchema).default({}),
    notifications: z.strictObject({ burstWindow: duration.default(30_000) }).default({ burstWindow: 30_000 }),
    retry: retrySchema,
    outbound: z
      .strictObject({
        allowedHosts: z
          .array(hostPattern)
          .default([])
          .describe('hosts the app may call besides those named by URLs in this file (exact or *.suffix)'),
      })
      .default({ allowedHosts: [] }),
    deployTargets: z.record(name, deployTargetSchema).default({}),
    rules: z.array(ruleSchema).default([]),
    retention: retentionSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const refer = (path: PropertyKey[], kind: string, key: string, known: Record<string, unknown>) => {
      if (key in known) return;
      const choices = Object.keys(known);
      ctx.addIssue({
        code: 'custom',
        path,
        message: `unknown ${kind} "${key}"; ${choices.length ? `defined: ${choices.join(', ')}` : `none is defined`}`,
      });
    };
    config.rules.forEach((rule, index) => {
      if (rule.pin) refer(['rules', index, 'pin', 'repo'], 'gitops repo', rule.pin.repo, config.gitops);
      const deployPath = deployListForms.has(rule.deploy) ? ['deploy'] : ['deploy', 'targets'];
      rule.deploy.targets.forEach((name, i) => {
        const path = ['rules', index, ...deployPath, i];
        refer(path, 'deploy target', name, config.deployTargets);
        const target = config.deployTargets[name];
        const afterPin = target ? afterPinVariablesOf(target) : [];
        if (afterPin.length > 0 && rule.deploy.after !== 'pin') {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `deploy target "${name}" uses ${afterPin.map((v) => `{{${v}}}`).join(', ')}, which only has a value with deploy: { targets: [...], after: pin }`,
          });
        }
      });
      if (rule.deploy.after === 'pin' && !rule.pin) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'deploy', 'after'],
          message: 'after: pin needs a pin in this rule; add pin: { repo: … } or drop after',
        });
      }
      rule.notify.forEach((route, i) => {
        const channel = typeof route === 'string' ? route : route.channel;
        refer(['rules', index, 'notify', i], 'Teams channel', channel, config.teams);
      });
    });
    // Null prototype, so a policy naming "constructor" is unknown rather than found on Object.prototype.
    const retentionRegistries: Record<string, unknown> = Object.create(null);
    for (const registry of config.retention?.registries ?? []) retentionRegistries[registry.name] = registry;
    config.retention?.policies.forEach((policy, index) =>
      policy.registries?.forEach((registry, i) =>
        refer(
          ['retention', 'policies', index, 'registries', i],
          'retention registry',
          registry,
          retentionRegistries,
        ),
      ),
    );
  });

/** The validated configuration, defaults applied, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;
export type Rule = Config['rules'][number];
export type GitopsRepo = Config['gitops'][string];
export type TeamsChannel = Config['teams'][string];
export type DeployTarget = Config['deployTargets'][string];
export type NotifyRoute = Rule['notify'][number];

/** What the app runs with when there is no config file: accept and dedupe events, no actions. */
export const emptyConfig: Config = configSchema.parse({});
