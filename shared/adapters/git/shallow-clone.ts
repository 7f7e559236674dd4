import git, { type HttpClient } from 'isomorphic-git';
import type { ObjectStore } from './git-tree';

/** What a clone needs: the object store, the work dir and the remote as the git adapter sees it. */
export type CloneTarget = Pick<ObjectStore, 'fs' | 'cache'> & {
  http: HttpClient;
  dir: string;
  url: string;
  headers: Record<string, string>;
};

/**
 * Fetches only `branch`'s head commit and its tree (depth 1, one branch, no tags, no checkout): all the
 * write-back and the reader look at. Errors are isomorphic-git's; callers classify them.
 */
export async function cloneBranch(target: CloneTarget, branch: string): Promise<void> {
  await git.clone({ ...target, ref: branch, depth: 1, singleBranch: true, noTags: true, noCheckout: true });
}

/** The fetched branch's head commit and its tree. */
export async function readBase(
  store: ObjectStore,
  branch: string,
): Promise<{ commit: string; tree: string }> {
  const { fs, gitdir, cache } = store;
  const commit = await git.resolveRef({ fs, gitdir, ref: `refs/remotes/origin/${branch}` });
  // isomorphic-git's push leaves out objects reachable from the remote's HEAD branch (a thin pack). A
  // single-branch clone does not record it; without it, a push to a new PR branch re-uploads the whole tree.
  await git.writeRef({
    fs,
    gitdir,
    ref: 'refs/remotes/origin/HEAD',
    value: `refs/remotes/origin/${branch}`,
    symbolic: true,
    force: true,
  });
  const { tree } = (await git.readCommit({ fs, gitdir, cache, oid: commit })).commit;
  return { commit, tree };
}
