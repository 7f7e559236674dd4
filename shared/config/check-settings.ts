import { checkWorkflowsUrl } from '../domain/cards/workflows-url';
import { webhookUrlProblems } from '../domain/deploy/webhook-url';
import type { Issue } from '../domain/errors';
import { isLoopbackHttpUrl } from '../domain/config/host-patterns';
import { readAppSettings, type Env } from './app-settings';
import { formatPath } from '../domain/zod-issues';
import type { Config } from '../domain/config/schema';

/**
 * App settings the config names that are set but unusable: today a Teams channel URL that is not a
 * Workflows URL (a retired `webhook.office.com` connector, http, an unknown host), and a deploy
 * webhook URL (`urlFrom`) that is not https or whose host is not in `outbound.allowedHosts`. `config check`
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
  issues.push(...webhookUrlProblems(config, env));
  return issues;
}

/**
 * Every plain-http URL in the config, as warnings: the outbound client only calls https (loopback
 * http only with AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true in development), and a token sent over http
 * travels unencrypted. The path names the field; a sibling `tokenFrom`/`passwordFrom` is named too.
 */
export function insecureUrls(config: Config, env: Env): Issue[] {
  const settings = readAppSettings(env);
  const issues: Issue[] = [];
  const visit = (value: unknown, path: (string | number)[]) => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const [key, child] of Object.entries(record)) {
        if (typeof child === 'string' && /^http:\/\//i.test(child)) {
          const secret = ['tokenFrom', 'passwordFrom', 'secretFrom'].find(
            (name) => typeof record[name] === 'string',
          );
          const loopback = isLoopbackHttpUrl(child);
          const allowed = loopback && settings.allowInsecureLoopback;
          if (allowed) continue;
          issues.push({
            path: formatPath([...path, key]),
            message:
              (secret
                ? `plain http: the secret in ${String(record[secret])} would travel unencrypted, and `
                : 'plain http: ') +
              (loopback
                ? 'the app calls loopback http only with AUTOPILOT_ALLOW_INSECURE_LOOPBACK=true in development'
                : 'the app only calls https URLs; use https'),
          });
        } else visit(child, [...path, key]);
      }
    }
  };
  visit(config, []);
  return issues;
}
