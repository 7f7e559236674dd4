import { hostAllowed } from '../config/host-patterns';
import { outboundHosts } from '../config/outbound-hosts';
import type { Config } from '../config/schema';
import type { Issue } from '../errors';

/**
 * Checks the URL a `webhook` target reads from its `urlFrom` app setting before the first push needs
 * it: it must be https, and its host must be in `outbound.allowedHosts` (the allow-list comes from
 * the config; an app setting cannot widen it). Messages name the setting and the host, never the URL.
 */
export function webhookUrlProblems(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): Issue[] {
  const issues: Issue[] = [];
  let hosts: string[] | undefined;
  for (const [name, target] of Object.entries(config.deployTargets)) {
    if (target.type !== 'webhook' || !target.urlFrom) continue;
    const value = env[target.urlFrom]?.trim();
    if (!value) continue;
    const path = `deployTargets.${name}.urlFrom`;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      issues.push({ path, message: `app setting ${target.urlFrom} does not hold a URL` });
      continue;
    }
    if (url.protocol !== 'https:') {
      issues.push({ path, message: `the URL in app setting ${target.urlFrom} is not https` });
      continue;
    }
    hosts ??= outboundHosts(config);
    const host = url.hostname.toLowerCase();
    if (!hostAllowed(host, hosts)) {
      issues.push({
        path,
        message: `the host of the URL in app setting ${target.urlFrom} (${host}) is not on the outbound allow-list; add ${host} to outbound.allowedHosts`,
      });
    }
  }
  return issues;
}
