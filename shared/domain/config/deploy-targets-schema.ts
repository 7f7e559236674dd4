import { z } from 'zod';
import { httpsUrl, settingName } from './schema-parts';

/** `deployTargets.<name>`: where a rule's `deploy` sends a trigger. */
const githubRepo = z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name');

export const deployTargetSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('github-workflow'),
    repo: githubRepo,
    workflow: z.string().min(1),
    ref: z.string().min(1).default('main'),
    inputs: z.record(z.string(), z.string()).default({}),
    tokenFrom: settingName,
    apiUrl: httpsUrl.default('https://api.github.com'),
  }),
  z.strictObject({
    type: z.literal('github-dispatch'),
    repo: githubRepo,
    eventType: z.string().min(1).max(100),
    tokenFrom: settingName,
    apiUrl: httpsUrl.default('https://api.github.com'),
  }),
  z.strictObject({
    type: z.literal('azure-pipelines'),
    organization: z.string().min(1),
    project: z.string().min(1),
    pipelineId: z.number().int().positive(),
    branch: z.string().optional(),
    tokenFrom: settingName,
    apiUrl: httpsUrl.default('https://dev.azure.com'),
  }),
  z.strictObject({
    type: z.literal('argocd'),
    server: httpsUrl,
    application: z.string().min(1),
    sync: z.boolean().default(false),
    tokenFrom: settingName,
  }),
  z.strictObject({
    type: z.literal('webhook'),
    urlFrom: settingName,
    secretFrom: settingName.describe('Standard Webhooks signing secret (whsec_…)').optional(),
  }),
]);
