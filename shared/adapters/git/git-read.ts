import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitReader, GitReadInput } from '../../domain/ports';
import type { OutboundClient } from '../http/outbound-client';
import { toGitHostError } from './classify-git-error';
import { gitHttpClient } from './git-http-client';
import { gitRemote } from './git-remote';
import { createTreeView, type ObjectStore } from './git-tree';
import { cloneBranch, readBase } from './shallow-clone';

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
  const http = gitHttpClient(deps.http, deps.timeoutMs ?? 60_000);
  const tmpRoot = deps.tmpDir ?? tmpdir();

  async function read<T>(input: GitReadInput, reader: Parameters<GitReader['read']>[1]): Promise<T> {
    const remote = gitRemote(input);
    const branch = input.branch.replace(/^refs\/heads\//, '');
    const dir = await mkdtemp(join(tmpRoot, 'acr-autopilot-read-'));
    try {
      const store: ObjectStore = { fs, gitdir: join(dir, '.git'), cache: {} };
      try {
        await cloneBranch(
          { fs, http, dir, cache: store.cache, url: remote.url, headers: remote.headers },
          branch,
        );
      } catch (error) {
        throw toGitHostError(error, 'fetch', { ...remote.context, branch });
      }
      const { tree } = await readBase(store, branch);
      return (await reader(createTreeView(store, tree))) as T;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return { read: read as GitReader['read'] };
}
