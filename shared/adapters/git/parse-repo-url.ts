import { ConfigError } from '../../domain/errors';
import { redactUrl } from '../../domain/redact';

/** Where a gitops repository lives, as the pull-request APIs name it. */
export type RepoLocation =
  | { provider: 'github'; host: string; owner: string; repo: string }
  | { provider: 'azure-devops'; organization: string; project: string; repository: string; webUrl: string };

/**
 * Derives the pull-request API coordinates from a clone URL:
 * - GitHub (and GitHub Enterprise Server with `provider: github`): `https://{host}/{owner}/{repo}[.git]`
 * - Azure Repos: `https://[user@]dev.azure.com/{org}/{project}/_git/{repo}` and
 *   `https://{org}.visualstudio.com/[DefaultCollection/]{project}/_git/{repo}`; a URL without a project
 *   (`…/{org}/_git/{repo}`) means the project named like the repository.
 *
 * @throws ConfigError when the URL does not fit the provider, or the provider cannot be told from the host.
 */
export function parseRepoUrl(url: string, provider?: 'github' | 'azure-devops' | 'generic'): RepoLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`gitops url ${redactUrl(url)} is not a URL`);
  }
  const host = parsed.hostname.toLowerCase();
  const segments = parsed.pathname
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
  const kind = provider && provider !== 'generic' ? provider : guessProvider(host);
  const label = redactUrl(url);

  if (kind === 'github') {
    const [owner, repo, ...rest] = segments;
    if (!owner || !repo || rest.length > 0) {
      throw new ConfigError(
        `gitops url ${label} is not a GitHub repository URL; expected https://${host}/OWNER/REPO.git`,
      );
    }
    return { provider: 'github', host, owner, repo: repo.replace(/\.git$/, '') };
  }
  if (kind === 'azure-devops') {
    const git = segments.indexOf('_git');
    const repository = segments[git + 1];
    let before = git >= 0 ? segments.slice(0, git) : [];
    let organization: string | undefined;
    if (host.endsWith('.visualstudio.com')) {
      organization = host.slice(0, -'.visualstudio.com'.length);
      if (before[0]?.toLowerCase() === 'defaultcollection') before = before.slice(1);
    } else {
      [organization, ...before] = before;
    }
    if (git < 0 || !repository || !organization || before.length > 1 || segments.length > git + 2) {
      throw new ConfigError(
        `gitops url ${label} is not an Azure Repos URL; expected https://dev.azure.com/ORG/PROJECT/_git/REPO`,
      );
    }
    const project = before[0] ?? repository;
    const webUrl = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
    return { provider: 'azure-devops', organization, project, repository, webUrl };
  }
  throw new ConfigError(
    `pull-request mode needs to know the git host of ${label}; set provider to github or azure-devops on this gitops repo`,
  );
}

function guessProvider(host: string): 'github' | 'azure-devops' | undefined {
  if (host === 'github.com' || host === 'www.github.com') return 'github';
  if (host === 'dev.azure.com' || host.endsWith('.visualstudio.com')) return 'azure-devops';
  return undefined;
}
