import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import { RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import { testTriggers } from '../../../helpers/deploy-fakes';
import { startFakeDeployApis, type FakeDeployApis } from '../../../helpers/fake-deploy-apis';
import { sampleEvent } from '../../../helpers/sample-event';

const PAT = 'adoPatForDeployTests0000000000000000000000000001';
const ENTRA = 'entra-test-token-0000000000001';
const ARGO = 'argocd-token-for-tests-000000000001';
const ARGO_READ = 'argocd-read-only-token-00000000002';
const event = sampleEvent();
const image = `contoso.azurecr.io/payments/api@${event.digest}`;
let api: FakeDeployApis;

beforeAll(async () => {
  api = await startFakeDeployApis({
    githubToken: 'unused',
    adoPat: PAT,
    adoBearer: ENTRA,
    adoPipelines: ['contoso/Payments/42'],
    argocdTokens: { [ARGO]: ['get', 'sync'], [ARGO_READ]: ['get'] },
    armToken: 'unused',
  });
});
afterAll(() => api?.close());
beforeEach(() => api.reset());

function target<T extends 'azure-pipelines' | 'argocd'>(yaml: string): DeployTargetOf<T> {
  return parseConfig(`deployTargets:\n  t: ${yaml}\n`).deployTargets['t'] as DeployTargetOf<T>;
}

const pipeline = (extra = '') =>
  target<'azure-pipelines'>(
    `{ type: azure-pipelines, organization: contoso, project: Payments, pipelineId: 42, branch: main, apiUrl: '${api.adoApiUrl}', templateParameters: { image: '{{image}}' }, variables: { TAG: '{{tag}}' }${extra} }`,
  );

describe('azure-pipelines trigger (fake Azure DevOps)', () => {
  it('runs the pipeline with a PAT (Basic, empty user) and reports the run page', async () => {
    const { triggers, log } = testTriggers({ ADO_PAT: PAT });

    const accepted = await triggers['azure-pipelines'].trigger(pipeline(', tokenFrom: ADO_PAT'), {
      target: 't',
      event,
    });

    expect(accepted).toEqual({
      report: { runUrl: 'https://dev.azure.com/contoso/Payments/_build/results?buildId=101' },
    });
    const [request] = api.to('ado');
    expect(request).toMatchObject({
      method: 'POST',
      path: '/contoso/Payments/_apis/pipelines/42/runs',
      query: { 'api-version': '7.1' },
      headers: { authorization: `Basic ${Buffer.from(`:${PAT}`).toString('base64')}` },
    });
    expect(request?.body).toEqual({
      resources: { repositories: { self: { refName: 'refs/heads/main' } } },
      templateParameters: { image },
      variables: { TAG: { value: '1.4.2' } },
    });
    expect(api.violations).toEqual([]);
    expect(log.all()).not.toContain(PAT);
  });

  it('uses an Entra token for Azure DevOps with auth: entra', async () => {
    const { triggers, tokens } = testTriggers({});

    await triggers['azure-pipelines'].trigger(
      pipeline(', auth: entra, clientId: 11111111-2222-3333-4444-555555555555'),
      { target: 't', event },
    );

    expect(tokens.scopes).toEqual([
      {
        scope: '499b84ac-1321-427f-aa17-267ca6975798/.default',
        clientId: '11111111-2222-3333-4444-555555555555',
      },
    ]);
    expect(api.to('ado')[0]?.headers.authorization).toBe(`Bearer ${ENTRA}`);
    expect(api.pipelineRuns).toHaveLength(1);
  });

  it("reports Azure DevOps' own message for a pipeline that does not exist, for good", async () => {
    const { triggers } = testTriggers({ ADO_PAT: PAT });
    const missing = target<'azure-pipelines'>(
      `{ type: azure-pipelines, organization: contoso, project: Payments, pipelineId: 99, tokenFrom: ADO_PAT, apiUrl: '${api.adoApiUrl}' }`,
    );

    const failure = (await triggers['azure-pipelines']
      .trigger(missing, { target: 't', event })
      .catch((error: unknown) => error)) as RefusedError;

    expect(failure).toBeInstanceOf(RefusedError);
    expect(failure.message).toMatch(
      /answered 404 \(pipeline 99 was not found in contoso\/Payments, or the PAT in ADO_PAT cannot see it\): Pipeline with id 99 not found\./,
    );
  });

  it('does not take a 203 sign-in page for a started run', async () => {
    api.script({ status: 203, body: '<html><body>Sign in to your account</body></html>' });
    const { triggers } = testTriggers({ ADO_PAT: PAT });

    const failure = (await triggers['azure-pipelines']
      .trigger(pipeline(', tokenFrom: ADO_PAT'), { target: 't', event })
      .catch((error: unknown) => error)) as RefusedError;

    expect(failure).toBeInstanceOf(RefusedError);
    expect(failure.message).toMatch(
      /answered 203 \(the PAT in ADO_PAT was rejected \(expired or revoked\); renew it\)/,
    );
  });

  it('names the PAT setting on 401', async () => {
    const { triggers } = testTriggers({ ADO_PAT: 'wrong-pat-0000000000000' });
    await expect(
      triggers['azure-pipelines'].trigger(pipeline(', tokenFrom: ADO_PAT'), { target: 't', event }),
    ).rejects.toThrow(/answered 401 \(the PAT in ADO_PAT was rejected/);
  });

  it('passes on the 400 for a variable not settable at queue time', async () => {
    api.script({
      status: 400,
      body: {
        $id: '1',
        innerException: null,
        message:
          "Unexpected parameter 'TAG'. Variables must be set as settable at queue time to be passed with the run.",
        typeName: 'Microsoft.Azure.Pipelines.WebApi.PipelineValidationException',
        typeKey: 'PipelineValidationException',
        errorCode: 0,
      },
    });
    const { triggers } = testTriggers({ ADO_PAT: PAT });
    await expect(
      triggers['azure-pipelines'].trigger(pipeline(', tokenFrom: ADO_PAT'), { target: 't', event }),
    ).rejects.toThrow(/answered 400: Unexpected parameter 'TAG'/);
  });
});

const argo = (extra: string) =>
  target<'argocd'>(
    `{ type: argocd, server: '${api.argocdUrl}', application: payments, tokenFrom: ARGO${extra} }`,
  );

describe('argocd trigger (fake Argo CD)', () => {
  it('refreshes the Application with a bearer token and links it in the UI', async () => {
    const { triggers } = testTriggers({ ARGO });

    expect(await triggers.argocd.trigger(argo(''), { target: 't', event })).toEqual({
      report: { runUrl: `${api.argocdUrl}/applications/payments` },
    });
    expect(api.to('argocd')[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/applications/payments',
      query: { refresh: 'normal' },
      headers: { authorization: `Bearer ${ARGO}` },
    });
    expect(api.argocdCalls).toEqual(['refresh:payments']);
  });

  it('syncs with action: sync, appNamespace and project in the body', async () => {
    const { triggers } = testTriggers({ ARGO });

    const accepted = await triggers.argocd.trigger(
      argo(', action: sync, appNamespace: team-a, project: payments'),
      { target: 't', event },
    );

    expect(accepted.report.runUrl).toBe(`${api.argocdUrl}/applications/team-a/payments`);
    expect(api.to('argocd')[0]).toMatchObject({ method: 'POST', path: '/api/v1/applications/payments/sync' });
    expect(api.to('argocd')[0]?.body).toEqual({ appNamespace: 'team-a', project: 'payments' });
    expect(api.argocdCalls).toEqual(['sync:payments']);
  });

  it('refuses for good on 403, with Argo CD’s message and the RBAC the token needs', async () => {
    const { triggers } = testTriggers({ ARGO: ARGO_READ });

    const failure = (await triggers.argocd
      .trigger(argo(', action: sync, project: payments'), { target: 't', event })
      .catch((error: unknown) => error)) as RefusedError;

    expect(failure).toBeInstanceOf(RefusedError);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(
      /answered 403 \(the token in ARGO needs the RBAC permission applications, sync on payments\/payments\): permission denied/,
    );
    expect(failure.message).not.toContain(ARGO_READ);
    expect(api.argocdCalls).toEqual([]);
  });

  it('retries a sync refused because another operation is running', async () => {
    api.script({
      status: 400,
      body: {
        error: 'another operation is already in progress',
        code: 9,
        message: 'another operation is already in progress',
      },
    });
    const { triggers } = testTriggers({ ARGO });

    const failure = await triggers.argocd
      .trigger(argo(', action: sync'), { target: 't', event })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).retryAfterMs).toBe(30_000);
  });
});
