import { z } from 'zod';
import { imageActions } from '../events/image-event';
import { afterPinVariablesOf } from '../deploy/target-templates';
import { deployTargetSchema } from './deploy-targets-schema';
import { eventGridIngressSchema } from './event-grid-ingress-schema';
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
  name: z.string().optional().describe('named in logs, cards and commit messages'),
  match: z.strictObject({
    registry: glob.optional().describe('glob on the login server, e.g. myreg.azurecr.io'),
    repository: glob.default('**').describe('glob on the repository, e.g. payments/*'),
    tag: tagMatcher.optional(),
    actions: z.array(z.enum(imageActions)).min(1).default(['push']),
  }),
  pin: z
    .strictObject({
      repo: name.describe('a key of gitops'),
      paths: z
        .array(glob)
        .min(1)
        .default(['**/*.yaml', '**/*.yml'])
        .describe('globs of the files in the gitops repo to pin in'),
      mode: z
        .enum(['pin', 'follow'])
        .default('pin')
        .describe('pin: add the digest to references of the pushed tag; follow: also move older semver tags'),
      render: z.enum(['tag-and-digest', 'digest-only']).default('tag-and-digest'),
    })
    .optional(),
  deploy: deploySchema,
  notify: z
    .array(notifyRoute)
    .default([])
    .describe('Teams channels (keys of teams), or { channel, kinds } to choose the cards'),
  retain: z
    .boolean()
    .optional()
    .describe('run retention for the pushed repository (debounced; see retention.debounce)'),
});

const gitopsRepoSchema = z.strictObject({
  url: httpsUrl.describe('the HTTPS clone URL'),
  branch: z
    .string()
    .min(1)
    .default('main')
    .describe('the branch pins are based on (and pushed to in push mode)'),
  mode: z
    .enum(['push', 'pull-request'])
    .default('push')
    .describe('push: commit to branch; pull-request: push autopilot/<repository>-<tag> and open a PR'),
  provider: z.enum(['github', 'azure-devops', 'generic']).optional(),
  /** Pull-request API base when it is not the provider's public one (GitHub Enterprise, a proxy, tests). */
  apiUrl: httpsUrl.optional().describe('pull-request API base, e.g. https://github.example.com/api/v3'),
  tokenFrom: settingName
    .optional()
    .describe('app setting holding the token (GitHub: contents:write, + pull-requests:write for PRs)'),
  usernameFrom: settingName.optional().describe('app setting holding the user name, for hosts that need one'),
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
  urlFrom: settingName.describe("app setting holding the channel's Teams Workflows URL"),
  mode: z
    .enum(['envelope', 'card'])
    .default('envelope')
    .describe('envelope: the Workflows message with the card attached; card: the bare Adaptive Card'),
  allowedHosts: z
    .array(z.string())
    .default([])
    .describe('hosts besides the Workflows ones the URL may point at (exact or *.suffix)'),
});

export const configSchema = z
  .strictObject({
    ingress: z
      .strictObject({
        webhookHeader: z
          .string()
          .min(1)
          .default('Authorization')
          .describe(
            'the custom header ACR sends (az acr webhook create --headers), checked against ACR_WEBHOOK_SECRET',
          ),
        dedupeWindow: duration
          .default(86_400_000)
          .describe('the same image change within this window (default 24h) is processed once'),
        defaultRegistry: z
          .string()
          .optional()
          .describe('login server for events that name none (chart events)'),
        registries: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'your registries, by login server (contoso.azurecr.io) or resource id: Event Grid events from any other topic are ignored',
          ),
        eventGrid: eventGridIngressSchema,
      })
      .prefault({}),
    registryAliases: z
      .record(z.string(), z.array(z.string()))
      .default({})
      .describe('login server → other names of the same registry (custom domains)'),
    gitops: z.record(name, gitopsRepoSchema).default({}).describe('GitOps repositories pins are written to'),
    teams: z.record(name, teamsChannelSchema).default({}).describe('Teams channels cards are posted to'),
    notifications: z
      .strictObject({
        burstWindow: duration
          .default(30_000)
          .describe(
            'pushes to one repository within this window (default 30s) make one card; 0s turns folding off',
          ),
      })
      .default({ burstWindow: 30_000 }),
    retry: retrySchema,
    outbound: z
      .strictObject({
        allowedHosts: z
          .array(hostPattern)
          .default([])
          .describe('hosts the app may call besides those named by URLs in this file (exact or *.suffix)'),
      })
      .default({ allowedHosts: [] }),
    deployTargets: z
      .record(name, deployTargetSchema)
      .default({})
      .describe("where a rule's deploy sends a trigger"),
    rules: z
      .array(ruleSchema)
      .default([])
      .describe('what each push or delete leads to; every matching rule applies'),
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
      if (rule.retain && !config.retention?.registries.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'retain'],
          message: 'retain: true needs retention.registries (the registry whose repository is cleaned)',
        });
      }
    });
    // Null prototype, so a policy naming "constructor" is unknown rather than found on Object.prototype.
    const retentionRegistries: Record<string, unknown> = Object.create(null);
    for (const registry of config.retention?.registries ?? []) retentionRegistries[registry.name] = registry;
    config.retention?.notify?.forEach((channel, i) =>
      refer(['retention', 'notify', i], 'Teams channel', channel, config.teams),
    );
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
