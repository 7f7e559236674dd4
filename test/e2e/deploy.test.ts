import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionArgs } from '../helpers/e2e-app';
import { startFakeDeployApis, type FakeDeployApis } from '../helpers/fake-deploy-apis';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

const secret = 'Bearer e2e-deploy-secret';
const GITOPS_TOKEN = 'ghp_e2eDeployGitopsToken000000000001';
const GH_TOKEN = 'ghp_e2eDeployActionsToken00000000001';
const registry = 'contoso.azurecr.io';

let host: RunningHost;
let git: GitHttpServer;
let api: FakeDeployApis;

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

async function push(repository: string, tag: string): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(`${repository}:${tag}`).digest('hex')}`;
  const response = await fetch(`${host.url}/api/acr/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret },
    body: JSON.stringify({
      id: `e2e-${repository}-${tag}`,
      action: 'push',
      timestamp: new Date().toISOString(),
      target: { repository, tag, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      request: { host: registry, method: 'PUT' },
    }),
  });
  expect(response.status).toBe(202);
  return digest;
}

beforeAll(async () => {
  [git, api] = await Promise.all([
    startGitHttpServer({ tokens: { [GITOPS_TOKEN]: 'write' } }),
    startFakeDeployApis({ githubToken: GH_TOKEN, adoPat: 'x', argocdTokens: {}, armToken: 'x' }),
  ]);
  await git.createRepo('org/fleet', {
    'apps/payments/deployment.yaml': deployment(`${registry}/payments/api:1.4.2`),
  });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-deploy-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
deployTargets:
  web:
    type: github-workflow
    repo: contoso/web
    workflow: deploy.yml
    tokenFrom: GH_TOKEN
    apiUrl: '${api.githubApiUrl}'
    inputs: { image: '{{image}}', commit: '{{commit}}' }
  hook: { type: webhook, url: '${api.hookUrl('site')}' }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet, paths: ['**'] }
    deploy: { targets: [web], after: pin }
  - match: { repository: 'web/*' }
    deploy: [hook]
`,
  );
  host = await startLocalHostProcess({
    args: functionArgs([
      'acr-webhook',
      'health',
      'app-start',
      'fan-out-actions',
      'pin-request',
      'deploy-request',
    ]),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      GITOPS_TOKEN,
      GH_TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
});
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), api?.close()]);
});

describe('deployment triggers through the local host', () => {
  it('webhook → pin commit → workflow_dispatch carrying the commit sha (deploy after pin)', async () => {
    const seed = await git.head('org/fleet', 'main');
    const digest = await push('payments/api', '1.4.2');

    await expect.poll(() => api.runs.length, { timeout: 20_000, interval: 100 }).toBe(1);
    const head = await git.head('org/fleet', 'main');
    expect(head).not.toBe(seed);
    expect(api.runs[0]).toMatchObject({
      repo: 'contoso/web',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { image: `${registry}/payments/api@${digest}`, commit: head },
    });
    expect(api.violations).toEqual([]);
    expect(host.output()).not.toMatch(new RegExp(`${GH_TOKEN}|${GITOPS_TOKEN}`));
  });

  it('webhook → deploy request received by the webhook receiver', async () => {
    const digest = await push('web/site', '2.0.0');
    await expect.poll(() => api.to('hooks').length, { timeout: 15_000, interval: 100 }).toBe(1);
    expect(JSON.parse(api.to('hooks')[0]?.text ?? '{}')).toMatchObject({
      type: 'image.pushed',
      data: { image: `${registry}/web/site@${digest}` },
    });
  });
});
