import { z } from 'zod';
import { normalizeRegion } from '../deploy/region-gate';
import { stringsIn, templateProblems, withoutVariables } from '../deploy/render-template';
import { duration, httpsUrl, settingName } from './schema-parts';

/**
 * `deployTargets.<name>`: where a rule's `deploy` sends a trigger (issue 10 §1). Limits are the APIs'
 * own (shared/reference/gitops.md §6), checked here so a config that cannot work fails at cold start
 * with its YAML path, not at the first push.
 */

/** GitHub `workflow_dispatch` accepts at most 25 inputs. */
const maxWorkflowInputs = 25;
/** GitHub `repository_dispatch`: `client_payload` has at most 10 top-level properties. */
const maxClientPayloadKeys = 10;
/** GitHub `repository_dispatch`: `event_type` must be 100 characters or fewer. */
export const maxEventTypeChars = 100;
/** Azure DevOps' Entra application (resource) id: tokens for it are requested with `<id>/.default`. */
export const azureDevOpsResourceId = '499b84ac-1321-427f-aa17-267ca6975798';
/** `regionTimeout` when a target does not set one: 10 minutes. */
const defaultRegionTimeoutMs = 600_000;

/** The inputs a `github-workflow` target sends when it names none (the workflow must declare them). */
const defaultWorkflowInputs: Readonly<Record<string, string>> = {
  image: '{{image}}',
  repository: '{{repository}}',
  tag: '{{tag}}',
  digest: '{{digest}}',
};

/** A string that may use `{{repository}}`-style variables; an unknown one is an error at its path. */
export const templated = z
  .string()
  .describe('may use {{repository}} {{tag}} {{digest}} {{registry}} {{image}} {{commit}} {{pullRequestUrl}}')
  .superRefine(checkTemplate);

function checkTemplate(text: string, ctx: z.RefinementCtx): void {
  for (const message of templateProblems(text)) ctx.addIssue({ code: 'custom', message });
}

const guid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/,
    'expected a GUID like 00000000-0000-0000-0000-000000000000',
  );
const githubRepo = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name');
const region = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9 ]*$/, 'expected an Azure region name like westeurope or "West Europe"');

/** Fields every target may have: the replication gate (issue 10 §3). */
const gateFields = {
  regions: z
    .array(region)
    .min(1)
    .superRefine((regions, ctx) => {
      const seen = new Map<string, number>();
      regions.forEach((name, index) => {
        const key = normalizeRegion(name);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else ctx.addIssue({ code: 'custom', path: [index], message: `same region as regions[${first}]` });
      });
    })
    .optional()
    .describe('fire only once the push was seen from each of these replica regions'),
  regionTimeout: duration
    .default(defaultRegionTimeoutMs)
    .describe('fire anyway, with a warning, this long after the first delivery (default 10m)'),
};

const countAtMost =
  (max: number, what: string, why: string) => (record: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const count = Object.keys(record).length;
    if (count > max)
      ctx.addIssue({ code: 'custom', message: `at most ${max} ${what} (${why}); got ${count}` });
  };

/** JSON for `clientPayload`, every string in it (at any depth) checked as a template. */
const templatedJson: z.ZodType<unknown> = z.json().superRefine((value, ctx) => {
  for (const { path, text } of stringsIn(value)) {
    for (const message of templateProblems(text)) ctx.addIssue({ code: 'custom', path, message });
  }
});

const githubWorkflowSchema = z.strictObject({
  type: z.literal('github-workflow'),
  repo: githubRepo,
  workflow: z
    .union([
      z
        .string()
        .regex(/^(?:[^/\s]+\.ya?ml|\d+)$/, 'expected a workflow file name (deploy.yml) or its numeric id'),
      z.number().int().positive(),
    ])
    .transform(String),
  ref: z.string().min(1).default('main').describe('branch or tag the workflow runs on'),
  inputs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'expected an input name'), templated)
    .superRefine(countAtMost(maxWorkflowInputs, 'inputs', "GitHub's workflow_dispatch limit"))
    .default({ ...defaultWorkflowInputs })
    .describe('workflow_dispatch inputs; default image, repository, tag and digest'),
  tokenFrom: settingName,
  apiUrl: httpsUrl.default('https://api.github.com'),
  ...gateFields,
});

const githubDispatchSchema = z.strictObject({
  type: z.literal('github-dispatch'),
  repo: githubRepo,
  eventType: z
    .string()
    .min(1)
    .superRefine(checkTemplate)
    .superRefine((text, ctx) => {
      // Variables are checked once rendered; the text around them is too long for any event.
      const fixed = withoutVariables(text).length;
      if (fixed > maxEventTypeChars) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${maxEventTypeChars} characters (GitHub's repository_dispatch limit); got ${fixed}`,
        });
      }
    })
    .describe(
      'repository_dispatch event_type (at most 100 characters once rendered); may use {{repository}}-style variables',
    ),
  clientPayload: z
    .record(z.string(), templatedJson)
    .superRefine(
      countAtMost(
        maxClientPayloadKeys,
        'top-level keys',
        "GitHub's repository_dispatch client_payload limit",
      ),
    )
    .optional()
    .describe('default: image, repository, tag, digest, registry (and commit, pullRequestUrl after a pin)'),
  tokenFrom: settingName,
  apiUrl: httpsUrl.default('https://api.github.com'),
  ...gateFields,
});

const azurePipelinesSchema = z
  .strictObject({
    type: z.literal('azure-pipelines'),
    organization: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'expected an Azure DevOps organization name'),
    project: z.string().min(1),
    pipelineId: z.number().int().positive(),
    branch: z.string().min(1).optional().describe('branch (or refs/…) of the pipeline repository to run'),
    templateParameters: z.record(z.string().min(1), templated).optional(),
    variables: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a variable name'), templated)
      .optional()
      .describe('must be settable at queue time in the pipeline'),
    auth: z
      .enum(['pat', 'entra'])
      .optional()
      .describe('pat: tokenFrom holds a personal access token; entra: a token from DefaultAzureCredential'),
    tokenFrom: settingName.optional(),
    clientId: guid.optional().describe('user-assigned managed identity (auth: entra)'),
    apiUrl: httpsUrl.default('https://dev.azure.com'),
    ...gateFields,
  })
  .superRefine((target, ctx) => {
    const auth = target.auth ?? (target.tokenFrom ? 'pat' : undefined);
    if (auth === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenFrom'],
        message: 'set tokenFrom (an app setting holding a PAT) or auth: entra (DefaultAzureCredential)',
      });
    } else if (auth === 'pat' && !target.tokenFrom) {
      ctx.addIssue({ code: 'custom', path: ['tokenFrom'], message: 'auth: pat needs tokenFrom' });
    } else if (auth === 'entra' && target.tokenFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenFrom'],
        message: 'auth: entra uses DefaultAzureCredential; remove tokenFrom (or use auth: pat)',
      });
    }
    if (auth === 'pat' && target.clientId) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'clientId is for auth: entra' });
    }
  })
  .transform(({ auth, ...target }) => ({ ...target, auth: auth ?? ('pat' as const) }));

const argocdSchema = z
  .strictObject({
    type: z.literal('argocd'),
    server: httpsUrl.describe('Argo CD API server, e.g. https://argocd.example.com'),
    application: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected an Application name'),
    appNamespace: z
      .string()
      .min(1)
      .optional()
      .describe('namespace of the Application (apps in any namespace)'),
    project: z.string().min(1).optional(),
    action: z.enum(['refresh', 'sync']).optional().describe('refresh (default) or sync'),
    sync: z.boolean().optional().describe('deprecated: use action: sync'),
    tokenFrom: settingName,
    ...gateFields,
  })
  .superRefine((target, ctx) => {
    if (target.sync !== undefined && target.action !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sync'],
        message: 'set either action or the older sync, not both',
      });
    }
  })
  .transform(({ sync, action, ...target }) => ({
    ...target,
    action: action ?? (sync ? ('sync' as const) : ('refresh' as const)),
  }));

const containerAppSchema = z.strictObject({
  type: z.literal('container-app'),
  subscriptionId: guid,
  resourceGroup: z.string().regex(/^[-\w.()]{1,90}$/, 'expected a resource group name'),
  app: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 'expected a Container App name (lower-case, 2–32 characters)'),
  container: z
    .string()
    .min(1)
    .optional()
    .describe('which container gets the image; optional when there is one'),
  clientId: guid.optional().describe('user-assigned managed identity; default: DefaultAzureCredential'),
  armUrl: httpsUrl.default('https://management.azure.com'),
  ...gateFields,
});

const webhookSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: httpsUrl.optional(),
    urlFrom: settingName.optional().describe('app setting holding the URL, when the URL itself is a secret'),
    secretFrom: settingName.describe('Standard Webhooks signing secret (whsec_…)').optional(),
    eventType: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected a type like image.pushed')
      .default('image.pushed')
      .describe('the "type" of the Standard Webhooks body'),
    ...gateFields,
  })
  .superRefine((target, ctx) => {
    if ((target.url === undefined) === (target.urlFrom === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'set exactly one of url and urlFrom (an app setting holding the URL)',
      });
    }
  });

export const deployTargetSchema = z.discriminatedUnion('type', [
  githubWorkflowSchema,
  githubDispatchSchema,
  azurePipelinesSchema,
  argocdSchema,
  containerAppSchema,
  webhookSchema,
]);

/** A validated deploy target, defaults applied, `regionTimeout` in milliseconds. */
export type DeployTarget = z.output<typeof deployTargetSchema>;
export type DeployTargetType = DeployTarget['type'];
export type DeployTargetOf<T extends DeployTargetType> = Extract<DeployTarget, { type: T }>;
