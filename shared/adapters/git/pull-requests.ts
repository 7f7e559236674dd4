import type { PullRequestInput, PullRequestOpener, PullRequestResult } from '../../domain/ports';
import type { OutboundClient } from '../http/outbound-client';
import { type ApiClient } from './api-request';
import { openOrUpdateAzureDevOpsPullRequest } from './azure-devops-pull-requests';
import { openOrUpdateGitHubPullRequest } from './github-pull-requests';
import { parseRepoUrl } from './parse-repo-url';

export { parseRepoUrl, type RepoLocation } from './parse-repo-url';

/** The pull request to open, without where and as whom (those come from `PullRequestInput`). */
export type PullRequestSpec = Pick<PullRequestInput, 'sourceBranch' | 'targetBranch' | 'title' | 'body'>;

export interface PullRequestDeps {
  http: OutboundClient;
  /** Default `https://api.github.com` for github.com, `https://{host}/api/v3` for GitHub Enterprise Server. */
  githubApiUrl?: string;
  /** Default `https://dev.azure.com` (also for *.visualstudio.com URLs). */
  azureDevOpsApiUrl?: string;
  /** Per request. Default 15 s. */
  timeoutMs?: number;
}

/**
 * Creates the pull-request adapter for the GitHub and Azure DevOps REST APIs. It rejects with a
 * `GitHostUnavailableError` (429/5xx/timeouts; `retryAfterMs` when the host said) or a
 * `GitHostRefusedError` (401/403/404/other 4xx; the message says what to fix).
 */
export function createPullRequests(deps: PullRequestDeps): PullRequestOpener {
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
        http: deps.http,
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
      http: deps.http,
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
