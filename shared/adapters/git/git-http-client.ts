import { type HttpClient } from 'isomorphic-git';

/**
 * Wraps an isomorphic-git HTTP client so every request (headers and body) is aborted after `timeoutMs`.
 * isomorphic-git's clone and fetch take no signal of their own, and a host that stops answering must not
 * hold a queue invocation until the Functions host kills it.
 */
export function withRequestTimeout(http: HttpClient, timeoutMs: number): HttpClient {
  return {
    request: (request) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      return http.request({ ...request, signal });
    },
  };
}

/** The Basic `Authorization` header git hosts expect for a token (GitHub, Azure Repos, GitLab, Gitea). */
export function basicAuthHeader(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}
