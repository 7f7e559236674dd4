import { hostAllowed } from '../config/host-patterns';
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
  if (hostAllowed(host, legacyHosts)) {
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
  if (!hostAllowed(host, allowed)) {
    return {
      ok: false,
      problem:
        `${where} points at ${host}, which is not a Teams Workflows host (${workflowsHosts.join(', ')}); ` +
        `if your tenant uses another host, add it to the channel's allowedHosts`,
    };
  }
  return { ok: true, host };
}
