import { ConfigError } from '../../domain/errors';
import { type GitContext } from './classify-git-error';
import { redactUrl } from '../../domain/redact';
import { basicAuthHeader } from './git-http-client';

/** A remote as the adapter uses it: a clean URL for isomorphic-git, headers, and what messages may say. */
export interface GitRemote {
  /** URL without credentials, as handed to isomorphic-git. */
  url: string;
  /** Redacted URL for messages and logs. */
  label: string;
  headers: Record<string, string>;
  context: Omit<GitContext, 'branch'>;
}

/**
 * Builds the remote from a clone URL and optional Basic credentials. User info in the URL is removed:
 * isomorphic-git would turn it into its own Authorization header, replacing ours (Azure Repos clone URLs look
 * like https://org@dev.azure.com/org/project/_git/repo). A password in the URL is used when `auth` is absent.
 *
 * @throws ConfigError when the URL is not an http(s) URL.
 */
export function gitRemote(input: {
  url: string;
  auth?: { username: string; password: string };
  tokenSetting?: string;
  provider?: 'github' | 'azure-devops' | 'generic';
}): GitRemote {
  let parsed: URL;
  try {
    parsed = new URL(input.url);
  } catch {
    throw new ConfigError(
      `gitops url ${redactUrl(input.url)} is not a URL; use the repository's HTTPS clone URL`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(
      `gitops url ${redactUrl(input.url)} uses ${parsed.protocol}; only HTTPS clone URLs are supported (no SSH)`,
    );
  }
  let auth = input.auth;
  if (!auth && parsed.password) {
    auth = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  } else if (auth && !auth.username && parsed.username) {
    auth = { ...auth, username: decodeURIComponent(parsed.username) };
  }
  parsed.username = '';
  parsed.password = '';
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  if (auth) {
    headers.Authorization = basicAuthHeader(auth);
    secrets.push(auth.password, headers.Authorization.slice('Basic '.length));
  }
  const label = redactUrl(input.url);
  return {
    url: parsed.toString(),
    label,
    headers,
    context: {
      label,
      hasAuth: auth !== undefined,
      secrets,
      provider: input.provider ?? detectProvider(parsed.hostname),
      ...(input.tokenSetting === undefined ? {} : { tokenSetting: input.tokenSetting }),
    },
  };
}

/** Which hosting service a git host name belongs to, for token-scope hints. */
export function detectProvider(host: string): 'github' | 'azure-devops' | 'generic' {
  if (host === 'github.com') return 'github';
  if (host === 'dev.azure.com' || host.endsWith('.visualstudio.com')) return 'azure-devops';
  return 'generic';
}
