import type { TeamsChannel } from '../config/schema';
import type { NotifyDeps } from './notify-types';

/** A configured channel with its URL read from the app setting `urlFrom` names. */
export interface ResolvedChannel {
  name: string;
  url: string;
  settingName: string;
  mode: TeamsChannel['mode'];
  allowedHosts: readonly string[];
}

/**
 * Looks up `teams.<name>` and the app setting holding its URL. A problem names the YAML path and the
 * setting, never the URL: the message is parked until someone fixes the config or the setting.
 */
export function resolveChannel(
  deps: Pick<NotifyDeps, 'config' | 'setting'>,
  name: string,
): { ok: true; channel: ResolvedChannel } | { ok: false; problem: string } {
  const channels = deps.config.teams;
  const channel = Object.hasOwn(channels, name) ? channels[name] : undefined;
  if (!channel) {
    const defined = Object.keys(channels);
    return {
      ok: false,
      problem:
        `Teams channel "${name}" is not configured: teams.${name} is missing from the config ` +
        `(${defined.length ? `defined: ${defined.join(', ')}` : 'no teams channel is defined'}); ` +
        `add it, or change the rule that notifies "${name}"`,
    };
  }
  const url = deps.setting(channel.urlFrom)?.trim();
  if (!url) {
    return {
      ok: false,
      problem:
        `teams.${name}.urlFrom names the app setting ${channel.urlFrom}, which is not set; ` +
        `set it to the channel's Workflows URL (a Key Vault reference in Azure)`,
    };
  }
  return {
    ok: true,
    channel: {
      name,
      url,
      settingName: channel.urlFrom,
      mode: channel.mode,
      allowedHosts: channel.allowedHosts,
    },
  };
}
