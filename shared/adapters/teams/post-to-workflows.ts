import { setTimeout as delay } from 'node:timers/promises';
import { messageBytes, teamsMessageLimitBytes } from '../../domain/cards/fit-to-size';
import { checkWorkflowsUrl, redactUrl, scrubUrlSecrets } from '../../domain/cards/workflows-url';
import { ConfigError, DomainError, UpstreamError } from '../../domain/errors';
import type { Clock, Logger } from '../../domain/ports';
import { parseRetryAfter } from './retry-after';

export interface TeamsPosterOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Per attempt, covering the response body too. */
  timeoutMs?: number;
  /** Attempts in this process for 429, 5xx and connection failures; then `UpstreamError` (the queue retries). */
  maxAttempts?: number;
  /** Longest wait between attempts, whatever `Retry-After` asks for. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
  log?: Pick<Logger, 'info' | 'warn'>;
  /**
   * Also accept `http://127.0.0.1:<port>` URLs, for tests and the local host's fake Teams server. The
   * Workflows URL policy (https, allow-listed hosts) applies to every other URL. Never set it from
   * configuration.
   */
  allowInsecureLoopback?: boolean;
}

/** Where a message goes, for the URL policy and for error messages that tell the reader what to fix. */
export interface PostTarget {
  /** The app setting the URL was read from (`teams.<channel>.urlFrom`); named in errors, never the URL. */
  settingName: string;
  /** The channel's `allowedHosts`, added to the Workflows host allow-list. */
  allowedHosts?: readonly string[];
  /** The config key of the channel, for messages. */
  channel?: string;
}

export interface PostResult {
  /** The 2xx status the flow answered with; it only means the flow accepted the request. */
  status: number;
  attempts: number;
}

export interface TeamsPoster {
  /**
   * POSTs `message` (already built, e.g. by `buildTeamsMessage`) as JSON.
   * @throws ConfigError when the URL breaks the Workflows URL policy (fix the app setting; no retry helps).
   * @throws TeamsRejectedError (not retryable) on a redirect or a 4xx other than 429, or a message over 28 KB.
   * @throws UpstreamError (retryable: the queue tries again, then the poison queue) on timeouts and when
   *   429/5xx/connection failures outlast `maxAttempts`.
   */
  post(url: string, message: unknown, target: PostTarget): Promise<PostResult>;
}

/** Teams refused the message in a way that sending it again will not fix. */
export class TeamsRejectedError extends DomainError {
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(status === 413 ? 'payload-too-large' : 'upstream', message, { retryable: false });
    this.status = status;
  }
}

/** The response body is only read for an error excerpt and the legacy throttling text. */
const maxBodyBytes = 4 * 1024;
const maxExcerptChars = 300;

/** Posts cards to Teams Workflows URLs with the retry, timeout and redaction rules of reference §1.2/§6. */
export function createTeamsPoster(options: TeamsPosterOptions = {}): TeamsPoster {
  const {
    fetch: fetchImpl = globalThis.fetch,
    timeoutMs = 10_000,
    maxAttempts = 3,
    maxRetryAfterMs = 30_000,
    sleep = (ms: number) => delay(ms),
    clock = () => new Date(),
    log,
    allowInsecureLoopback = false,
  } = options;

  return {
    async post(url, message, target) {
      const where = `Teams${target.channel ? ` channel "${target.channel}"` : ''} (${target.settingName})`;
      if (!(allowInsecureLoopback && isLoopbackHttp(url))) {
        const check = checkWorkflowsUrl(url, target.allowedHosts ?? [], { settingName: target.settingName });
        if (!check.ok) throw new ConfigError(`${where}: ${check.problem}`);
      }
      const bytes = messageBytes(message);
      if (bytes >= teamsMessageLimitBytes) {
        throw new TeamsRejectedError(
          `${where}: the message is ${bytes} bytes; Teams accepts less than ${teamsMessageLimitBytes}`,
        );
      }
      const body = JSON.stringify(message);
      const shownUrl = redactUrl(url);
      const scrub = (text: string) => scrubUrlSecrets(text, url);

      for (let attempt = 1; ; attempt++) {
        let status: number;
        let text: string;
        let retryAfter: string | null = null;
        try {
          const response = await fetchImpl(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            // A redirect could carry the signed request to any host; refuse instead (OWASP SSRF).
            redirect: 'error',
            signal: AbortSignal.timeout(timeoutMs),
          });
          status = response.status;
          retryAfter = response.headers.get('retry-after');
          // A 2xx whose body breaks off was still accepted: sending again would post the card twice.
          text = await readCapped(response, maxBodyBytes).catch((error: unknown) => {
            if (status >= 200 && status < 300) return '';
            throw error;
          });
        } catch (error) {
          const failure = classifyFetchError(error);
          if (failure === 'timeout') {
            throw new UpstreamError(`${where}: ${shownUrl} did not answer within ${timeoutMs} ms`);
          }
          if (failure === 'redirect') {
            throw new TeamsRejectedError(
              `${where}: ${shownUrl} answered with a redirect, which is not followed; ` +
                `check that ${target.settingName} holds the URL the Workflows trigger shows`,
            );
          }
          const reason = scrub(describeError(error));
          if (attempt >= maxAttempts) {
            throw new UpstreamError(
              `${where}: could not reach ${shownUrl} after ${attempt} attempts: ${reason}`,
            );
          }
          const wait = backoff(attempt, maxRetryAfterMs);
          log?.warn(
            `${where}: could not reach ${shownUrl} (${reason}); retrying in ${wait} ms (attempt ${attempt})`,
          );
          await sleep(wait);
          continue;
        }

        // Legacy connectors never answered 429: they put the throttling into a 200 body (reference §1.2).
        const throttled = status === 429 || (status >= 200 && status < 300 && /HTTP error 429/i.test(text));
        if (status >= 200 && status < 300 && !throttled) {
          log?.info(`${where}: ${shownUrl} accepted the message with ${status} (attempt ${attempt})`);
          return { status, attempts: attempt };
        }
        const excerpt = scrub(clipExcerpt(text));
        if (status >= 300 && status < 400) {
          throw new TeamsRejectedError(
            `${where}: ${shownUrl} answered with a redirect (${status}), which is not followed`,
            status,
          );
        }
        if (!throttled && status < 500) {
          throw new TeamsRejectedError(
            `${where}: ${shownUrl} answered ${status}${hintFor(status, target)}${excerpt ? `: ${excerpt}` : ''}`,
            status,
          );
        }
        const what = throttled ? 'throttled the message (429)' : `answered ${status}`;
        if (attempt >= maxAttempts) {
          throw new UpstreamError(
            `${where}: ${shownUrl} ${what} on all ${attempt} attempts${excerpt ? `: ${excerpt}` : ''}`,
          );
        }
        const wait =
          parseRetryAfter(retryAfter, clock(), maxRetryAfterMs) ?? backoff(attempt, maxRetryAfterMs);
        log?.warn(
          `${where}: ${shownUrl} ${what}; retrying in ${wait} ms (attempt ${attempt} of ${maxAttempts})`,
        );
        await sleep(wait);
      }
    },
  };
}

function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && parsed.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

/** 1 s, 2 s, 4 s … capped: the fallback when the answer has no `Retry-After`. */
function backoff(attempt: number, capMs: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), capMs);
}

/** At most `maxBytes` of the body, decoded as UTF-8; the rest is never downloaded. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function clipExcerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxExcerptChars ? `${flat.slice(0, maxExcerptChars)}…` : flat;
}

function classifyFetchError(error: unknown): 'timeout' | 'redirect' | 'network' {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  // undici reports `redirect: 'error'` as TypeError('fetch failed') with cause Error('unexpected redirect').
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && /redirect/i.test(cause.message)) return 'redirect';
  return 'network';
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  const causeText = cause instanceof Error ? ` (${cause.message})` : '';
  return `${error.message}${causeText}`;
}

function hintFor(status: number, target: PostTarget): string {
  switch (status) {
    case 400:
      return " (the flow could not read the message: check that the channel's mode, envelope or card, matches the flow)";
    case 401:
    case 403:
      return ` (the signature in ${target.settingName} is wrong or the flow does not let anyone trigger it; create a new Workflows URL)`;
    case 404:
      return ` (the flow was deleted or turned off; create a new Workflows URL and put it in ${target.settingName})`;
    case 413:
      return ' (the message is too large for Teams)';
    default:
      return '';
  }
}
