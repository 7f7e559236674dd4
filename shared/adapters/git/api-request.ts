import { DomainError, retryAfterOf } from '../../domain/errors';
import type { HttpMethod, OutboundClient } from '../http/outbound-client';
import { GitHostRefusedError, GitHostUnavailableError } from './git-errors';

/** Shared by every call to one pull-request API. */
export interface ApiClient {
  service: 'GitHub' | 'Azure DevOps';
  http: OutboundClient;
  timeoutMs: number;
  headers: Record<string, string>;
  /** Values to keep out of messages besides the Authorization header. */
  secrets: readonly string[];
  /** `the token in app setting GITOPS_TOKEN`, or a neutral phrase. */
  token: string;
  /** Which permission to grant for pull requests, e.g. `GitHub: pull_requests:write`. */
  scope: string;
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body, or undefined when the answer was not JSON. */
  body: unknown;
}

/**
 * Sends one JSON request through the outbound client. Resolves with an `accept`ed status; anything else
 * becomes a `GitHostRefusedError` (fix the token, its scope or the URL; the API's message included) or
 * a retryable `GitHostUnavailableError` (429/5xx/timeouts, with `retryAfterMs` when the host said).
 */
export async function callApi(
  client: ApiClient,
  method: HttpMethod,
  url: string,
  options: { body?: unknown; accept?: readonly number[] } = {},
): Promise<ApiResponse> {
  try {
    const response = await client.http.request({
      method,
      url,
      service: client.service,
      headers: client.headers,
      ...(options.body === undefined ? {} : { json: options.body }),
      secrets: client.secrets,
      timeoutMs: client.timeoutMs,
      accept: options.accept ?? [200, 201],
      hint: (status) => hintFor(client, status),
    });
    return { status: response.status, body: response.json() };
  } catch (error) {
    throw asGitHostError(error);
  }
}

/** An accepted answer that is not what the API documents: refused, with what usually causes it. */
export function unexpectedAnswer(client: ApiClient, method: string, url: string, status: number): Error {
  return new GitHostRefusedError(
    `${client.service}: ${method} ${new URL(url).pathname} answered ${status} but not with the expected JSON` +
      ` (Azure DevOps answers a sign-in page when ${client.token} is not accepted)`,
    { status },
  );
}

function hintFor(client: ApiClient, status: number): string | undefined {
  switch (status) {
    case 401:
      return `${client.token} was rejected; check that it is valid and not expired`;
    case 403:
      return `${client.token} may not open pull requests (${client.scope})`;
    case 404:
      return `the repository was not found; check the url of this gitops repo and that ${client.token} can see it`;
    default:
      return undefined;
  }
}

function asGitHostError(error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const status = (error as { status?: unknown }).status;
  const retryAfterMs = retryAfterOf(error);
  const options = {
    ...(typeof status === 'number' ? { status } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: error,
  };
  if (error.retryable) return new GitHostUnavailableError(error.message, options);
  if (error.code === 'config') return error;
  return new GitHostRefusedError(error.message, options);
}

/** Cuts `text` to at most `max` characters, marking the cut, so a long changelog cannot fail the call. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
