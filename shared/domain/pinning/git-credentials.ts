import type { GitopsRepo } from '../config/schema';
import { ConfigError } from '../errors';

/** What a gitops repository is reached with. The token never goes into a message or a log line. */
export interface GitCredentials {
  /** Basic credentials for git over HTTPS (GitHub and Azure Repos take the token as the password). */
  auth?: { username: string; password: string };
  /** The same token, for the pull-request API. */
  token?: string;
}

/**
 * GitHub documents `x-access-token` as the user name for installation tokens; GitHub PATs and Azure
 * Repos PATs accept any non-empty user name.
 */
export const defaultGitUsername = 'x-access-token';

/**
 * Reads the app settings `gitops.<key>.tokenFrom` and `usernameFrom` name. No `tokenFrom` means no
 * credentials (a public or URL-authenticated repository), except in pull-request mode, whose API
 * always needs a token. Throws `ConfigError` naming the config path and the setting to fix.
 */
export function gitCredentials(
  key: string,
  repo: Pick<GitopsRepo, 'tokenFrom' | 'usernameFrom' | 'mode'>,
  setting: (name: string) => string | undefined,
): GitCredentials {
  if (repo.tokenFrom === undefined) {
    if (repo.mode === 'pull-request') {
      throw new ConfigError(
        `gitops.${key} is in pull-request mode, which needs a token for the pull-request API: set ` +
          `gitops.${key}.tokenFrom to the name of an app setting holding one (GitHub: contents and ` +
          `pull_requests write; Azure DevOps: Code Read & Write)`,
      );
    }
    return {};
  }
  const token = setting(repo.tokenFrom)?.trim();
  if (!token) {
    throw new ConfigError(
      `gitops.${key}.tokenFrom names the app setting ${repo.tokenFrom}, which is not set; set it to a ` +
        `token that can push to the repository (a Key Vault reference in Azure)`,
    );
  }
  let username = defaultGitUsername;
  if (repo.usernameFrom !== undefined) {
    const configured = setting(repo.usernameFrom)?.trim();
    if (!configured) {
      throw new ConfigError(
        `gitops.${key}.usernameFrom names the app setting ${repo.usernameFrom}, which is not set; set ` +
          `it, or remove usernameFrom to use "${defaultGitUsername}"`,
      );
    }
    username = configured;
  }
  return { auth: { username, password: token }, token };
}
