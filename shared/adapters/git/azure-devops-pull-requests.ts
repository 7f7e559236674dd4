import { z } from 'zod';
import { GitHostRefusedError, GitHostUnavailableError } from './git-errors';
import { type ApiClient, type ApiResponse, callApi, truncate, unexpectedAnswer } from './api-request';
import type { PullRequestResult } from '../../domain/ports';
import type { PullRequestSpec } from './pull-requests';

const pullSchema = z.object({
  pullRequestId: z.number().int(),
  title: z.string(),
  description: z.string().optional(),
  repository: z.object({ webUrl: z.string().optional() }).optional(),
});

/** Azure DevOps refuses descriptions longer than this. */
const MAX_DESCRIPTION = 4_000;
const API_VERSION = '7.1';

/**
 * Opens a pull request, or updates the active one between the same branches:
 * `POST …/_apis/git/repositories/{repo}/pullrequests`; on 409 (TF401179, an active PR exists) →
 * `GET …/pullrequests?searchCriteria.sourceRefName=…&searchCriteria.status=active` and
 * `PATCH …/pullrequests/{id}` when the title or description differ.
 * @see https://learn.microsoft.com/rest/api/azure/devops/git/pull-requests/create?view=azure-devops-rest-7.1
 */
export async function openOrUpdateAzureDevOpsPullRequest(
  client: ApiClient,
  apiUrl: string,
  repo: { organization: string; project: string; repository: string; webUrl: string },
  spec: PullRequestSpec,
): Promise<PullRequestResult> {
  const pulls =
    `${apiUrl.replace(/\/+$/, '')}/${encodeURIComponent(repo.organization)}/${encodeURIComponent(repo.project)}` +
    `/_apis/git/repositories/${encodeURIComponent(repo.repository)}/pullrequests`;
  const sourceRefName = `refs/heads/${spec.sourceBranch}`;
  const targetRefName = `refs/heads/${spec.targetBranch}`;
  const description = truncate(spec.body, MAX_DESCRIPTION);
  const toResult = (response: ApiResponse, method: string, url: string, created: boolean) => {
    const pull = pullSchema.safeParse(response.body);
    if (!pull.success) throw unexpectedAnswer(client, method, url, response.status);
    return result(pull.data, repo.webUrl, created);
  };

  const createUrl = `${pulls}?api-version=${API_VERSION}`;
  const created = await callApi(client, 'POST', createUrl, {
    body: { sourceRefName, targetRefName, title: spec.title, description },
    accept: [200, 201, 409],
  });
  if (created.status !== 409) return toResult(created, 'POST', createUrl, true);
  if (!alreadyExists(created.body)) {
    const { message } = (created.body ?? {}) as { message?: unknown };
    throw new GitHostRefusedError(
      `Azure DevOps refused the pull request (409)${typeof message === 'string' ? `: ${message}` : ''}`,
      { status: 409 },
    );
  }

  const query = new URLSearchParams({
    'searchCriteria.sourceRefName': sourceRefName,
    'searchCriteria.targetRefName': targetRefName,
    'searchCriteria.status': 'active',
    'api-version': API_VERSION,
  });
  const listUrl = `${pulls}?${query}`;
  const listed = await callApi(client, 'GET', listUrl, { accept: [200] });
  const active = z.object({ value: z.array(pullSchema) }).safeParse(listed.body);
  if (!active.success) throw unexpectedAnswer(client, 'GET', listUrl, listed.status);
  const existing = active.data.value[0];
  if (!existing) {
    throw new GitHostUnavailableError(
      `Azure DevOps said an active pull request from ${spec.sourceBranch} exists but lists none; it will be retried`,
    );
  }
  if (existing.title === spec.title && (existing.description ?? '') === description) {
    return result(existing, repo.webUrl, false);
  }
  const patchUrl = `${pulls}/${existing.pullRequestId}?api-version=${API_VERSION}`;
  const patched = await callApi(client, 'PATCH', patchUrl, {
    body: { title: spec.title, description },
    accept: [200],
  });
  return toResult(patched, 'PATCH', patchUrl, false);
}

function result(pull: z.infer<typeof pullSchema>, webUrl: string, created: boolean): PullRequestResult {
  const repoUrl = pull.repository?.webUrl ?? webUrl;
  return {
    provider: 'azure-devops',
    url: `${repoUrl}/pullrequest/${pull.pullRequestId}`,
    number: pull.pullRequestId,
    created,
  };
}

function alreadyExists(body: unknown): boolean {
  const { message, typeKey } = (body ?? {}) as { message?: unknown; typeKey?: unknown };
  return typeKey === 'GitPullRequestExistsException' || /TF401179/.test(String(message ?? ''));
}
