import type { GitopsRepo } from '../config/schema';

/**
 * The web page of a commit, when the host is known to be GitHub (github.com, or `provider: github` for
 * GitHub Enterprise Server) or Azure Repos (dev.azure.com, *.visualstudio.com, or `provider:
 * azure-devops`); `undefined` for any other host, whose URL scheme is unknown. Never carries the user
 * info of the clone URL.
 *
 * @example commitUrlFor({ url: 'https://github.com/org/fleet.git' }, 'abc…') // https://github.com/org/fleet/commit/abc…
 */
export function commitUrlFor(repo: Pick<GitopsRepo, 'url' | 'provider'>, commit: string): string | undefined {
  let url: URL;
  try {
    url = new URL(repo.url);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const provider =
    repo.provider && repo.provider !== 'generic'
      ? repo.provider
      : host === 'github.com'
        ? 'github'
        : host === 'dev.azure.com' || host.endsWith('.visualstudio.com')
          ? 'azure-devops'
          : undefined;
  const segments = url.pathname.split('/').filter(Boolean);
  const origin = `${url.protocol}//${url.host}`;
  if (provider === 'github') {
    const [owner, name, ...rest] = segments;
    if (!owner || !name || rest.length > 0) return undefined;
    return `${origin}/${owner}/${name.replace(/\.git$/, '')}/commit/${commit}`;
  }
  if (provider === 'azure-devops') {
    const git = segments.indexOf('_git');
    if (git < 0 || segments.length !== git + 2) return undefined;
    return `${origin}/${segments.join('/')}/commit/${commit}`;
  }
  return undefined;
}
