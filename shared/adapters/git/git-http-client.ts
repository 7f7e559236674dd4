import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import type { HttpMethod, OutboundClient } from '../http/outbound-client';

/**
 * isomorphic-git's HTTP client over the app's outbound client, so git smart HTTP gets the same policy
 * as every other call: https only, the host allow-list, no redirect to another host, a timeout per
 * request (isomorphic-git's clone and fetch take none of their own) and secrets kept out of errors.
 */
export function gitHttpClient(client: OutboundClient, timeoutMs: number): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      const body = request.body ? await collect(request.body) : undefined;
      const response = await client.stream({
        method: (request.method ?? 'GET').toUpperCase() as HttpMethod,
        url: request.url,
        service: 'git',
        headers: request.headers ?? {},
        ...(body === undefined ? {} : { body }),
        ...(request.signal ? { signal: request.signal } : {}),
        timeoutMs,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      return {
        url: response.url,
        method: request.method,
        statusCode: response.status,
        statusMessage: response.statusText,
        body: response.body,
        headers,
      };
    },
  };
}

async function collect(body: AsyncIterableIterator<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The Basic `Authorization` header git hosts expect for a token (GitHub, Azure Repos, GitLab, Gitea). */
export function basicAuthHeader(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}
