import { ConfigError } from '../../domain/errors';
import { hostAllowed, isLoopbackHost, normalizeHost } from '../../domain/config/host-patterns';
import { redactUrl } from '../../domain/redact';

/** Which URLs the app may call: https to an allowed host; plain http only to loopback, only when allowed. */
export interface OutboundPolicy {
  /** Exact host names or `*.suffix` patterns (from the config, see `outboundHosts`). */
  allowedHosts: readonly string[];
  /** Development only (AUTOPILOT_ALLOW_INSECURE_LOOPBACK): http://127.0.0.1, localhost and [::1] too. */
  allowInsecureLoopback: boolean;
}

/**
 * Refuses a URL the policy does not allow, with what to change. Checked before every request and
 * every redirect hop (OWASP SSRF cheat sheet: allow-list scheme and host, never follow elsewhere).
 * @throws ConfigError — retrying cannot help; the config or the app setting holding the URL must change.
 */
export function checkOutboundUrl(
  url: string,
  policy: OutboundPolicy,
  service: string,
  extraHosts: readonly string[] = [],
): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${service}: ${redactUrl(url)} is not a valid URL`);
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError(
      `${service}: ${redactUrl(url)} has a user name or password in it; put credentials in an app setting (tokenFrom, passwordFrom) instead`,
    );
  }
  const host = normalizeHost(parsed.hostname);
  const loopback = isLoopbackHost(host);
  if (loopback && policy.allowInsecureLoopback && /^https?:$/.test(parsed.protocol)) return parsed;
  if (parsed.protocol !== 'https:') {
    throw new ConfigError(
      `${service}: ${redactUrl(url)} is not https; only https URLs are called` +
        (loopback
          ? ' (http to loopback needs AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true, development only)'
          : ''),
    );
  }
  if (!hostAllowed(host, [...policy.allowedHosts, ...extraHosts])) {
    throw new ConfigError(
      `${service}: ${host} is not on the outbound host allow-list; hosts come from the URLs in autopilot.yaml, ` +
        'add other hosts to outbound.allowedHosts',
    );
  }
  return parsed;
}
