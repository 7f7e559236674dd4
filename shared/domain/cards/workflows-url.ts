/**
 * Which URLs the app may POST cards to, and how a URL is written in logs. The URL comes from an app
 * setting, but it is still an outgoing call with a secret in it: allow-list scheme, host and port
 * (OWASP SSRF cheat sheet) and never log the signature. Reference §1.2, §1.3 and §6.
 */

/** Hosts Workflows ("When a Teams webhook request is received") URLs are issued on. `*.` = any subdomain. */
export const workflowsHosts: readonly string[] = [
  '*.logic.azure.com',
  '*.api.powerplatform.com',
  '*.environment.api.powerplatform.com',
  'api.powerautomate.com',
  'flow.microsoft.com',
];

/** Retired Office 365 connector (Incoming Webhook) hosts. */
const legacyHosts: readonly string[] = [
  '*.webhook.office.com',
  'outlook.office.com',
  'outlook.office365.com',
];

export type WorkflowsUrlCheck = { ok: true; host: string } | { ok: false; problem: string };

/**
 * Whether `url` may receive cards: https on the default port, no credentials in it, and a host on the
 * Workflows allow-list or in `extraAllowedHosts` (the channel's `allowedHosts`, same `*.` syntax).
 * A legacy connector URL gets a problem that says how to create its replacement.
 */
export function checkWorkflowsUrl(
  url: string,
  extraAllowedHosts: readonly string[] = [],
  options: { settingName?: string } = {},
): WorkflowsUrlCheck {
  const where = options.settingName
    ? `the app setting ${options.settingName}`
    : 'the channel URL app setting';
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { ok: false, problem: `${where} does not hold a valid URL` };
  }
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (matchesAny(host, legacyHosts)) {
    return {
      ok: false,
      problem:
        `${where} holds a retired Office 365 connector (Incoming Webhook) URL on ${host}, which Teams no ` +
        'longer delivers. Create a Workflows URL instead: in the Teams channel choose ⋯ → Workflows → ' +
        '"Post to a channel when a webhook request is received", finish the wizard, copy the URL it shows ' +
        `and put it in ${where}`,
    };
  }
  if (parsed.protocol !== 'https:') {
    return { ok: false, problem: `${where} must hold an https URL, not ${parsed.protocol.replace(':', '')}` };
  }
  if (parsed.username || parsed.password) {
    return { ok: false, problem: `${where} holds a URL with a user name or password in it; remove them` };
  }
  if (parsed.port !== '') {
    return {
      ok: false,
      problem: `${where} holds a URL on port ${parsed.port}; only the default https port is allowed`,
    };
  }
  const allowed = [...workflowsHosts, ...extraAllowedHosts.map((entry) => entry.trim().toLowerCase())];
  if (!matchesAny(host, allowed)) {
    return {
      ok: false,
      problem:
        `${where} points at ${host}, which is not a Teams Workflows host (${workflowsHosts.join(', ')}); ` +
        `if your tenant uses another host, add it to the channel's allowedHosts`,
    };
  }
  return { ok: true, host };
}

function matchesAny(host: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern,
  );
}

/** Query parameters known to be harmless in logs; every other value is replaced. */
const publicParameters = new Set(['api-version']);

/**
 * The URL with every query value except `api-version` replaced by `REDACTED` (Workflows URLs carry
 * their authorization in `sig`, with `sp` and `sv` next to it; Functions URLs carry `code`), and any
 * user info removed. Not a URL at all: only a placeholder, since the text may be the secret itself.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return '(not a valid URL)';
  }
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  const query = [...parsed.searchParams.entries()]
    .map(([key, value]) => {
      const shown = publicParameters.has(key.toLowerCase()) ? encodeURIComponent(value) : 'REDACTED';
      return `${encodeURIComponent(key)}=${shown}`;
    })
    .join('&');
  return `${parsed.origin}${parsed.pathname}${query ? `?${query}` : ''}`;
}

/**
 * Replaces every query value of `url` (and its percent-decoded form) found in `text` with `REDACTED`:
 * for error texts from elsewhere, e.g. a response body that echoes the request URL.
 */
export function scrubUrlSecrets(text: string, url: string): string {
  let secrets: string[];
  try {
    const parsed = new URL(url.trim());
    // Every spelling a value may take in other text: as written in the URL, decoded, and re-encoded.
    const raw = parsed.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const at = pair.indexOf('=');
        return at === -1 ? ([pair, ''] as const) : ([pair.slice(0, at), pair.slice(at + 1)] as const);
      })
      .filter(([key]) => !publicParameters.has(safeDecode(key).toLowerCase()))
      .map(([, value]) => value);
    const decoded = raw.flatMap((value) => [safeDecode(value), safeDecode(value.replace(/\+/g, ' '))]);
    secrets = [...raw, ...decoded, ...decoded.map(encodeURIComponent), parsed.password];
  } catch {
    secrets = [url];
  }
  let scrubbed = text;
  // Longest first, so a value that contains another is replaced whole.
  const unique = [...new Set(secrets.filter((value) => value.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  for (const secret of unique) {
    scrubbed = scrubbed.split(secret).join('REDACTED');
  }
  return scrubbed;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
