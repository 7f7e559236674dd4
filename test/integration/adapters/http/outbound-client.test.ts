import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  OutboundClientOptions,
  OutboundRequest,
} from '../../../../shared/adapters/http/outbound-client';
import { ConfigError, RefusedError, retryAfterOf, UpstreamError } from '../../../../shared/domain/errors';
import { closedPort } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';
import {
  startScriptedHttpServer,
  type ScriptedHttpServer,
  type ScriptedRequest,
} from '../../../helpers/scripted-http-server';

const now = new Date('2025-11-24T09:41:00.000Z');
const service = 'Example API';

let server: ScriptedHttpServer;
/** In-process waits the client asked for (recorded, not slept). */
let waits: number[];
/** Every line the client logged. */
let lines: string[];

beforeEach(async () => {
  server = await startScriptedHttpServer();
  waits = [];
  lines = [];
});
afterEach(async () => {
  await server.close();
});

/** The client under test: loopback allowed, fixed clock and jitter, waits and log lines recorded. */
function client(overrides: Partial<OutboundClientOptions> = {}) {
  return testHttpClient({
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    clock: () => now,
    log: { warn: (line) => lines.push(line) },
    ...overrides,
  });
}

const urlOf = (path = '/api/thing') => `${server.origin}${path}`;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

describe('Retry-After on 429', () => {
  it.each([
    { case: 'in seconds, short: waited in process', header: () => '1', maxWait: undefined, wait: 1_000 },
    {
      case: 'as an HTTP date, short: waited in process',
      header: () => new Date(now.getTime() + 2_000).toUTCString(),
      maxWait: undefined,
      wait: 2_000,
    },
    {
      case: 'in seconds, within a raised maxInProcessWaitMs',
      header: () => '9',
      maxWait: 10_000,
      wait: 9_000,
    },
  ])('$case', async ({ header, maxWait, wait }) => {
    server.reply({ status: 429, headers: { 'retry-after': header() }, body: 'slow down' });

    const response = await client(maxWait === undefined ? {} : { maxInProcessWaitMs: maxWait }).request({
      method: 'GET',
      url: urlOf(),
      service,
    });

    expect(response).toMatchObject({ status: 200, text: 'ok', attempts: 2 });
    expect(waits).toEqual([wait]);
    expect(server.requests).toHaveLength(2);
    expect(lines).toEqual([
      `${service}: GET ${urlOf()} answered 429; retrying in ${wait} ms (attempt 1 of 2)`,
    ]);
  });

  it.each([
    { case: 'in seconds', header: () => '3', retryAfterMs: 3_000, said: 3 },
    {
      case: 'as an HTTP date',
      header: () => new Date(now.getTime() + 120_000).toUTCString(),
      retryAfterMs: 120_000,
      said: 120,
    },
  ])(
    'leaves a wait longer than maxInProcessWaitMs, $case, to the caller',
    async ({ header, retryAfterMs, said }) => {
      server.reply({ status: 429, headers: { 'retry-after': header() }, body: 'slow down' });

      const error = await failure(client().request({ method: 'GET', url: urlOf(), service }));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs });
      expect(error.message).toBe(
        `${service}: GET ${urlOf()} answered 429: slow down; asked to retry after ${said} s`,
      );
      expect(server.requests).toHaveLength(1);
      expect(waits).toEqual([]);
    },
  );
});

describe('retries and classification', () => {
  it('retries 503s with growing backoff and counts the attempts', async () => {
    server.reply({ status: 503 }, { status: 503 });

    const response = await client({ attempts: 3 }).request({ method: 'GET', url: urlOf(), service });

    expect(response).toMatchObject({ status: 200, attempts: 3 });
    expect(server.requests).toHaveLength(3);
    // Full jitter at 0.5 of 250 ms, then of 500 ms.
    expect(waits).toEqual([125, 250]);
    expect(lines).toEqual([
      `${service}: GET ${urlOf()} answered 503; retrying in 125 ms (attempt 1 of 3)`,
      `${service}: GET ${urlOf()} answered 503; retrying in 250 ms (attempt 2 of 3)`,
    ]);
  });

  it.each([
    { method: 'GET', status: 500, idempotent: undefined, requests: 2 },
    { method: 'PUT', status: 502, idempotent: undefined, requests: 2 },
    { method: 'DELETE', status: 504, idempotent: undefined, requests: 2 },
    { method: 'POST', status: 500, idempotent: undefined, requests: 1 },
    { method: 'PATCH', status: 502, idempotent: undefined, requests: 1 },
    { method: 'POST', status: 408, idempotent: undefined, requests: 1 },
    { method: 'POST', status: 503, idempotent: undefined, requests: 2 },
    { method: 'POST', status: 429, idempotent: undefined, requests: 2 },
    { method: 'POST', status: 500, idempotent: true, requests: 2 },
    { method: 'GET', status: 500, idempotent: false, requests: 1 },
  ] as const)(
    '$method answered $status (idempotent: $idempotent) is sent $requests time(s), then left to the caller',
    async ({ method, status, idempotent, requests }) => {
      server.reply({ status, body: 'down' }, { status, body: 'still down' });

      const error = await failure(
        client().request({
          method,
          url: urlOf(),
          service,
          ...(method === 'GET' ? {} : { json: { n: 1 } }),
          ...(idempotent === undefined ? {} : { idempotent }),
        }),
      );

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ retryable: true, status, retryAfterMs: undefined });
      expect(error.message).toBe(
        `${service}: ${method} ${urlOf()} answered ${status}: ${requests === 2 ? 'still down' : 'down'}`,
      );
      expect(server.requests).toHaveLength(requests);
      expect(server.requests.map((request) => request.body)).toEqual(
        Array(requests).fill(method === 'GET' ? '' : '{"n":1}'),
      );
    },
  );

  it('repeats a POST whose connection was refused: it never left', async () => {
    const port = await closedPort();
    let late: ScriptedHttpServer | undefined;
    try {
      const response = await client({
        // The server comes up while the client waits before its second attempt.
        sleep: async (ms) => {
          waits.push(ms);
          late = await startScriptedHttpServer({ port });
        },
      }).request({ method: 'POST', url: `http://127.0.0.1:${port}/hooks`, service, json: { card: 1 } });

      expect(response).toMatchObject({ status: 200, attempts: 2 });
      expect(waits).toHaveLength(1);
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${service}: POST http://127\\.0\\.0\\.1:${port}/hooks could not be reached \\(fetch failed: .*ECONNREFUSED.*\\); retrying in \\d+ ms \\(attempt 1 of 2\\)$`,
          ),
        ),
      ]);
      expect(late?.requests.map((request) => [request.method, request.body])).toEqual([
        ['POST', '{"card":1}'],
      ]);
    } finally {
      await late?.close();
    }
  });

  it.each([
    { method: 'POST', requests: 1 },
    { method: 'GET', requests: 2 },
  ] as const)(
    'gives up on a $method that hangs past the timeout, fast ($requests request(s))',
    async ({ method, requests }) => {
      server.reply({ hang: true }, { hang: true });
      const started = performance.now();

      const error = await failure(client({ timeoutMs: 200 }).request({ method, url: urlOf(), service }));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ retryable: true, status: undefined });
      expect(error.message).toBe(`${service}: ${method} ${urlOf()} did not answer within 200 ms`);
      expect(performance.now() - started).toBeLessThan(200 * requests + 800);
      expect(server.requests).toHaveLength(requests);
    },
  );

  it('hands back an accepted answer whose body stalls as incomplete instead of sending again', async () => {
    server.reply({ status: 202, stallAfter: '{"partial":' });

    const response = await client({ timeoutMs: 200 }).request({
      method: 'POST',
      url: urlOf(),
      service,
      json: {},
    });

    expect(response).toMatchObject({ status: 202, text: '', incomplete: true, attempts: 1 });
    expect(response.json()).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    {
      shape: 'GitHub',
      status: 422,
      type: 'application/json',
      body: { message: 'Validation Failed', errors: [{ message: 'No commits between main and x' }] },
      api: 'Validation Failed: No commits between main and x',
    },
    {
      shape: 'Azure',
      status: 400,
      type: 'application/json',
      body: { error: { code: 'InvalidRequestContent', message: 'The request content is not valid' } },
      api: 'InvalidRequestContent: The request content is not valid',
    },
    {
      shape: 'OAuth',
      status: 400,
      type: 'application/json',
      body: { error: 'invalid_grant', error_description: 'AADSTS70000: the grant is invalid' },
      api: 'invalid_grant: AADSTS70000: the grant is invalid',
    },
    {
      shape: 'RFC 7807',
      status: 404,
      type: 'application/problem+json',
      body: { title: 'Not Found', detail: 'No such workflow' },
      api: 'Not Found: No such workflow',
    },
    {
      shape: 'HTML',
      status: 403,
      type: 'text/html',
      body: '<html><body><h1>Forbidden</h1></body></html>',
      api: 'Forbidden',
    },
  ])(
    'refuses a $status with a $shape error body: final, with the API message',
    async ({ status, type, body, api }) => {
      server.reply({ status, headers: { 'content-type': type }, body }, { status: 200 });

      const error = await failure(client().request({ method: 'GET', url: urlOf(), service }));

      expect(error).toBeInstanceOf(RefusedError);
      expect(error).toMatchObject({ retryable: false, status });
      expect(error.message).toBe(`${service}: GET ${urlOf()} answered ${status}: ${api}`);
      expect(server.requests).toHaveLength(1);
      expect(waits).toEqual([]);
    },
  );

  it('adds the caller hint for a refused status', async () => {
    server.reply({ status: 401, body: { message: 'Bad credentials' } });

    const error = await failure(
      client().request({
        method: 'GET',
        url: urlOf(),
        service,
        hint: (status) => (status === 401 ? 'the token in app setting GH_TOKEN was rejected' : undefined),
      }),
    );

    expect(error.message).toBe(
      `${service}: GET ${urlOf()} answered 401 (the token in app setting GH_TOKEN was rejected): Bad credentials`,
    );
  });

  it('hands back the statuses a caller accepts', async () => {
    server.reply({ status: 404, body: { message: 'Not Found' } });

    const response = await client().request({ method: 'GET', url: urlOf(), service, accept: [200, 404] });

    expect(response.status).toBe(404);
    expect(response.json()).toEqual({ message: 'Not Found' });
  });

  it.each([
    {
      case: 'no calls remaining with a reset time: retryable, waits until the reset',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now.getTime() / 1000 + 60) },
      kind: UpstreamError,
      retryAfterMs: 60_000,
    },
    {
      case: 'no calls remaining: retryable',
      headers: { 'x-ratelimit-remaining': '0' },
      kind: UpstreamError,
      retryAfterMs: undefined,
    },
    {
      case: 'a secondary rate limit with Retry-After: retryable',
      headers: { 'retry-after': '60' },
      kind: UpstreamError,
      retryAfterMs: 60_000,
    },
    {
      case: 'calls remaining: refused',
      headers: { 'x-ratelimit-remaining': '4999' },
      kind: RefusedError,
      retryAfterMs: undefined,
    },
  ])('classifies a 403 with $case', async ({ headers, kind, retryAfterMs }) => {
    server.reply({ status: 403, headers, body: { message: 'API rate limit exceeded' } });

    const error = await failure(client().request({ method: 'GET', url: urlOf(), service, attempts: 1 }));

    expect(error).toBeInstanceOf(kind);
    expect(error).toMatchObject({ status: 403, retryable: kind === UpstreamError });
    expect(retryAfterOf(error)).toBe(retryAfterMs);
    expect(error.message).toContain('answered 403: API rate limit exceeded');
  });
});

describe('redirects', () => {
  it.each([
    { method: 'GET', status: 302, next: 'GET', body: '' },
    { method: 'GET', status: 301, next: 'GET', body: '' },
    { method: 'POST', status: 307, next: 'POST', body: '{"n":1}' },
    { method: 'POST', status: 308, next: 'POST', body: '{"n":1}' },
    { method: 'POST', status: 303, next: 'GET', body: '' },
  ] as const)(
    'follows a $status on the same host after a $method (then $next)',
    async ({ method, status, next, body }) => {
      server.reply({ status, headers: { location: '/moved?page=2' }, body: '' });

      const response = await client().request({
        method,
        url: urlOf('/start'),
        service,
        headers: { authorization: 'Bearer same-host-token' },
        ...(method === 'POST' ? { json: { n: 1 } } : {}),
      });

      expect(response).toMatchObject({ status: 200, text: 'ok', url: urlOf('/moved?page=2') });
      expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        `${method} /start`,
        `${next} /moved?page=2`,
      ]);
      expect(server.requests[1]?.body).toBe(body);
      expect(server.requests[1]?.headers.authorization).toBe('Bearer same-host-token');
    },
  );

  it('refuses a 302 after a POST, which would drop the body', async () => {
    server.reply({ status: 302, headers: { location: '/moved' }, body: '' });

    const error = await failure(client().request({ method: 'POST', url: urlOf(), service, json: {} }));

    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toBe(
      `${service}: POST ${urlOf()} answered 302 to a POST, which would drop the request body; redirects are not followed`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a redirect to another host, which is never called, and hides the secrets in it', async () => {
    const other = await startScriptedHttpServer();
    try {
      server.reply({
        status: 302,
        headers: { location: `${other.origin}/collect?code=stolen-key-0001` },
        body: '',
      });

      const error = await failure(
        client().request({
          method: 'GET',
          url: urlOf(),
          service,
          headers: { authorization: 'Bearer never-to-another-host' },
        }),
      );

      expect(error).toBeInstanceOf(RefusedError);
      expect(error).toMatchObject({ retryable: false, status: 302 });
      expect(error.message).toBe(
        `${service}: GET ${urlOf()} redirected to another host (${other.origin}/collect?code=REDACTED); ` +
          'redirects are not followed',
      );
      expect(other.requests).toEqual([]);
      expect(server.requests).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('stops after five redirects', async () => {
    const loop = Array.from({ length: 6 }, (_, i) => ({
      status: 302,
      headers: { location: `/hop-${i + 1}` },
      body: '',
    }));
    server.reply(...loop);

    const error = await failure(client().request({ method: 'GET', url: urlOf('/hop-0'), service }));

    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toMatch(/redirected more than 5 times; redirects are not followed$/);
    expect(server.requests).toHaveLength(6);
  });
});

describe('URL policy (nothing is sent)', () => {
  /** A fetch that counts calls, so a refusal is proven to happen before any connection. */
  let calls: string[];
  const counting: typeof fetch = (input, init) => {
    calls.push(input instanceof Request ? input.url : String(input));
    return globalThis.fetch(input, init);
  };
  beforeEach(() => {
    calls = [];
  });

  it.each([
    {
      case: 'http to a host that is not loopback',
      options: { allowInsecureLoopback: true, allowedHosts: ['api.example.test'] },
      url: () => 'http://api.example.test/x',
      message: /^Example API: http:\/\/api\.example\.test\/x is not https; only https URLs are called$/,
    },
    {
      case: 'http to 127.0.0.1 unless allowInsecureLoopback',
      options: { allowInsecureLoopback: false, allowedHosts: ['127.0.0.1'] },
      url: () => urlOf(),
      message:
        /is not https; only https URLs are called \(http to loopback needs AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true, development only\)$/,
    },
    {
      case: 'http to localhost unless allowInsecureLoopback',
      options: { allowInsecureLoopback: false, allowedHosts: ['localhost'] },
      url: () => `http://localhost:${server.port}/x`,
      message: /AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true/,
    },
    {
      case: 'http to [::1] unless allowInsecureLoopback',
      options: { allowInsecureLoopback: false, allowedHosts: ['::1'] },
      url: () => `http://[::1]:${server.port}/x`,
      message: /AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true/,
    },
    {
      case: 'a host not on the allow-list',
      options: { allowInsecureLoopback: true, allowedHosts: ['api.example.test'] },
      url: () => 'https://evil.example.test/x',
      message:
        /^Example API: evil\.example\.test is not on the outbound host allow-list; hosts come from the URLs in autopilot\.yaml, add other hosts to outbound\.allowedHosts$/,
    },
    {
      case: 'user info in an https URL',
      options: { allowInsecureLoopback: false, allowedHosts: ['api.example.test'] },
      url: () => 'https://deploy:hunter2-password@api.example.test/x',
      message:
        /^Example API: https:\/\/\*\*\*@api\.example\.test\/x has a user name or password in it; put credentials in an app setting/,
    },
    {
      case: 'user info in a loopback URL that is otherwise allowed',
      options: { allowInsecureLoopback: true, allowedHosts: [] },
      url: () => `http://deploy:hunter2-password@127.0.0.1:${server.port}/x`,
      message: /has a user name or password in it/,
    },
    {
      case: 'a scheme other than http(s) on loopback',
      options: { allowInsecureLoopback: true, allowedHosts: [] },
      url: () => `ftp://127.0.0.1:${server.port}/x`,
      message: /is not https/,
    },
    {
      case: 'text that is not a URL',
      options: { allowInsecureLoopback: true, allowedHosts: [] },
      url: () => 'hunter2-password',
      message: /^Example API: \(not a valid URL\) is not a valid URL$/,
    },
  ])('refuses $case with a ConfigError', async ({ options, url, message }) => {
    const error = await failure(
      client({ ...options, fetch: counting }).request({ method: 'GET', url: url(), service }),
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2-password');
    expect(calls).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('calls 127.0.0.1 over http when allowInsecureLoopback is set, whatever the allow-list', async () => {
    const response = await client({ allowedHosts: [], fetch: counting }).request({
      method: 'GET',
      url: urlOf(),
      service,
    });

    expect(response.status).toBe(200);
    expect(calls).toEqual([urlOf()]);
  });

  describe('host patterns', () => {
    /** Sends allowed https requests to the local server instead: the policy sees the real host name. */
    const routed: typeof fetch = (input, init) => {
      const asked = new URL(input instanceof Request ? input.url : String(input));
      calls.push(asked.toString());
      return globalThis.fetch(`${server.origin}${asked.pathname}${asked.search}`, init);
    };
    const patterns = {
      allowInsecureLoopback: false,
      allowedHosts: ['*.corp.example.test', 'exact.example.test'],
    };

    it.each([
      ['api.corp.example.test', true],
      ['a.b.corp.example.test', true],
      ['API.Corp.Example.Test.', true],
      ['exact.example.test', true],
      ['corp.example.test', false],
      ['evilcorp.example.test', false],
      ['api.corp.example.test.evil.test', false],
      ['sub.exact.example.test', false],
    ])('%s is allowed: %s', async (host, allowed) => {
      const request = client({ ...patterns, fetch: routed }).request({
        method: 'GET',
        url: `https://${host}/v1/x`,
        service,
      });

      if (allowed) {
        expect((await request).status).toBe(200);
        expect(calls).toHaveLength(1);
        expect(server.requests.map((r) => r.url)).toEqual(['/v1/x']);
      } else {
        const error = await failure(request);
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toContain('is not on the outbound host allow-list');
        expect(calls).toEqual([]);
      }
    });

    it('adds the hosts one request allows (a Teams channel) to that request only', async () => {
      const http = client({ allowInsecureLoopback: false, allowedHosts: [], fetch: routed });
      const url = 'https://relay.contoso.test/hook';

      const allowed = await http.request({
        method: 'POST',
        url,
        service,
        allowedHosts: ['*.contoso.test'],
      });
      const refused = await failure(http.request({ method: 'POST', url, service }));

      expect(allowed.status).toBe(200);
      expect(refused).toBeInstanceOf(ConfigError);
      expect(calls).toEqual([url]);
    });
  });
});

describe('redaction', () => {
  const SIG = 'Zm9v+YmFy/c2lnU2VjcmV0==';
  const CODE = 'fnKeyAbC123xyz987==';
  const TOKEN = 'ghp_bearerTokenNeverShown0001';
  const PASSWORD = 'basic-password-never-shown';
  const BASIC = Buffer.from(`deploy:${PASSWORD}`).toString('base64');
  const EXTRA = 'extra-webhook-secret-0042';

  const queryOf = (request: ScriptedRequest, name: string) =>
    new URL(request.url, 'http://x').searchParams.get(name) ?? '';

  const shapes: {
    case: string;
    request: () => Omit<OutboundRequest, 'method' | 'service'>;
    echo: (request: ScriptedRequest) => string;
    secrets: string[];
  }[] = [
    {
      case: 'a sig= query value',
      request: () => ({ url: urlOf(`/invoke?api-version=2016-06-01&sig=${encodeURIComponent(SIG)}`) }),
      echo: (request) => `bad signature ${queryOf(request, 'sig')} in ${request.url}`,
      secrets: [SIG, encodeURIComponent(SIG)],
    },
    {
      case: 'a code= query value',
      request: () => ({ url: urlOf(`/api/hook?code=${encodeURIComponent(CODE)}`) }),
      echo: (request) => `unknown function key ${queryOf(request, 'code')}`,
      secrets: [CODE, encodeURIComponent(CODE)],
    },
    {
      case: 'a Bearer token',
      request: () => ({ url: urlOf(), headers: { Authorization: `Bearer ${TOKEN}` } }),
      echo: (request) => `token in "${request.headers.authorization ?? ''}" has expired`,
      secrets: [TOKEN],
    },
    {
      case: 'a Basic credential and its decoded password',
      request: () => ({ url: urlOf(), headers: { Authorization: `Basic ${BASIC}` } }),
      echo: (request) => {
        const credential = (request.headers.authorization ?? '').replace(/^Basic /, '');
        return `credential ${credential} (${Buffer.from(credential, 'base64').toString('utf8')}) is locked`;
      },
      secrets: [BASIC, PASSWORD],
    },
    {
      case: 'an extra secrets value',
      request: () => ({ url: urlOf(), json: { webhookSecret: EXTRA }, secrets: [EXTRA] }),
      echo: (request) => `cannot verify ${request.body}`,
      secrets: [EXTRA],
    },
  ];

  function expectHidden(error: Error, secrets: readonly string[]): void {
    const visible = [error.message, inspect(error, { depth: 10 }), JSON.stringify(error), ...lines];
    for (const text of visible) for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe.each([
    { mode: 'a refusal (400)', statuses: [400], kind: RefusedError, warnings: 0 },
    { mode: 'an outage (503, 503)', statuses: [503, 503], kind: UpstreamError, warnings: 1 },
  ])('in $mode', ({ statuses, kind, warnings }) => {
    it.each(shapes)(
      'keeps $case out of every message even when the server echoes it',
      async ({ request, echo, secrets }) => {
        server.reply(
          ...statuses.map((status, i) => (received: ScriptedRequest) => ({
            status,
            // One JSON body and one plain-text body: both are read for the API message.
            body: i === 0 ? { message: echo(received) } : echo(received),
          })),
        );

        const error = await failure(client().request({ method: 'PUT', service, ...request() }));

        expect(error).toBeInstanceOf(kind);
        expect(server.requests).toHaveLength(statuses.length);
        expect(lines).toHaveLength(warnings);
        // The echo made it into the message, scrubbed.
        expect(error.message).toMatch(/answered \d+: .*REDACTED/);
        expectHidden(error, secrets);
      },
    );
  });

  it('keeps secrets out of the log and the error when the host cannot be reached', async () => {
    const port = await closedPort();

    const error = await failure(
      client().request({
        method: 'GET',
        url: `http://127.0.0.1:${port}/invoke?sig=${encodeURIComponent(SIG)}`,
        service,
        headers: { Authorization: `Bearer ${TOKEN}` },
      }),
    );

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toMatch(
      /^Example API: GET http:\/\/127\.0\.0\.1:\d+\/invoke\?sig=REDACTED could not be reached/,
    );
    expect(lines).toHaveLength(1);
    expectHidden(error, [SIG, encodeURIComponent(SIG), TOKEN]);
  });
});

describe('stream', () => {
  async function text(body: AsyncIterableIterator<Uint8Array>): Promise<string> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  it('hands back any status with the body unread', async () => {
    server.reply({ status: 401, headers: { 'www-authenticate': 'Basic' }, body: 'authentication required' });

    const response = await client().stream({ method: 'GET', url: urlOf('/info/refs'), service: 'git' });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic');
    expect(await text(response.body)).toBe('authentication required');
    expect(server.requests).toHaveLength(1);
  });

  it('follows a same-host redirect and sends the body', async () => {
    server.reply({ status: 307, headers: { location: '/moved' }, body: '' });

    const response = await client().stream({
      method: 'POST',
      url: urlOf('/rpc'),
      service: 'git',
      body: new TextEncoder().encode('pack'),
    });

    expect(response.status).toBe(200);
    expect(response.url).toBe(urlOf('/moved'));
    expect(await text(response.body)).toBe('ok');
    expect(server.requests.map((request) => `${request.method} ${request.url} ${request.body}`)).toEqual([
      'POST /rpc pack',
      'POST /moved pack',
    ]);
  });

  it('refuses a redirect to another host', async () => {
    server.reply({ status: 302, headers: { location: 'http://localhost:1/elsewhere' }, body: '' });

    const error = await failure(client().stream({ method: 'GET', url: urlOf(), service: 'git' }));

    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain('redirected to another host');
  });

  it('times out a server that does not answer, fast', async () => {
    server.reply({ hang: true });
    const started = performance.now();

    const error = await failure(
      client().stream({
        method: 'GET',
        url: urlOf('/info/refs?service=git-upload-pack'),
        service: 'git',
        timeoutMs: 200,
      }),
    );

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe(`git: GET ${urlOf('/info/refs?service=git-upload-pack')} timed out`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });
});
