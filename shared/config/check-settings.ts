import { checkWorkflowsUrl } from '../domain/cards/workflows-url';
import type { Issue } from '../domain/errors';
import type { Env } from './app-settings';
import type { Config } from '../domain/config/schema';

/**
 * App settings the config names that are set but unusable: today a Teams channel URL that is not a
 * Workflows URL (a retired `webhook.office.com` connector, http, an unknown host). `config check`
 * fails on these; at cold start they are warnings, so ingress keeps accepting events meanwhile.
 * The messages name the setting, never its value.
 */
export function invalidSettings(config: Config, env: Env): Issue[] {
  const issues: Issue[] = [];
  for (const [name, channel] of Object.entries(config.teams)) {
    const url = env[channel.urlFrom];
    if (!url) continue;
    const check = checkWorkflowsUrl(url, channel.allowedHosts, { settingName: channel.urlFrom });
    if (!check.ok) issues.push({ path: `teams.${name}.urlFrom`, message: check.problem });
  }
  return issues;
}
