import { messageBytes, teamsMessageLimitBytes } from '../../domain/cards/fit-to-size';
import { checkWorkflowsUrl } from '../../domain/cards/workflows-url';
import { ConfigError, RefusedError, UpstreamError } from '../../domain/errors';
import type { CardPoster } from '../../domain/notify/notify-types';
import type { Logger } from '../../domain/ports';
import { redactUrl } from '../../domain/redact';
import type { OutboundClient } from '../http/outbound-client';

export interface TeamsPosterOptions {
  http: OutboundClient;
  /** Per attempt, covering the response body too. Default 10 s. */
  timeoutMs?: number;
  log?: Pick<Logger, 'info'>;
  /**
   * Also accept `http://127.0.0.1:<port>` URLs, for tests and the local host's fake Teams server (the
   * outbound client must allow loopback too). The Workflows URL policy applies to every other URL.
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

/** The response body is only read for an error excerpt and the legacy throttling text. */
const maxBodyBytes = 4 * 1024;

/**
 * Posts cards to Teams Workflows URLs (reference §1.2/§6) through the outbound client, which owns the
 * timeout, retries, classification and redaction. Throws a `ConfigError` when the URL breaks the
 * Workflows URL policy, a `RefusedError` (not retryable) on a redirect, a 4xx other than 429 or a message
 * over 28 KB, and an `UpstreamError` (retryable) on timeouts, 429, 5xx and connection failures.
 */
export interface TeamsPoster extends CardPoster {
  post(url: string, message: unknown, target: PostTarget): Promise<PostResult>;
}

export function createTeamsPoster(options: TeamsPosterOptions): TeamsPoster {
  const { http, timeoutMs = 10_000, log, allowInsecureLoopback = false } = options;
  return {
    async post(url, message, target) {
      const where = `Teams${target.channel ? ` channel "${target.channel}"` : ''} (${target.settingName})`;
      if (!(allowInsecureLoopback && isLoopbackHttp(url))) {
        const check = checkWorkflowsUrl(url, target.allowedHosts ?? [], { settingName: target.settingName });
        if (!check.ok) throw new ConfigError(`${where}: ${check.problem}`);
      }
      const bytes = messageBytes(message);
      if (bytes >= teamsMessageLimitBytes) {
        throw new RefusedError(
          `${where}: the message is ${bytes} bytes; Teams accepts less than ${teamsMessageLimitBytes}`,
          { status: 413 },
        );
      }
      const response = await http.request({
        method: 'POST',
        url,
        service: where,
        json: message,
        // A card posted twice is a duplicate in the channel: repeat only what surely did not arrive.
        idempotent: false,
        timeoutMs,
        maxBodyBytes,
        ...(target.allowedHosts ? { allowedHosts: target.allowedHosts } : {}),
        hint: (status) => hintFor(status, target),
      });
      // Legacy connectors never answered 429: they put the throttling into a 200 body (reference §1.2).
      if (/HTTP error 429/i.test(response.text)) {
        throw new UpstreamError(
          `${where}: ${redactUrl(url)} throttled the message (429 in a 200 answer)`,
          undefined,
          {
            status: 429,
          },
        );
      }
      log?.info(
        `${where}: ${redactUrl(url)} accepted the message with ${response.status} (attempt ${response.attempts})`,
      );
      return { status: response.status, attempts: response.attempts };
    },
  };
}

/** Only `http://127.0.0.1`: the local fake Teams server, never a name that DNS could redirect. */
function isLoopbackHttp(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && parsed.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

function hintFor(status: number, target: PostTarget): string | undefined {
  switch (status) {
    case 400:
      return "the flow could not read the message: check that the channel's mode, envelope or card, matches the flow";
    case 401:
    case 403:
      return `the signature in ${target.settingName} is wrong or the flow does not let anyone trigger it; create a new Workflows URL`;
    case 404:
      return `the flow was deleted or turned off; create a new Workflows URL and put it in ${target.settingName}`;
    case 413:
      return 'the message is too large for Teams';
    default:
      return undefined;
  }
}
