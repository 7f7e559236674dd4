import type { TokenCredential } from '@azure/identity';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { route, type Reply } from './fake-acr-routes';
import type { FakeAcrSeed } from './fake-acr-seed';
import { seedRepositories, type ManifestRecord, type RepositoryRecord } from './fake-acr-state';
import { createTestCertificate } from './test-certificate';

export * from './fake-acr-seed';

/**
 * A small ACR-shaped HTTPS server on 127.0.0.1 that the real `@azure/container-registry` SDK talks to:
 * the 401 challenge (`Bearer realm,service,scope`), `POST /oauth2/exchange` (AAD token → refresh
 * token, a JWT with `exp`), `POST /oauth2/token` (refresh token → access token for the scope; a token
 * lacking the scope a later request needs gets `error="insufficient_scope"`), `/acr/v1` catalog, tags
 * and manifests with `n`/`last`/`orderby` and `Link` paging, locks (`changeableAttributes`, PATCH),
 * deletes (tag: `/acr/v1/{repo}/_tags/{tag}`; manifest: `DELETE /v2/{repo}/manifests/{digest}`, which
 * takes its tags and referrers with it; locked → 405), `/v2/{repo}/manifests/{ref}` content and the
 * referrers API. It records every request and fails on request (429 with Retry-After, 5xx).
 *
 * TLS: a fresh self-signed certificate per server; trust it per client with
 * `new ContainerRegistryClient(endpoint, credential, fake.clientOptions)` (`tlsOptions: { ca }`).
 */

export const FAKE_AAD_TOKEN = 'fake-aad-access-token-for-tests';

export interface RecordedAcrRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Decoded path, e.g. `/acr/v1/team-a/app/_tags`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether it carried an access token good for its scope. */
  authorized: boolean;
  status: number;
}

export interface FakeFailure {
  status: number;
  /** Seconds (sent as `Retry-After`). */
  retryAfter?: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface FailureMatch {
  method?: string;
  /** Decoded path (exact string, or a pattern). Default: every path except `/oauth2/*`. */
  path?: string | RegExp;
}

export interface FakeAcrServerOptions {
  seed?: FakeAcrSeed;
  /** The AAD token `/oauth2/exchange` accepts (default FAKE_AAD_TOKEN; the test credential sends it). */
  aadToken?: string;
  /** Page size of the referrers API (default 100), to exercise its `Link` paging. */
  referrersPageSize?: number;
}

export interface FakeAcrServer {
  /** `https://127.0.0.1:<port>`: the SDK endpoint. */
  endpoint: string;
  /** `127.0.0.1:<port>`: the `registry` in responses and the token `service`. */
  loginServer: string;
  /** The self-signed certificate (PEM) to trust. */
  ca: string;
  /** `{ tlsOptions: { ca } }` for `ContainerRegistryClient` options (trusts this server only). */
  clientOptions: { tlsOptions: { ca: string } };
  /** A TokenCredential returning the fake AAD token the server accepts. */
  credential: TokenCredential;
  requests: RecordedAcrRequest[];
  /** The next `count` requests that match get `reply` instead of being served. */
  failNext(count: number, reply: FakeFailure, match?: FailureMatch): void;
  /** Every request to `path` (decoded) gets `reply`, `count` times (default: until clearFailures). */
  failPath(path: string | RegExp, reply: FakeFailure, count?: number): void;
  clearFailures(): void;
  /** Adds to the registry (same digest or tag: replaced). */
  seed(seed: FakeAcrSeed): void;
  /** Empties the registry, the request log and the failure rules, then seeds `seed`. */
  reset(seed?: FakeAcrSeed): void;
  /** Forget issued access and refresh tokens (the SDK must go through the challenge again). */
  revokeTokens(): void;
  repositoryNames(): string[];
  /** Sorted tag names of a repository ([] when it is gone). */
  tags(repository: string): string[];
  /** Sorted manifest digests of a repository ([] when it is gone). */
  manifests(repository: string): string[];
  manifest(repository: string, digest: string): ManifestRecord | undefined;
  repository(repository: string): RepositoryRecord | undefined;
  close(): Promise<void>;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startFakeAcrServer(options: FakeAcrServerOptions = {}): Promise<FakeAcrServer> {
  const certificate = await createTestCertificate('fake ACR server (test only)');
  const aadToken = options.aadToken ?? FAKE_AAD_TOKEN;
  const repositories = new Map<string, RepositoryRecord>();
  if (options.seed) seedRepositories(repositories, options.seed);
  const requests: RecordedAcrRequest[] = [];
  const failures: { match: FailureMatch; reply: FakeFailure; remaining: number }[] = [];
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, Set<string>>();
  let loginServer = '';

  const mintJwt = (claims: Record<string, unknown>) =>
    `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
      jti: randomUUID(),
      iss: 'fake-acr',
      aud: loginServer,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    })}.`;

  function takeFailure(method: string, path: string): FakeFailure | undefined {
    const index = failures.findIndex(({ match }) => {
      if (match.method && match.method !== method) return false;
      if (match.path === undefined) return !path.startsWith('/oauth2/');
      return typeof match.path === 'string' ? match.path === path : match.path.test(path);
    });
    const rule = failures[index];
    if (!rule) return undefined;
    if (--rule.remaining <= 0) failures.splice(index, 1);
    return rule.reply;
  }

  function oauth(path: string, form: URLSearchParams): Reply {
    if (path === '/oauth2/exchange') {
      if (form.get('grant_type') !== 'access_token' || form.get('access_token') !== aadToken) {
        return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'invalid AAD token' }] } };
      }
      const refreshToken = mintJwt({ grant_type: 'refresh_token', service: form.get('service') });
      refreshTokens.add(refreshToken);
      return { status: 200, body: { refresh_token: refreshToken } };
    }
    const refreshToken = form.get('refresh_token') ?? '';
    if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.has(refreshToken)) {
      return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] } };
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const accessToken = mintJwt({ access: scopes });
    accessTokens.set(accessToken, new Set(scopes.flatMap(expandScope)));
    return { status: 200, body: { access_token: accessToken } };
  }

  function isAuthorized(authorization: string | undefined, scope: string): boolean {
    const granted = accessTokens.get(/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '');
    const [type, name] = splitScope(scope);
    return !!granted && (granted.has(scope) || granted.has(`${type}:${name}:*`));
  }

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = request.method ?? 'GET';
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      const body = Buffer.concat(chunks).toString('utf8');
      const record: RecordedAcrRequest = {
        method,
        url: request.url ?? '',
        path,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        body,
        authorized: false,
        status: 0,
      };
      requests.push(record);
      const reply = serve(method, path, url.searchParams, body, request.headers.authorization, record);
      record.status = reply.status;
      const text =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      response.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'docker-distribution-api-version': 'registry/2.0',
        'content-length': String(Buffer.byteLength(text)),
        ...reply.headers,
      });
      response.end(method === 'HEAD' ? undefined : text);
    });
  });

  function serve(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
    authorization: string | undefined,
    record: RecordedAcrRequest,
  ): Reply {
    const failure = takeFailure(method, path);
    if (failure) {
      return {
        status: failure.status,
        headers: {
          ...(failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) }),
          ...failure.headers,
        },
        body: failure.body ?? {
          errors: [{ code: 'TOOMANYREQUESTS', message: `injected ${failure.status}` }],
        },
      };
    }
    if (path === '/v2/' || path === '/v2') return { status: 200, body: {} };
    if ((path === '/oauth2/exchange' || path === '/oauth2/token') && method === 'POST') {
      return oauth(path, new URLSearchParams(body));
    }
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      return { status: 400, body: { errors: [{ code: 'BAD_REQUEST', message: 'body is not JSON' }] } };
    }
    const found = route(method, path, query, parsed, {
      loginServer,
      repositories,
      referrersPageSize: options.referrersPageSize ?? 100,
    });
    if (!found)
      return { status: 404, body: { errors: [{ code: 'NOT_FOUND', message: `no route ${path}` }] } };
    record.authorized = isAuthorized(authorization, found.scope);
    if (!record.authorized) {
      const insufficient = authorization ? ',error="insufficient_scope"' : '';
      const [type, name, action] = splitScope(found.scope);
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="https://${loginServer}/oauth2/token",service="${loginServer}",scope="${found.scope}"${insufficient}`,
        },
        body: {
          errors: [
            {
              code: 'UNAUTHORIZED',
              message:
                'authentication required, visit https://aka.ms/acr/authorization for more information.',
              detail: [{ Type: type, Name: name, Action: action }],
            },
          ],
        },
      };
    }
    return found.handle();
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  loginServer = `127.0.0.1:${port}`;

  return {
    endpoint: `https://${loginServer}`,
    loginServer,
    ca: certificate.cert,
    clientOptions: { tlsOptions: { ca: certificate.cert } },
    credential: {
      getToken: async () => ({ token: aadToken, expiresOnTimestamp: Date.now() + 3600_000 }),
    },
    requests,
    failNext: (count, reply, match = {}) => void failures.push({ match, reply, remaining: count }),
    failPath: (path, reply, count = Infinity) =>
      void failures.push({ match: { path }, reply, remaining: count }),
    clearFailures: () => void failures.splice(0),
    seed: (seed) => seedRepositories(repositories, seed),
    reset(seed) {
      repositories.clear();
      requests.length = 0;
      failures.splice(0);
      if (seed) seedRepositories(repositories, seed);
    },
    revokeTokens() {
      refreshTokens.clear();
      accessTokens.clear();
    },
    repositoryNames: () => [...repositories.keys()].sort(),
    tags: (name) => [...(repositories.get(name)?.tags.keys() ?? [])].sort(),
    manifests: (name) => [...(repositories.get(name)?.manifests.keys() ?? [])].sort(),
    manifest: (name, digest) => repositories.get(name)?.manifests.get(digest),
    repository: (name) => repositories.get(name),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `repository:team/app:pull,delete` → [type, name, actions]. */
function splitScope(scope: string): [string, string, string] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1)];
}

function expandScope(scope: string): string[] {
  const [type, name, actions] = splitScope(scope);
  return actions.split(',').map((action) => `${type}:${name}:${action}`);
}
