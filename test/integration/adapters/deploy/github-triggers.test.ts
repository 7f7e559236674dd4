import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import type { DeployTargetOf } from '../../../../shared/domain/config/deploy-targets-schema';
import { RefusedError, UpstreamError } from '../../../../shared/domain/errors';
import { testTriggers } from '../../../helpers/deploy-fakes';
import { startFakeDeployApis, type FakeDeployApis } from '../../../helpers/fake-deploy-apis';
import { sampleEvent } from '../../../helpers/sample-event';

const TOKEN = 'ghp_deployTriggerTestToken00000000001';
const event = sampleEvent();
const image = `contoso.azurecr.io/payments/api@${event.digest}`;
let api: FakeDeployApis;

beforeAll(async () => {
  api = await startFakeDeployApis({
    githubToken: TOKEN,
    adoPat: 'unused',
    argocdTokens: {},
    armToken: 'unused',
  });
});
afterAll(() => api?.close());
beforeEach(() => {
  api.reset();
  api.options.githubVersion = 'current';
  api.options.githubToken = TOKEN;
});

function targets() {
  const config = parseConfig(`
deployTargets:
  web: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
  web-release: { type: github-workflow, repo: contoso/web, workflow: deploy.yml, ref: release/9, tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
  hook: { type: github-dispatch, repo: contoso/web, eventType: 'deploy-{{tag}}', tokenFrom: GH_TOKEN, apiUrl: '${api.githubApiUrl}' }
`);
  return {
    web: config.deployTargets['web'] as DeployTargetOf<'github-workflow'>,
    release: config.deployTargets['web-release'] as DeployTargetOf<'github-workflow'>,
    hook: config.deployTargets['hook'] as DeployTargetOf<'github-dispatch'>,
  };
}

describe('github-workflow trigger (fake GitHub API)', () => {
  it('dispatches with the documented path, headers and body and reports the run from the 200', async () => {
    const { triggers, log } = testTriggers({ GH_TOKEN: TOKEN });

    const accepted = await triggers['github-workflow'].trigger(targets().web, { target: 'web', event });

    expect(accepted).toEqual({ report: { runUrl: 'https://github.com/contoso/web/actions/runs/9001' } });
    const [request] = api.to('github');
    expect(request).toMatchObject({
      method: 'POST',
      path: '/repos/contoso/web/actions/workflows/deploy.yml/dispatches',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'content-type': 'application/json',
      },
    });
    expect(request?.body).toEqual({
      ref: 'main',
      inputs: { image, repository: 'payments/api', tag: '1.4.2', digest: event.digest },
      return_run_details: true,
    });
    expect(api.runs).toHaveLength(1);
    expect(api.violations).toEqual([]);
    expect(log.all()).not.toContain(TOKEN);
  });

  it('on a GitHub without return_run_details, dispatches again without it and finds the run it started', async () => {
    api.options.githubVersion = 'old';
    const { triggers } = testTriggers({ GH_TOKEN: TOKEN });

    const accepted = await triggers['github-workflow'].trigger(targets().web, { target: 'web', event });
    expect(accepted.report).toEqual({});
    expect(await accepted.follow?.()).toEqual({ runUrl: 'https://github.com/contoso/web/actions/runs/9001' });

    expect(api.to('github').map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`)).toEqual([
      'POST /repos/contoso/web/actions/workflows/deploy.yml/dispatches',
      'POST /repos/contoso/web/actions/workflows/deploy.yml/dispatches',
      'GET /repos/contoso/web/actions/workflows/deploy.yml/runs',
    ]);
    expect(api.to('github')[1]?.body).not.toHaveProperty('return_run_details');
    expect(api.to('github')[2]?.query).toMatchObject({ event: 'workflow_dispatch', branch: 'main' });
    expect(api.runs).toHaveLength(1);
    expect(api.violations).toEqual([]);
  });

  it('reports the dispatch without a link when the run cannot be found, without failing', async () => {
    api.script({ status: 204, match: (r) => r.method === 'POST' });
    api.script({
      status: 200,
      body: { total_count: 0, workflow_runs: [] },
      times: 10,
      match: (r) => r.method === 'GET',
    });
    const { triggers, log } = testTriggers({ GH_TOKEN: TOKEN });

    const accepted = await triggers['github-workflow'].trigger(targets().web, { target: 'web', event });

    expect(await accepted.follow?.()).toEqual({});
    expect(api.to('github').filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(log.all()).toMatch(/run it started was not found/);
  });

  it("refuses a ref GitHub does not know with 422, for good, with GitHub's own message", async () => {
    const { triggers } = testTriggers({ GH_TOKEN: TOKEN });

    const failure = await triggers['github-workflow']
      .trigger(targets().release, { target: 'web-release', event })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RefusedError);
    expect((failure as RefusedError).retryable).toBe(false);
    expect((failure as Error).message).toMatch(/answered 422: No ref found for: release\/9/);
    expect(api.runs).toEqual([]);
  });

  it('names the setting when GitHub rejects the token, and never shows the token', async () => {
    api.options.githubToken = 'ghp_someOtherToken00000000000000000';
    const { triggers } = testTriggers({ GH_TOKEN: TOKEN });

    const failure = (await triggers['github-workflow']
      .trigger(targets().web, { target: 'web', event })
      .catch((error: unknown) => error)) as Error;

    expect(failure).toBeInstanceOf(RefusedError);
    expect(failure.message).toMatch(
      /answered 401 \(the token in GH_TOKEN was rejected; renew it\): Bad credentials/,
    );
    expect(failure.message).not.toContain(TOKEN);
  });

  it('is retryable when GitHub keeps answering 503, and starts nothing', async () => {
    api.script({ status: 503, body: { message: 'Service Unavailable' }, times: 2 });
    const { triggers } = testTriggers({ GH_TOKEN: TOKEN });

    const failure = await triggers['github-workflow']
      .trigger(targets().web, { target: 'web', event })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(api.runs).toEqual([]);
  });

  it('says which app setting is missing', async () => {
    const { triggers } = testTriggers({});
    await expect(
      triggers['github-workflow'].trigger(targets().web, { target: 'web', event }),
    ).rejects.toThrow(
      /app setting GH_TOKEN \(deployTargets\.web\.tokenFrom\) is not set; set it to a GitHub token with Actions: read and write/,
    );
    expect(api.requests).toEqual([]);
  });
});

describe('github-dispatch trigger (fake GitHub API)', () => {
  it('sends repository_dispatch with the rendered event type and the default client payload', async () => {
    const { triggers } = testTriggers({ GH_TOKEN: TOKEN });

    expect(await triggers['github-dispatch'].trigger(targets().hook, { target: 'hook', event })).toEqual({
      report: {},
    });

    expect(api.to('github')[0]).toMatchObject({ method: 'POST', path: '/repos/contoso/web/dispatches' });
    expect(api.dispatches).toEqual([
      {
        repo: 'contoso/web',
        event_type: 'deploy-1.4.2',
        client_payload: {
          image,
          repository: 'payments/api',
          tag: '1.4.2',
          digest: event.digest,
          registry: 'contoso.azurecr.io',
        },
      },
    ]);
    expect(api.violations).toEqual([]);
  });
});
