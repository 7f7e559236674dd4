import { z } from 'zod';
import { GitHostRefusedError, GitHostUnavailableError } from './git-errors';
import { type ApiClient, callApi, truncate, unexpectedAnswer } from './api-request';
import type { PullRequestResult } from '../../domain/ports';
import type { PullRequestSpec } from './pull-requests';

const pullSchema = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  body: z.string().nullable(),
});

/** GitHub's pull request body limit, in characters. */
const MAX_BODY = 65_536;

/**
 * Opens a pull request, or updates the open one from the same branch: `POST /repos/{owner}/{repo}/pulls`;
 * on 422 "A pull request already exists" → `GET …/pulls?head={owner}:{branch}&state=open` and
 * `PATCH …/pulls/{number}` when the title or body differ.
 * @see https://docs.github.com/rest/pulls/pulls#create-a-pull-request
 */
export async function openOrUpdateGitHubPullRequest(
  client: ApiClient,
  apiUrl: string,
  repo: { owner: string; repo: string },
  spec: PullRequestSpec,
): Promise<PullRequestResult> {
  const pulls = `${apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/pulls`;
  const body = truncate(spec.body, MAX_BODY);
  const created = await callApi(client, 'POST', pulls, {
    body: { title: spec.title, head: spec.sourceBranch, base: spec.targetBranch, body },
    accept: [201, 422],
  });
  if (created.status === 201) return result(client, 'POST', pulls, created, true);
  if (!alreadyExists(created.body)) throw refused422(created.body);

  const query = new URLSearchParams({ head: `${repo.owner}:${spec.sourceBranch}`, state: 'open' });
  const listed = await callApi(client, 'GET', `${pulls}?${query}`, { accept: [200] });
  const open = z.array(pullSchema).safeParse(listed.body);
  if (!open.success) throw unexpectedAnswer(client, 'GET', pulls, listed.status);
  const existing = open.data[0];
  if (!existing) {
    // Closed between our POST and GET: the next delivery will open a fresh one.
    throw new GitHostUnavailableError(
      `GitHub said a pull request from ${spec.sourceBranch} already exists but lists none open; it will be retried`,
    );
  }
  if (existing.title === spec.title && (existing.body ?? '') === body) {
    return { provider: 'github', url: existing.html_url, number: existing.number, created: false };
  }
  const patchUrl = `${pulls}/${existing.number}`;
  const patched = await callApi(client, 'PATCH', patchUrl, {
    body: { title: spec.title, body },
    accept: [200],
  });
  return result(client, 'PATCH', patchUrl, patched, false);
}

function result(
  client: ApiClient,
  method: string,
  url: string,
  response: Awaited<ReturnType<typeof callApi>>,
  created: boolean,
): PullRequestResult {
  const pull = pullSchema.safeParse(response.body);
  if (!pull.success) throw unexpectedAnswer(client, method, url, response.status);
  return { provider: 'github', url: pull.data.html_url, number: pull.data.number, created };
}

/** A 422 other than "already exists": GitHub's own reasons, e.g. "No commits between main and …". */
function refused422(body: unknown): GitHostRefusedError {
  const { message, errors } = (body ?? {}) as { message?: unknown; errors?: unknown };
  const reasons = [
    ...(typeof message === 'string' ? [message] : []),
    ...(Array.isArray(errors)
      ? errors.map((error) => String((error as { message?: unknown } | null)?.message ?? '')).filter(Boolean)
      : []),
  ];
  return new GitHostRefusedError(
    `GitHub refused the pull request (422)${reasons.length ? `: ${reasons.join(': ')}` : ''}`,
    { status: 422 },
  );
}

function alreadyExists(body: unknown): boolean {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return (
    Array.isArray(errors) &&
    errors.some((error) =>
      /already exists/i.test(String((error as { message?: unknown } | null)?.message ?? '')),
    )
  );
}
