import { tmpdir } from 'node:os';
import type { GitReader, GitReadInput } from '../../domain/ports';
import type { OutboundClient } from '../http/outbound-client';
import { toGitHostError } from './classify-git-error';
import { gitHttpClient } from './git-http-client';
import { createRepoPool } from './git-mirror';
import { ObjectMemory } from './git-objects';
import { gitRemote } from './git-remote';
import { createTreeView } from './git-tree';
import { RemoteFetchError } from './upload-pack';

export interface GitReadDeps {
  /** Every git request goes through it (https, host allow-list, redaction), with `timeoutMs` each. */
  http: OutboundClient;
  /** Parent of the scratch repositories (each is deleted when its read ends). */
  tmpDir?: string;
  /** Per HTTP request, including the body. Default 60 s. */
  timeoutMs?: number;
}

/**
 * Creates the git reader: the write-back's fetch without the write (isomorphic-git over the outbound
 * client, no git binary). Each read shallow-fetches the branch (depth 1, one branch, no tags, no
 * checkout) into a fresh temp dir, hands the commit's tree to the reader, and deletes the dir whatever
 * happens. Errors are the write-back's: `GitHostRefusedError` (a ConfigError naming the setting to
 * fix) or `GitHostUnavailableError` (retryable), never with a token in them.
 */
export function createGitReader(deps: GitReadDeps): GitReader {
  // No mirror: reads are rare (retention), and each must see the branch as it is now.
  const repos = createRepoPool({
    http: gitHttpClient(deps.http, deps.timeoutMs ?? 60_000),
    tmpRoot: deps.tmpDir ?? tmpdir(),
    memory: new ObjectMemory(16 * 1024 * 1024),
  });

  async function read<T>(input: GitReadInput, reader: Parameters<GitReader['read']>[1]): Promise<T> {
    const remote = gitRemote(input);
    const branch = input.branch.replace(/^refs\/heads\//, '');
    try {
      return (await repos.withBranch(remote, branch, ({ store, base }) =>
        reader(createTreeView(store, base.tree)),
      )) as T;
    } catch (error) {
      if (error instanceof RemoteFetchError)
        throw toGitHostError(error.reason, 'fetch', { ...remote.context, branch });
      throw error;
    }
  }

  return { read: read as GitReader['read'] };
}
