import {
  GitHostRefusedError,
  GitHostUnavailableError,
  describeTransportError,
  parseRetryAfter,
  scrubSecrets,
} from './git-errors';

/** Shared by every call to one pull-request API. */
export interface ApiClient {
  service: 'GitHub' | 'Azure DevOps';
  fetch: typeof fetch;
  timeoutMs: number;
  headers: Record<string, string>;
  /** Values to scrub from anything a server sends back. */
  secrets: readonly string[];
  /** `the token in app setting GITOPS_TOKEN`, or a neutral phrase. */
  token: string;
  /** Which permission to grant for pull requests, e.g. `GitHub: pull_requests:write`. */
  scope: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Sends one JSON request with a timeout. Resolves with any HTTP status; rejects only when the server could
 * not be reached or did not answer in time (a retryable GitHostUnavailableError).
 */
export async function callApi(
  client: ApiClient,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<ApiResponse> {
  let response: Response;
  let text: string;
  try {
    response = await client.fetch(url, {
      method,
      headers: { ...client.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(client.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new GitHostUnavailableError(
      `${client.service} ${method} ${new URL(url).pathname} failed: ${scrubSecrets(describeTransportError(error), client.secrets)}; it will be retried`,
      { cause: error },
    );
  }
  let parsed: unknown = undefined;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/**
 * Maps an unexpected answer to an error: 429, 5xx and rate-limit 403s are retryable (with `retryAfterMs`
 * when the server said when); 401/403/404 and other 4xx say what to fix.
 */
export function apiError(client: ApiClient, method: string, url: string, response: ApiResponse): Error {
  const { status, headers } = response;
  const what = `${client.service} ${method} ${new URL(url).pathname}`;
  const detail = serverMessage(response.body, client.secrets);
  const retryAfterMs = retryAfter(headers);
  const rateLimited =
    status === 403 && (retryAfterMs !== undefined || headers.get('x-ratelimit-remaining') === '0');
  if (status === 429 || status >= 500 || rateLimited) {
    const wait = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return new GitHostUnavailableError(`${what} answered ${status}${detail ? ` (${detail})` : ''}${wait}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const fix =
    status === 401
      ? `${client.token} was rejected; check that it is valid and not expired`
      : status === 403
        ? `${client.token} may not open pull requests (${client.scope})`
        : status === 404
          ? `the repository was not found; check the url of this gitops repo and that ${client.token} can see it`
          : status === 203 || (status >= 200 && status < 300)
            ? `the answer was not the expected JSON (Azure DevOps answers a sign-in page when ${client.token} is not accepted)`
            : 'the request was refused';
  return new GitHostRefusedError(`${what} answered ${status}: ${fix}${detail ? ` (${detail})` : ''}`, {
    status,
  });
}

function retryAfter(headers: Headers): number | undefined {
  const header = parseRetryAfter(headers.get('retry-after'));
  if (header !== undefined) return header;
  // GitHub's primary rate limit says when the window resets instead.
  const reset = headers.get('x-ratelimit-reset');
  if (headers.get('x-ratelimit-remaining') === '0' && reset && /^\d+$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - Date.now());
  }
  return undefined;
}

/** The server's own explanation (GitHub `message` + `errors[].message`, ADO `message`), shortened. */
function serverMessage(body: unknown, secrets: readonly string[]): string {
  let text = '';
  if (typeof body === 'object' && body !== null) {
    const { message, errors } = body as { message?: unknown; errors?: unknown };
    const parts = typeof message === 'string' ? [message] : [];
    if (Array.isArray(errors)) {
      for (const error of errors) {
        const inner = (error as { message?: unknown } | null)?.message;
        if (typeof inner === 'string') parts.push(inner);
      }
    }
    text = parts.join(': ');
  }
  text = scrubSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** Cuts `text` to at most `max` characters, marking the cut, so a long changelog cannot fail the call. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
