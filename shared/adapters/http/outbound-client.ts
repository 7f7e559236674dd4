import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, DomainError, RefusedError, UpstreamError } from '../../domain/errors';
import type { Clock, Logger } from '../../domain/ports';
import { headerSecrets, redactUrl, scrubSecrets, urlSecrets } from '../../domain/redact';
import { backoffDelay } from '../../domain/retry/backoff';
import { apiMessageOf, readCapped } from './response-text';
import { checkOutboundUrl, type OutboundPolicy } from './outbound-policy';
import { retryAfterFrom } from './retry-after';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  method: HttpMethod;
  url: string;
  /** Names the service in every message: `GitHub`, `Teams channel "platform" (TEAMS_URL)`. */
  service: string;
  headers?: Readonly<Record<string, string>>;
  /** Sent as is; `json` is the shorthand for a JSON body with its content type. */
  body?: string | Uint8Array;
  json?: unknown;
  /** Values to keep out of messages besides authenticating headers and URL query values. */
  secrets?: readonly string[];
  /** Hosts allowed for this call only (e.g. a Teams channel's `allowedHosts`). */
  allowedHosts?: readonly string[];
  timeoutMs?: number;
  /** Aborts the request early (the timeout applies as well). */
  signal?: AbortSignal;
  /** Tries in this process (1 = none repeated); longer waits are left to the queue. */
  attempts?: number;
  /**
   * Whether sending twice is harmless. A request that is not (a dispatch, a card) is only repeated when
   * it surely did not reach the server (connection refused, 429, 503). Default: GET/HEAD/PUT/DELETE.
   */
  idempotent?: boolean;
  /** Statuses handed back instead of thrown; default every 2xx. */
  accept?: readonly number[] | ((status: number) => boolean);
  /** Most bytes of the answer read; default 4 MiB. */
  maxBodyBytes?: number;
  /** Adds what to fix to a refusal, e.g. `(the token in GH_TOKEN was rejected)`. */
  hint?: (status: number) => string | undefined;
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** The URL that answered (after same-host redirects). */
  url: string;
  /** The body as UTF-8 text, at most `maxBodyBytes`; '' when a 2xx body broke off (see `incomplete`). */
  text: string;
  incomplete: boolean;
  /** Attempts this call took in this process. */
  attempts: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

export interface OutboundStreamResponse {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
  body: AsyncIterableIterator<Uint8Array>;
}

export interface OutboundClient {
  /**
   * Sends one request under the policy and returns an accepted answer.
   * @throws ConfigError when the URL breaks the policy (https, host allow-list, credentials in the URL).
   * @throws RefusedError (final) on a refused status or a redirect to another host, with the API's message.
   * @throws UpstreamError (retryable, `retryAfterMs` when the server said) on timeouts, connection failures,
   *   408, 429, 5xx and rate-limit 403s that outlast the in-process attempts.
   */
  request(request: OutboundRequest): Promise<OutboundResponse>;
  /**
   * Sends one request and hands back any status with the body unread, for protocols that read it
   * themselves (git smart HTTP). Policy, timeout, same-host redirects and redaction as `request`.
   */
  stream(
    request: Omit<OutboundRequest, 'accept' | 'attempts' | 'maxBodyBytes'>,
  ): Promise<OutboundStreamResponse>;
}

export interface OutboundClientOptions extends OutboundPolicy {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per attempt, covering the body. Default 15 s. */
  timeoutMs?: number;
  /** Default 2. */
  attempts?: number;
  /** A wait longer than this (from `Retry-After`) ends the call: the queue waits instead of the worker. */
  maxInProcessWaitMs?: number;
  /** First in-process backoff; doubles with full jitter. Default 250 ms. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  clock?: Clock;
  log?: Pick<Logger, 'warn'>;
}

const maxRedirects = 5;
const defaultMaxBodyBytes = 4 * 1024 * 1024;

type Failure =
  | { kind: 'status'; response: Response; text: string; retryable: boolean; retryAfterMs?: number }
  | { kind: 'transport'; error: unknown; sent: boolean; timedOut: boolean; errorText: string };

/**
 * The one way the app calls another service over HTTP (DESIGN.md): timeout, `Retry-After` (seconds,
 * HTTP date, Azure's `retry-after-ms`, GitHub's rate-limit reset), jittered backoff, classification,
 * redaction of every secret from what it logs or throws, https only, the host allow-list and no
 * redirect to another host. No other module calls `fetch`.
 */
export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const policy: OutboundPolicy = {
    allowedHosts: options.allowedHosts,
    allowInsecureLoopback: options.allowInsecureLoopback,
  };
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => new Date());
  const maxWait = options.maxInProcessWaitMs ?? 2_000;
  const baseDelayMs = options.baseDelayMs ?? 250;

  /** The policy's verdict on a URL, with the request's secrets kept out of the refusal too. */
  function allowed(target: string, req: OutboundRequest, scrub: (text: string) => string): URL {
    try {
      return checkOutboundUrl(target, policy, req.service, req.allowedHosts);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(scrub(error.message), error.issues);
      throw error;
    }
  }

  /** Follows same-origin redirects; refuses any other. Returns the final response. */
  async function send(req: OutboundRequest, scrub: (text: string) => string): Promise<Response> {
    let url = allowed(req.url, req, scrub);
    let method: HttpMethod = req.method;
    const headers: Record<string, string> = { ...req.headers };
    let body: string | Uint8Array | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    const timeout = AbortSignal.timeout(req.timeoutMs ?? options.timeoutMs ?? 15_000);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    for (let hop = 0; ; hop++) {
      const response = await fetchImpl(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal,
      });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      const reason =
        next.origin !== url.origin
          ? `redirected to another host (${redactUrl(next.toString())})`
          : hop >= maxRedirects
            ? `redirected more than ${maxRedirects} times`
            : method !== 'GET' && method !== 'HEAD' && ![303, 307, 308].includes(response.status)
              ? `answered ${response.status} to a ${method}, which would drop the request body`
              : undefined;
      if (reason) {
        throw new RefusedError(
          scrub(`${req.service}: ${req.method} ${redactUrl(req.url)} ${reason}; redirects are not followed`),
          { status: response.status },
        );
      }
      url = allowed(next.toString(), req, scrub);
      if (response.status === 303) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  function secretsOf(req: OutboundRequest): string[] {
    return [...(req.secrets ?? []), ...headerSecrets(req.headers ?? {}), ...urlSecrets(req.url)];
  }

  async function request(req: OutboundRequest): Promise<OutboundResponse> {
    const secrets = secretsOf(req);
    const scrub = (text: string) => scrubSecrets(text, secrets);
    // Scrubbed too: a URL kept in an app setting may hold its secret in the path (`secrets` names it).
    const shown = scrub(`${req.service}: ${req.method} ${redactUrl(req.url)}`);
    const attempts = Math.max(1, req.attempts ?? options.attempts ?? 2);
    const idempotent = req.idempotent ?? ['GET', 'HEAD', 'PUT', 'DELETE'].includes(req.method);
    const accepted = acceptor(req.accept);
    const maxBodyBytes = req.maxBodyBytes ?? defaultMaxBodyBytes;

    for (let attempt = 1; ; attempt++) {
      let failure: Failure;
      try {
        const response = await send(req, scrub);
        if (accepted(response.status)) {
          let text = '';
          let incomplete = false;
          try {
            text = await readCapped(response, maxBodyBytes);
          } catch {
            // The answer was given; reading it again would mean sending the request again.
            incomplete = true;
          }
          return answer(response, text, incomplete, attempt);
        }
        const text = await readCapped(response, 16 * 1024).catch(() => '');
        const retryAfterMs = retryAfterFrom(response.headers, clock());
        failure = {
          kind: 'status',
          response,
          text,
          retryable: isRetryableStatus(response, retryAfterMs),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        if (isFinal(error)) throw error;
        failure = { kind: 'transport', ...describeTransport(error) };
      }

      if (failure.kind === 'status' && !failure.retryable) {
        const { status } = failure.response;
        const api = scrub(apiMessageOf(failure.text, failure.response.headers.get('content-type')));
        const hint = req.hint?.(status);
        throw new RefusedError(
          `${shown} answered ${status}${hint ? ` (${hint})` : ''}${api ? `: ${api}` : ''}`,
          { status },
        );
      }
      const safeToRepeat =
        idempotent ||
        (failure.kind === 'transport' ? !failure.sent : [429, 503].includes(failure.response.status));
      const serverWait = failure.kind === 'status' ? failure.retryAfterMs : undefined;
      const wait = serverWait ?? backoffDelay(attempt, { baseMs: baseDelayMs, maxMs: maxWait }, random);
      const what =
        failure.kind === 'status'
          ? `answered ${failure.response.status}`
          : failure.timedOut
            ? `did not answer within ${req.timeoutMs ?? options.timeoutMs ?? 15_000} ms`
            : `could not be reached (${scrub(failure.errorText)})`;
      if (attempt >= attempts || !safeToRepeat || wait > maxWait) {
        const api =
          failure.kind === 'status'
            ? scrub(apiMessageOf(failure.text, failure.response.headers.get('content-type')))
            : '';
        const after =
          serverWait === undefined ? '' : `; asked to retry after ${Math.ceil(serverWait / 1000)} s`;
        throw new UpstreamError(
          `${shown} ${what}${api ? `: ${api}` : ''}${after}`,
          failure.kind === 'transport' ? failure.error : undefined,
          {
            ...(failure.kind === 'status' ? { status: failure.response.status } : {}),
            ...(serverWait === undefined ? {} : { retryAfterMs: serverWait }),
          },
        );
      }
      options.log?.warn(`${shown} ${what}; retrying in ${wait} ms (attempt ${attempt} of ${attempts})`);
      await sleep(wait);
    }
  }

  async function stream(req: Omit<OutboundRequest, 'accept' | 'attempts' | 'maxBodyBytes'>) {
    const secrets = secretsOf(req);
    const scrub = (text: string) => scrubSecrets(text, secrets);
    try {
      const response = await send(req, scrub);
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        url: response.url || req.url,
        body: iterate(response.body),
      };
    } catch (error) {
      if (isFinal(error)) throw error;
      const transport = describeTransport(error);
      throw new UpstreamError(
        scrub(
          `${req.service}: ${req.method} ${redactUrl(req.url)} ${
            transport.timedOut ? 'timed out' : `could not be reached (${transport.errorText})`
          }`,
        ),
        error,
      );
    }
  }

  return { request, stream };
}

/** The policy's own refusals (ConfigError, RefusedError): never retried, never reworded. */
function isFinal(error: unknown): boolean {
  return error instanceof DomainError && !error.retryable;
}

function answer(response: Response, text: string, incomplete: boolean, attempts: number): OutboundResponse {
  return {
    status: response.status,
    headers: response.headers,
    url: response.url,
    text,
    incomplete,
    attempts,
    json() {
      if (text.length === 0) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}

function acceptor(accept: OutboundRequest['accept']): (status: number) => boolean {
  if (accept === undefined) return (status) => status >= 200 && status < 300;
  if (typeof accept === 'function') return accept;
  return (status) => accept.includes(status);
}

/** 408, 429, 5xx, and a 403 that is a rate limit (GitHub says so with Retry-After or no remaining calls). */
function isRetryableStatus(response: Response, retryAfterMs: number | undefined): boolean {
  const { status, headers } = response;
  if (status === 408 || status === 429 || status >= 500) return true;
  return status === 403 && (retryAfterMs !== undefined || headers.get('x-ratelimit-remaining') === '0');
}

/** Errors that mean the request never left this machine, so sending it again cannot duplicate it. */
const notSent = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/;

function describeTransport(error: unknown): {
  error: unknown;
  sent: boolean;
  timedOut: boolean;
  errorText: string;
} {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { error, sent: true, timedOut: true, errorText: 'timed out' };
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const causeText = typeof cause?.message === 'string' ? cause.message : '';
  const message = error instanceof Error ? error.message : String(error);
  return {
    error,
    sent: !notSent.test(code),
    timedOut: false,
    errorText: causeText ? `${message}: ${causeText}` : message,
  };
}

async function* iterate(body: ReadableStream<Uint8Array> | null): AsyncIterableIterator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
