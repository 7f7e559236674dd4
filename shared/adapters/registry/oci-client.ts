import { ConfigError, RefusedError } from '../../domain/errors';
import type { HttpMethod, OutboundClient, OutboundResponse } from '../http/outbound-client';

/** How the registry is authenticated: anonymous, Basic, or a fixed bearer token (all from app settings). */
export type OciAuth =
  | { kind: 'anonymous' }
  | { kind: 'basic'; username: string; password: string; settings: string }
  | { kind: 'token'; token: string; setting: string };

export interface OciRequest {
  method: HttpMethod;
  /** `/v2/…` (with query), or an absolute URL from a `Link` header. */
  path: string;
  /** The token scope the call needs, e.g. `repository:team/app:pull` (cached tokens are per scope). */
  scope: string;
  headers?: Record<string, string>;
  /** Statuses handed back instead of thrown; default 2xx. */
  accept?: readonly number[];
  maxBodyBytes?: number;
  hint?: (status: number) => string | undefined;
}

export interface OciClient {
  /** `registry "lab" (http://127.0.0.1:5000)`, for messages. */
  readonly service: string;
  readonly baseUrl: string;
  send(request: OciRequest): Promise<OutboundResponse>;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/**
 * The distribution API over the outbound HTTP client (https only, the host allow-list, Retry-After,
 * redaction), with the registry's auth: Basic credentials, a fixed bearer token (`tokenFrom`), or the
 * Docker token flow: a 401 `WWW-Authenticate: Bearer realm,service,scope` challenge answered with a
 * token from the realm (with the Basic credentials when configured, anonymous otherwise), cached per
 * scope until it expires and fetched once per scope at a time (concurrent requests share the fetch, and
 * a request refused while another just got a fresh token reuses it). Once the registry has asked for
 * Basic credentials they go with every later request up front. The token realm's host must be allowed
 * like any other (a loopback realm in development, else the registry's own host or
 * `outbound.allowedHosts`).
 */
export function createOciClient(options: {
  name: string;
  url: string;
  http: OutboundClient;
  auth: OciAuth;
  clock?: () => number;
}): OciClient {
  const baseUrl = options.url.replace(/\/+$/, '');
  const service = `registry "${options.name}" (${baseUrl})`;
  const { http, auth } = options;
  const clock = options.clock ?? Date.now;
  const tokens = new Map<string, CachedToken>();
  /** Token fetches in progress, per scope: later requests for the scope wait for the same one. */
  const fetching = new Map<string, Promise<string>>();
  /** Set once the registry answered with a Basic challenge: the header then goes up front. */
  let basicChallenged = false;
  const secrets = auth.kind === 'basic' ? [auth.password] : auth.kind === 'token' ? [auth.token] : [];
  const basicHeader =
    auth.kind === 'basic'
      ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
      : undefined;

  const cachedToken = (scope: string): string | undefined => {
    const cached = tokens.get(scope);
    return cached && cached.expiresAt > clock() ? cached.header : undefined;
  };

  /** A request's first header: the fixed token, the scope's token (after a fetch in progress), or Basic. */
  const authorizationFor = async (scope: string): Promise<string | undefined> => {
    if (auth.kind === 'token') return `Bearer ${auth.token}`;
    // A failed fetch is the fetching request's error; this one then meets the challenge itself.
    await fetching.get(scope)?.catch(() => undefined);
    return cachedToken(scope) ?? (basicChallenged ? basicHeader : undefined);
  };

  async function send(request: OciRequest): Promise<OutboundResponse> {
    const url = request.path.startsWith('/') ? `${baseUrl}${request.path}` : request.path;
    const accepted = new Set(request.accept ?? []);
    const isAccepted = (status: number) => (status >= 200 && status < 300) || accepted.has(status);
    const attempt = (authorization: string | undefined) =>
      http.request({
        method: request.method,
        url,
        service,
        headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
        secrets: [...secrets, ...tokenSecrets()],
        accept: (status) => isAccepted(status) || status === 401,
        ...(request.maxBodyBytes === undefined ? {} : { maxBodyBytes: request.maxBodyBytes }),
        ...(request.hint ? { hint: request.hint } : {}),
      });
    const sent = await authorizationFor(request.scope);
    const first = await attempt(sent);
    if (first.status !== 401 || accepted.has(401)) return first;
    const challenge = first.headers.get('www-authenticate') ?? '';
    const header = await answerChallenge(challenge, request.scope, sent);
    const second = await attempt(header);
    if (second.status === 401) {
      throw new RefusedError(
        `${service}: ${request.method} ${request.path} was refused (401) with the configured credentials; ${credentialHint()}`,
        { status: 401 },
      );
    }
    return second;
  }

  /** The header to retry with after a 401 whose request went out with `sent`. */
  async function answerChallenge(
    challenge: string,
    scope: string,
    sent: string | undefined,
  ): Promise<string> {
    if (/^basic\b/i.test(challenge)) {
      if (!basicHeader) {
        throw new ConfigError(
          `${service} asks for a user name and password; set usernameFrom and passwordFrom on retention.registries "${options.name}"`,
        );
      }
      basicChallenged = true;
      return basicHeader;
    }
    if (!/^bearer\b/i.test(challenge)) {
      throw new RefusedError(`${service} answered 401 without a usable challenge; ${credentialHint()}`, {
        status: 401,
      });
    }
    if (auth.kind === 'token') {
      throw new ConfigError(
        `${service} refused the bearer token in app setting ${auth.setting}; check that it is valid and can pull and delete`,
      );
    }
    // Another request got a fresh token for the scope while this one was out: use it.
    const fresh = cachedToken(scope);
    if (fresh !== undefined && fresh !== sent) return fresh;
    let pending = fetching.get(scope);
    if (!pending) {
      pending = fetchToken(challenge, scope).finally(() => fetching.delete(scope));
      fetching.set(scope, pending);
    }
    return pending;
  }

  /** A token for `scope` from the challenge's realm, cached until it expires; its `Bearer …` header. */
  async function fetchToken(challenge: string, scope: string): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [
        match[1]?.toLowerCase() ?? '',
        match[2] ?? '',
      ]),
    );
    if (!params.realm) throw new RefusedError(`${service} sent a bearer challenge without a realm`);
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.append('scope', params.scope || scope);
    const answer = await http.request({
      method: 'GET',
      url: realm.toString(),
      service: `token service of ${service}`,
      headers: basicHeader ? { authorization: basicHeader } : {},
      secrets,
      hint: (status) => (status === 401 || status === 403 ? credentialHint() : undefined),
    });
    const body = answer.json() as
      { token?: unknown; access_token?: unknown; expires_in?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token : body?.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new RefusedError(`token service of ${service} answered without a token`);
    }
    const lifetime = typeof body?.expires_in === 'number' ? body.expires_in : 60;
    const header = `Bearer ${token}`;
    tokens.set(scope, { header, expiresAt: clock() + Math.max(10, lifetime - 10) * 1000 });
    return header;
  }

  function tokenSecrets(): string[] {
    return [...tokens.values()].map((token) => token.header.slice('Bearer '.length));
  }

  function credentialHint(): string {
    if (auth.kind === 'basic') return `check the user name and password in app settings ${auth.settings}`;
    if (auth.kind === 'token') return `check the token in app setting ${auth.setting}`;
    return `the registry needs credentials: set usernameFrom/passwordFrom or tokenFrom on retention.registries "${options.name}"`;
  }

  return { service, baseUrl, send };
}
