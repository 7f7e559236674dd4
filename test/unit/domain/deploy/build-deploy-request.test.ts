import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import {
  buildDeployRequest,
  isHttpDeployTarget,
  type HttpDeployTarget,
} from '../../../../shared/domain/deploy/build-deploy-request';
import { authorizationHeader } from '../../../../shared/domain/deploy/deploy-auth';
import type { DeployInput } from '../../../../shared/domain/deploy/deploy-http-request';
import { ConfigError } from '../../../../shared/domain/errors';
import { sampleEvent } from '../../../helpers/sample-event';

const digest = 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const image = `contoso.azurecr.io/payments/api@${digest}`;
const now = new Date('2026-11-25T10:00:05.250Z');
const input: DeployInput = { target: 't', event: sampleEvent() };
const afterPin: DeployInput = {
  ...input,
  pin: {
    repo: 'fleet',
    result: 'pull-request',
    commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a',
    pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
  },
};

function target(yaml: string): HttpDeployTarget {
  const parsed = parseConfig(`deployTargets:\n  t: ${yaml}\n`).deployTargets['t'];
  if (!parsed || !isHttpDeployTarget(parsed)) throw new Error('not an HTTP target');
  return parsed;
}

const build = (
  yaml: string,
  deploy: DeployInput = input,
  extra: { url?: string; returnRunDetails?: boolean } = {},
) => buildDeployRequest(target(yaml), deploy, { now, ...extra });

const githubHeaders = {
  accept: 'application/vnd.github+json',
  'content-type': 'application/json',
  'x-github-api-version': '2022-11-28',
  'user-agent': 'acr-autopilot',
};

describe('buildDeployRequest', () => {
  it.each([
    [
      'github-workflow: workflow_dispatch with the default inputs and run details',
      '{ type: github-workflow, repo: contoso/payments, workflow: deploy.yml, tokenFrom: GH }',
      input,
      {},
      {
        method: 'POST',
        url: 'https://api.github.com/repos/contoso/payments/actions/workflows/deploy.yml/dispatches',
        headers: githubHeaders,
        body: {
          ref: 'main',
          inputs: { image, repository: 'payments/api', tag: '1.4.2', digest },
          return_run_details: true,
        },
      },
    ],
    [
      'github-workflow: by id on GitHub Enterprise, without run details',
      '{ type: github-workflow, repo: contoso/payments, workflow: 161335, ref: release/1.x, tokenFrom: GH, apiUrl: "https://ghe.contoso.com/api/v3/", inputs: { version: "{{tag}}" } }',
      input,
      { returnRunDetails: false },
      {
        method: 'POST',
        url: 'https://ghe.contoso.com/api/v3/repos/contoso/payments/actions/workflows/161335/dispatches',
        headers: githubHeaders,
        body: { ref: 'release/1.x', inputs: { version: '1.4.2' } },
      },
    ],
    [
      'github-dispatch: repository_dispatch with the default client payload',
      '{ type: github-dispatch, repo: contoso/payments, eventType: "image-pushed", tokenFrom: GH }',
      input,
      {},
      {
        method: 'POST',
        url: 'https://api.github.com/repos/contoso/payments/dispatches',
        headers: githubHeaders,
        body: {
          event_type: 'image-pushed',
          client_payload: {
            image,
            repository: 'payments/api',
            tag: '1.4.2',
            digest,
            registry: 'contoso.azurecr.io',
          },
        },
      },
    ],
    [
      'github-dispatch: after a pin, the default payload carries the commit and pull request',
      '{ type: github-dispatch, repo: contoso/payments, eventType: "deploy-{{repository}}", tokenFrom: GH }',
      afterPin,
      {},
      expect.objectContaining({
        body: {
          event_type: 'deploy-payments/api',
          client_payload: expect.objectContaining({
            commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a',
            pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
          }),
        },
      }),
    ],
    [
      'github-dispatch: a configured payload keeps numbers, booleans and nesting',
      '{ type: github-dispatch, repo: o/r, eventType: e, tokenFrom: GH, clientPayload: { env: prod, replicas: 3, canary: true, image: { ref: "{{image}}", tags: ["{{tag}}"] } } }',
      input,
      {},
      expect.objectContaining({
        body: {
          event_type: 'e',
          client_payload: { env: 'prod', replicas: 3, canary: true, image: { ref: image, tags: ['1.4.2'] } },
        },
      }),
    ],
    [
      'azure-pipelines: Run Pipeline with branch, template parameters and variables',
      '{ type: azure-pipelines, organization: contoso, project: "Payments Team", pipelineId: 42, branch: main, templateParameters: { image: "{{image}}" }, variables: { TAG: "{{tag}}" }, tokenFrom: ADO }',
      input,
      {},
      {
        method: 'POST',
        url: 'https://dev.azure.com/contoso/Payments%20Team/_apis/pipelines/42/runs?api-version=7.1',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: {
          resources: { repositories: { self: { refName: 'refs/heads/main' } } },
          templateParameters: { image },
          variables: { TAG: { value: '1.4.2' } },
        },
      },
    ],
    [
      'azure-pipelines: a full ref name and nothing else',
      '{ type: azure-pipelines, organization: contoso, project: p, pipelineId: 1, branch: refs/tags/v1, auth: entra }',
      input,
      {},
      expect.objectContaining({
        body: { resources: { repositories: { self: { refName: 'refs/tags/v1' } } } },
      }),
    ],
    [
      'azure-pipelines: the default branch when none is set',
      '{ type: azure-pipelines, organization: contoso, project: p, pipelineId: 1, auth: entra }',
      input,
      {},
      expect.objectContaining({ body: {} }),
    ],
    [
      'argocd: refresh is a GET with refresh=normal',
      '{ type: argocd, server: https://argocd.contoso.com, application: payments, tokenFrom: ARGO }',
      input,
      {},
      {
        method: 'GET',
        url: 'https://argocd.contoso.com/api/v1/applications/payments?refresh=normal',
        headers: { accept: 'application/json' },
      },
    ],
    [
      'argocd: refresh of an app in another namespace and project',
      '{ type: argocd, server: https://argocd.contoso.com/argo/, application: payments, appNamespace: team-a, project: payments, tokenFrom: ARGO }',
      input,
      {},
      expect.objectContaining({
        url: 'https://argocd.contoso.com/argo/api/v1/applications/payments?refresh=normal&appNamespace=team-a&project=payments',
      }),
    ],
    [
      'argocd: sync is a POST with appNamespace and project in the body',
      '{ type: argocd, server: https://argocd.contoso.com, application: payments, appNamespace: team-a, project: payments, action: sync, tokenFrom: ARGO }',
      input,
      {},
      {
        method: 'POST',
        url: 'https://argocd.contoso.com/api/v1/applications/payments/sync',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: { appNamespace: 'team-a', project: 'payments' },
      },
    ],
    [
      'webhook: a Standard Webhooks body with the event and its pin',
      '{ type: webhook, url: "https://hooks.contoso.com/acr?team=payments" }',
      afterPin,
      {},
      {
        method: 'POST',
        url: 'https://hooks.contoso.com/acr?team=payments',
        headers: {
          'content-type': 'application/json',
          'webhook-id': '0123456789abcdef0123456789abcdef',
          'webhook-timestamp': '1795600805',
        },
        body: {
          type: 'image.pushed',
          timestamp: '2026-11-25T10:00:05.250Z',
          data: { target: 't', image, event: sampleEvent(), pin: afterPin.pin },
        },
      },
    ],
    [
      'webhook: the URL from its app setting and a custom type',
      '{ type: webhook, urlFrom: HOOK_URL, eventType: acr.image.pushed }',
      input,
      { url: 'https://hooks.contoso.com/s3cr3t-path' },
      expect.objectContaining({
        url: 'https://hooks.contoso.com/s3cr3t-path',
        body: expect.objectContaining({
          type: 'acr.image.pushed',
          data: expect.not.objectContaining({ pin: expect.anything() }),
        }),
      }),
    ],
  ])('%s', (_name, yaml, deploy, extra, expected) => {
    const request = build(yaml, deploy, extra);
    const parsed = {
      ...request,
      ...(request.body === undefined ? {} : { body: JSON.parse(request.body) as unknown }),
    };
    expect(parsed).toEqual(expected);
  });

  it('never puts a secret or an authorization header into the request', () => {
    const request = build('{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH_TOKEN }');
    expect(Object.keys(request.headers)).not.toContain('authorization');
    expect(JSON.stringify(request)).not.toContain('GH_TOKEN');
  });

  it('keeps JSON bodies valid when values hold quotes, backslashes and newlines', () => {
    const event = sampleEvent({ repository: 'team/"api"\\x', tag: 'v1' });
    const request = build(
      `{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH, inputs: { note: "say \\"{{repository}}\\"\\nthen {{tag}}", raw: '{"a": "{{tag}}"}' } }`,
      { target: 't', event },
    );
    const body = JSON.parse(request.body ?? '') as { inputs: Record<string, string> };
    expect(body.inputs).toEqual({ note: 'say "team/"api"\\x"\nthen v1', raw: '{"a": "v1"}' });
  });

  it('refuses an event type that renders longer than GitHub allows, naming the path', () => {
    const yaml = `{ type: github-dispatch, repo: o/r, eventType: "${'e'.repeat(90)}-{{repository}}", tokenFrom: GH }`;
    expect(() => build(yaml)).toThrow(ConfigError);
    expect(() => build(yaml)).toThrow(
      /deployTargets\.t\.eventType renders to 103 characters for .*payments\/api:1\.4\.2.*1 to 100/,
    );
  });

  it('refuses a client payload that renders to 64 KB or more', () => {
    const big = `${'x'.repeat(40_000)}{{digest}}`;
    const yaml = `{ type: github-dispatch, repo: o/r, eventType: e, tokenFrom: GH, clientPayload: { a: "${big}", b: "${big}" } }`;
    expect(() => build(yaml)).toThrow(/deployTargets\.t\.clientPayload renders to \d+ bytes/);
  });

  it('says which app setting to set when a webhook URL is missing', () => {
    expect(() => build('{ type: webhook, urlFrom: HOOK_URL }')).toThrow(
      'deployTargets.t.urlFrom: app setting HOOK_URL is not set; set it to the webhook URL',
    );
  });
});

describe('authorizationHeader', () => {
  it.each([
    ['{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH }', { authorization: 'Bearer tok' }],
    [
      '{ type: argocd, server: https://a.example.com, application: web, tokenFrom: A }',
      { authorization: 'Bearer tok' },
    ],
    [
      '{ type: azure-pipelines, organization: c, project: p, pipelineId: 1, tokenFrom: PAT }',
      { authorization: 'Basic OnRvaw==' },
    ],
    [
      '{ type: azure-pipelines, organization: c, project: p, pipelineId: 1, auth: entra }',
      { authorization: 'Bearer tok' },
    ],
    ['{ type: webhook, url: https://h.example.com }', {}],
  ])('%s', (yaml, expected) => {
    expect(authorizationHeader(target(yaml), 'tok')).toEqual(expected);
  });
});
