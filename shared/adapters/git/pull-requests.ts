import { type ApiClient } from './api-request';
import { openOrUpdateAzureDevOpsPullRequest } from './azure-devops-pull-requests';
import { openOrUpdateGitHubPullRequest } from './github-pull-requests';
import { parseRepoUrl } from './parse-repo-url';
import { type PullRequestResult, type PullRequestSpec } from './pull-request-types';

export type { PullRequestResult, PullRequestSpec } from './pull-request-types';
export { parseRepoUrl, type RepoLocation } from './parse-repo-url';

export interface PullRequestInput extends PullRequestSpec {
  /** Clone URL of the gitops repository; owner/repo or org/project/repo come from it. */
  url: string;
  /** From the gitops config; detected from the host (github.com, dev.azure.com, *.visualstudio.com) when absent. */
  provider?: 'github' | 'azure-devops' | 'generic';
  /** GitHub: a token with pull_requests:write; Azure DevOps: a PAT with Code (Read & Write). */
  token: string;
  /** App setting that holds the token, named in error messages. */
  tokenSetting?: string;
  /** API base for this repository, e.g. `https://ghe.example.com/api/v3`; overrides the deps' defaults. */
  apiUrl?: string;
}

export interface PullRequestDeps {
  fetch?: typeof fetch;
  /** Default `https://api.github.com` for github.com, `https://{host}/api/v3` for GitHub Enterprise Server. */
  githubApiUrl?: string;
  /** Default `https://dev.azure.com` (also for *.visualstudio.com URLs). */
  azureDevOpsApiUrl?: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
}

export interface PullRequests {
  /**
   * Opens a pull request from `sourceBranch` into `targetBranch`, or updates the open one. Rejects with a
   * `GitHostUnavailableError` (429/5xx/timeouts; `retryAfterMs` when the host said) or a
   * `GitHostRefusedError` (401/403/404/other 4xx; the message says what to fix).
   */
  openOrUpdate(input: PullRequestInput): Promise<PullRequestResult>;
}

/** Creates the pull-request adapter for GitHub and Azure DevOps REST APIs. */
export function createPullRequests(deps: PullRequestDeps = {}): PullRequests {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const timeoutMs = deps.timeoutMs ?? 15_000;

  async function openOrUpdate(input: PullRequestInput): Promise<PullRequestResult> {
    const location = parseRepoUrl(input.url, input.provider);
    const token = input.tokenSetting
      ? `the token in app setting ${input.tokenSetting}`
      : 'the configured token';
    const spec: PullRequestSpec = {
      sourceBranch: input.sourceBranch.replace(/^refs\/heads\//, ''),
      targetBranch: input.targetBranch.replace(/^refs\/heads\//, ''),
      title: input.title,
      body: input.body,
    };
    if (location.provider === 'github') {
      const client: ApiClient = {
        service: 'GitHub',
        fetch: fetchImpl,
        timeoutMs,
        headers: {
          Authorization: `Bearer ${input.token}`,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': '2022-11-28',
          // GitHub refuses API requests without a User-Agent.
          'User-Agent': 'acr-autopilot',
        },
        secrets: [input.token],
        token,
        scope: 'GitHub: pull_requests:write',
      };
      const apiUrl =
        input.apiUrl ??
        deps.githubApiUrl ??
        (location.host === 'github.com' ? 'https://api.github.com' : `https://${location.host}/api/v3`);
      return openOrUpdateGitHubPullRequest(client, apiUrl, location, spec);
    }
    const basic = Buffer.from(`:${input.token}`, 'utf8').toString('base64');
    const client: ApiClient = {
      service: 'Azure DevOps',
      fetch: fetchImpl,
      timeoutMs,
      headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
      secrets: [input.token, basic],
      token,
      scope: 'Azure DevOps: Code (Read & Write) and Contribute to pull requests',
    };
    const apiUrl = input.apiUrl ?? deps.azureDevOpsApiUrl ?? 'https://dev.azure.com';
    return openOrUpdateAzureDevOpsPullRequest(client, apiUrl, location, spec);
  }

  return { openOrUpdate };
}
