import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHostRefusedError, GitHostUnavailableError } from '../../../../shared/adapters/git/git-errors';
import { createPullRequests, parseRepoUrl } from '../../../../shared/adapters/git/pull-requests';
import { ConfigError } from '../../../../shared/domain/errors';
import type { PullRequestInput } from '../../../../shared/domain/ports';
import { startFakePrApi, type FakePrApi } from '../../../helpers/fake-pr-api';
import { closedPort } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const GITHUB_TOKEN = 'ghp_fakeGithubTokenNeverInMessages01';
const ADO_TOKEN = 'adoPatFakeTokenNeverInMessages000002';

const github: PullRequestInput = {
  url: 'https://github.com/org/fleet.git',
  sourceBranch: 'autopilot/payments-api-1.4.2',
  targetBranch: 'main',
  title: 'Pin payments/api 1.4.2',
  body: 'Digest sha256:abc',
  token: GITHUB_TOKEN,
  tokenSetting: 'GITOPS_TOKEN',
};
const azure: PullRequestInput = {
  ...github,
  url: 'https://contoso@dev.azure.com/contoso/Platform%20Team/_git/fleet',
  token: ADO_TOKEN,
  tokenSetting: 'ADO_PAT',
};

describe('createPullRequests', () => {
  let api: FakePrApi;
  let prs: ReturnType<typeof createPullRequests>;
  /** In-process waits of the outbound client, recorded instead of slept. */
  const sleeps: number[] = [];

  beforeAll(async () => {
    api = await startFakePrApi({ githubToken: GITHUB_TOKEN, azureDevOpsToken: ADO_TOKEN });
    prs = createPullRequests({
      http: testHttpClient({ sleep: async (ms) => void sleeps.push(ms) }),
      githubApiUrl: api.githubApiUrl,
      azureDevOpsApiUrl: api.azureDevOpsApiUrl,
      timeoutMs: 1_000,
    });
  });
  afterEach(() => {
    expect(api.violations).toEqual([]);
    api.reset();
    sleeps.length = 0;
  });
  afterAll(() => api.close());

  describe('GitHub', () => {
    it('opens a pull request with the documented request', async () => {
      const result = await prs.openOrUpdate(github);

      expect(result).toEqual({
        provider: 'github',
        url: 'https://github.com/org/fleet/pull/1',
        number: 1,
        created: true,
      });
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]).toMatchObject({
        method: 'POST',
        path: '/repos/org/fleet/pulls',
        body: { title: github.title, head: github.sourceBranch, base: 'main', body: github.body },
        headers: { authorization: `Bearer ${GITHUB_TOKEN}`, 'x-github-api-version': '2022-11-28' },
      });
    });

    it('updates the open pull request when GitHub answers 422 "already exists"', async () => {
      await prs.openOrUpdate(github);

      const result = await prs.openOrUpdate({
        ...github,
        title: 'Pin payments/api 1.4.2 (rebuilt)',
        body: 'Digest sha256:def',
      });

      expect(result).toEqual({
        provider: 'github',
        url: 'https://github.com/org/fleet/pull/1',
        number: 1,
        created: false,
      });
      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /repos/org/fleet/pulls',
        'POST /repos/org/fleet/pulls',
        'GET /repos/org/fleet/pulls',
        'PATCH /repos/org/fleet/pulls/1',
      ]);
      expect(api.requests[2]?.query).toEqual({ head: 'org:autopilot/payments-api-1.4.2', state: 'open' });
      expect(api.requests[3]?.body).toEqual({
        title: 'Pin payments/api 1.4.2 (rebuilt)',
        body: 'Digest sha256:def',
      });
      expect(api.pulls).toHaveLength(1);
      expect(api.pulls[0]).toMatchObject({
        title: 'Pin payments/api 1.4.2 (rebuilt)',
        body: 'Digest sha256:def',
      });
    });

    it('leaves an identical open pull request alone (redelivery)', async () => {
      await prs.openOrUpdate(github);

      const result = await prs.openOrUpdate(github);

      expect(result.created).toBe(false);
      expect(api.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET']);
    });

    it('uses https://{host}/api/v3 for GitHub Enterprise Server', async () => {
      const seen: string[] = [];
      // No GHES here: a fetch that answers like one, behind the real client and its allow-list.
      const recording = createPullRequests({
        http: testHttpClient({
          allowInsecureLoopback: false,
          allowedHosts: ['ghe.example.com'],
          fetch: async (url, init) => {
            seen.push(String(url));
            return new Response(
              JSON.stringify({
                number: 5,
                html_url: 'https://ghe.example.com/org/fleet/pull/5',
                title: 't',
                body: 'b',
              }),
              { status: init?.method === 'POST' ? 201 : 200 },
            );
          },
        }),
      });

      const result = await recording.openOrUpdate({
        ...github,
        url: 'https://ghe.example.com/org/fleet.git',
        provider: 'github',
      });

      expect(seen).toEqual(['https://ghe.example.com/api/v3/repos/org/fleet/pulls']);
      expect(result.url).toBe('https://ghe.example.com/org/fleet/pull/5');
    });

    it('refuses a 422 other than "already exists" with GitHub\'s reason', async () => {
      api.script({
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            { resource: 'PullRequest', code: 'custom', message: 'No commits between main and autopilot/x' },
          ],
        },
      });

      const error = await prs.openOrUpdate(github).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostRefusedError);
      expect(error).toMatchObject({ retryable: false, status: 422 });
      expect((error as Error).message).toBe(
        'GitHub refused the pull request (422): Validation Failed: No commits between main and autopilot/x',
      );
      expect(api.requests).toHaveLength(1);
    });

    it('treats a secondary rate limit (403 with Retry-After) as retryable', async () => {
      api.script({
        status: 403,
        headers: { 'retry-after': '60' },
        body: { message: 'You have exceeded a secondary rate limit' },
      });

      const error = await prs.openOrUpdate(github).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostUnavailableError);
      expect(error).toMatchObject({ retryable: true, status: 403, retryAfterMs: 60_000 });
      expect((error as Error).message).toMatch(
        /answered 403: You have exceeded a secondary rate limit; asked to retry after 60 s$/,
      );
      expect(api.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });
  });

  describe('Azure DevOps', () => {
    it('opens a pull request with the documented request', async () => {
      const result = await prs.openOrUpdate(azure);

      expect(result).toEqual({
        provider: 'azure-devops',
        url: 'https://dev.azure.com/contoso/Platform%20Team/_git/fleet/pullrequest/1',
        number: 1,
        created: true,
      });
      expect(api.requests[0]).toMatchObject({
        method: 'POST',
        path: '/contoso/Platform%20Team/_apis/git/repositories/fleet/pullrequests',
        query: { 'api-version': '7.1' },
        body: {
          sourceRefName: 'refs/heads/autopilot/payments-api-1.4.2',
          targetRefName: 'refs/heads/main',
          title: github.title,
          description: github.body,
        },
        headers: { authorization: `Basic ${Buffer.from(`:${ADO_TOKEN}`).toString('base64')}` },
      });
    });

    it('updates the active pull request when Azure DevOps answers 409 TF401179', async () => {
      await prs.openOrUpdate(azure);

      const result = await prs.openOrUpdate({ ...azure, body: 'x'.repeat(5_000) });

      expect(result).toMatchObject({ number: 1, created: false });
      expect(api.requests.map((r) => `${r.method} ${r.path.split('/_apis/')[1]}`)).toEqual([
        'POST git/repositories/fleet/pullrequests',
        'POST git/repositories/fleet/pullrequests',
        'GET git/repositories/fleet/pullrequests',
        'PATCH git/repositories/fleet/pullrequests/1',
      ]);
      expect(api.requests[2]?.query).toEqual({
        'searchCriteria.sourceRefName': 'refs/heads/autopilot/payments-api-1.4.2',
        'searchCriteria.targetRefName': 'refs/heads/main',
        'searchCriteria.status': 'active',
        'api-version': '7.1',
      });
      expect(api.pulls[0]?.body).toHaveLength(4_000);
      expect(api.pulls[0]?.body.endsWith('…')).toBe(true);
    });

    it('reads {org}.visualstudio.com URLs', async () => {
      const result = await prs.openOrUpdate({
        ...azure,
        url: 'https://contoso.visualstudio.com/DefaultCollection/Platform%20Team/_git/fleet',
      });

      expect(api.requests[0]?.path).toBe(
        '/contoso/Platform%20Team/_apis/git/repositories/fleet/pullrequests',
      );
      expect(result.url).toBe('https://dev.azure.com/contoso/Platform%20Team/_git/fleet/pullrequest/1');
    });
  });

  describe.each([
    ['GitHub', github],
    ['Azure DevOps', azure],
  ] as const)('%s errors', (service, input) => {
    /** How every message about the create call starts: service, method and the (redacted) URL. */
    const createCall = () =>
      service === 'GitHub'
        ? `GitHub: POST ${api.githubApiUrl}/repos/org/fleet/pulls`
        : `Azure DevOps: POST ${api.azureDevOpsApiUrl}/contoso/Platform%20Team/_apis/git/repositories/fleet/pullrequests?api-version=7.1`;

    it.each([
      {
        case: '429 asking for longer than the worker waits',
        status: 429,
        headers: { 'retry-after': '7' },
        times: 1,
        requests: 1,
        waits: [],
        retryAfterMs: 7_000,
        text: 'answered 429: API rate limit exceeded; asked to retry after 7 s',
      },
      {
        case: '500 to a POST (not repeated: the pull request may exist)',
        status: 500,
        headers: {},
        times: 1,
        requests: 1,
        waits: [],
        retryAfterMs: undefined,
        text: 'answered 500: API rate limit exceeded',
      },
      {
        case: '503 twice, the first retried in process after its Retry-After',
        status: 503,
        headers: { 'retry-after': '1' },
        times: 2,
        requests: 2,
        waits: [1_000],
        retryAfterMs: 1_000,
        text: 'answered 503: API rate limit exceeded; asked to retry after 1 s',
      },
    ])(
      'leaves it to the queue on $case',
      async ({ status, headers, times, requests, waits, retryAfterMs, text }) => {
        api.script({ status, headers, times, body: { message: 'API rate limit exceeded' } });

        const error = await prs.openOrUpdate(input).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(GitHostUnavailableError);
        expect(error).toMatchObject({ retryable: true, status, retryAfterMs });
        expect((error as Error).message).toBe(`${createCall()} ${text}`);
        expect(api.requests).toHaveLength(requests);
        expect(sleeps).toEqual(waits);
        expect(api.pulls).toEqual([]);
      },
    );

    it('opens the pull request when a 503 clears within the in-process retry', async () => {
      api.script({ status: 503, headers: { 'retry-after': '1' } });

      const result = await prs.openOrUpdate(input);

      expect(result).toMatchObject({ number: 1, created: true });
      expect(api.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
      expect(sleeps).toEqual([1_000]);
      expect(api.pulls).toHaveLength(1);
    });

    it('retries later when the API does not answer in time, without sending the POST again', async () => {
      api.script({ status: 201, delayMs: 1_500 });
      const started = performance.now();

      const error = await createPullRequests({
        http: testHttpClient({ sleep: async (ms) => void sleeps.push(ms) }),
        githubApiUrl: api.githubApiUrl,
        azureDevOpsApiUrl: api.azureDevOpsApiUrl,
        timeoutMs: 200,
      })
        .openOrUpdate(input)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostUnavailableError);
      expect(error).toMatchObject({ retryable: true, status: undefined });
      expect((error as Error).message).toBe(`${createCall()} did not answer within 200 ms`);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(api.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('retries the POST once in process when the API is unreachable (it never left)', async () => {
      const closed = `http://127.0.0.1:${await closedPort()}`;
      const error = await createPullRequests({
        http: testHttpClient({ sleep: async (ms) => void sleeps.push(ms) }),
        githubApiUrl: closed,
        azureDevOpsApiUrl: closed,
      })
        .openOrUpdate(input)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostUnavailableError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${service}: POST ${closed.replace(/\./g, '\\.')}/.* could not be reached \\(.*ECONNREFUSED`,
        ),
      );
      expect(sleeps).toHaveLength(1);
    });

    it('refuses a rejected token, naming the app setting and never the token', async () => {
      const wrong = 'wrong-token-value-123456';
      const error = await prs.openOrUpdate({ ...input, token: wrong }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostRefusedError);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ retryable: false, status: 401 });
      // GitHub explains itself in JSON; Azure DevOps answers a bare 401.
      expect((error as Error).message).toBe(
        `${createCall()} answered 401 (the token in app setting ${input.tokenSetting} was rejected; ` +
          `check that it is valid and not expired)${service === 'GitHub' ? ': Bad credentials' : ''}`,
      );
      const visible = `${String(error)}\n${inspect(error, { depth: 10 })}`;
      expect(visible).not.toContain(wrong);
      expect(visible).not.toContain(Buffer.from(`:${wrong}`).toString('base64'));
      expect(sleeps).toEqual([]);
    });

    it('keeps the token out of the error when the API echoes it back', async () => {
      const basic = Buffer.from(`:${input.token}`).toString('base64');
      const authorization = service === 'GitHub' ? `Bearer ${input.token}` : `Basic ${basic}`;
      api.script({
        status: 400,
        body: { message: `you sent "${authorization}"; token ${input.token} may not do this` },
      });

      const error = await prs.openOrUpdate(input).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostRefusedError);
      expect((error as Error).message).toBe(
        `${createCall()} answered 400: you sent "REDACTED"; token REDACTED may not do this`,
      );
      const visible = `${String(error)}\n${inspect(error, { depth: 10 })}`;
      expect(visible).not.toContain(input.token);
      expect(visible).not.toContain(basic);
    });

    it.each([
      { status: 403, text: `may not open pull requests` },
      { status: 404, text: 'the repository was not found; check the url of this gitops repo' },
    ])('refuses $status with what to fix and the API message', async ({ status, text }) => {
      api.script({ status, body: { message: `server says ${status}` } });

      const error = await prs.openOrUpdate(input).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GitHostRefusedError);
      expect(error).toMatchObject({ retryable: false, status });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${escape(createCall())} answered ${status} \\(.*${escape(text)}.*\\): server says ${status}$`,
        ),
      );
      expect(api.requests).toHaveLength(1);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('parseRepoUrl', () => {
  it.each([
    [
      'https://github.com/org/fleet.git',
      undefined,
      { provider: 'github', host: 'github.com', owner: 'org', repo: 'fleet' },
    ],
    [
      'https://x-access-token:t@github.com/org/fleet',
      undefined,
      { provider: 'github', owner: 'org', repo: 'fleet' },
    ],
    [
      'https://ghe.example.com/org/fleet.git',
      'github',
      { provider: 'github', host: 'ghe.example.com', owner: 'org' },
    ],
    [
      'https://dev.azure.com/contoso/web/_git/fleet',
      undefined,
      {
        provider: 'azure-devops',
        organization: 'contoso',
        project: 'web',
        repository: 'fleet',
        webUrl: 'https://dev.azure.com/contoso/web/_git/fleet',
      },
    ],
    [
      'https://contoso@dev.azure.com/contoso/web/_git/fleet',
      undefined,
      { organization: 'contoso', project: 'web', webUrl: 'https://dev.azure.com/contoso/web/_git/fleet' },
    ],
    [
      'https://contoso.visualstudio.com/web/_git/fleet',
      undefined,
      { organization: 'contoso', project: 'web', repository: 'fleet' },
    ],
    [
      'https://contoso.visualstudio.com/_git/fleet',
      undefined,
      { organization: 'contoso', project: 'fleet', repository: 'fleet' },
    ],
    [
      'https://dev.azure.com/contoso/_git/fleet',
      undefined,
      { organization: 'contoso', project: 'fleet', repository: 'fleet' },
    ],
  ] as const)('reads %s', (url, provider, expected) => {
    expect(parseRepoUrl(url, provider)).toMatchObject(expected);
  });

  it.each([
    ['https://gitea.example.com/org/fleet.git', undefined, 'set provider to github or azure-devops'],
    ['https://github.com/org', undefined, 'expected https://github.com/OWNER/REPO.git'],
    [
      'https://dev.azure.com/contoso/web/fleet',
      undefined,
      'expected https://dev.azure.com/ORG/PROJECT/_git/REPO',
    ],
    ['https://gitea.example.com/org/fleet.git', 'generic', 'set provider to github or azure-devops'],
  ] as const)('refuses %s (provider %s)', (url, provider, message) => {
    expect(() => parseRepoUrl(url, provider)).toThrow(ConfigError);
    expect(() => parseRepoUrl(url, provider)).toThrow(message);
  });
});
