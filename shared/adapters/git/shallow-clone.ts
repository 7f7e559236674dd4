import git, { type HttpClient } from 'isomorphic-git';
import type { ObjectStore } from './git-objects';

/** What a clone or fetch needs: the repository directory, its cache and the remote as the adapter sees it. */
export interface CloneTarget {
  fs: ObjectStore['fs'];
  cache: object;
  http: HttpClient;
  dir: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * Fetches only `branch`'s head commit and its tree (depth 1, one branch, no tags, no checkout): all the
 * write-back and the reader look at. Errors are isomorphic-git's; callers classify them.
 */
export async function cloneBranch(target: CloneTarget, branch: string): Promise<void> {
  await git.clone({ ...target, ref: branch, depth: 1, singleBranch: true, noTags: true, noCheckout: true });
}

/** The local branch `ref` (the next fetch's "have") and its remote-tracking ref both at `head`. */
export async function writeBranchRefs(store: ObjectStore, ref: string, head: string): Promise<void> {
  for (const name of [ref, ref.replace(/^refs\/heads\//, 'refs/remotes/origin/')]) {
    await git.writeRef({ fs: store.fs, gitdir: store.gitdir, ref: name, value: head, force: true });
  }
}

/** The fetched branch's head commit (`refs/remotes/origin/<branch>`) and its tree. */
export async function readBase(
  store: ObjectStore,
  branch: string,
): Promise<{ commit: string; tree: string }> {
  const commit = await git.resolveRef({
    fs: store.fs,
    gitdir: store.gitdir,
    ref: `refs/remotes/origin/${branch}`,
  });
  const { tree } = await store.readCommit(commit);
  // Read the root tree now: a mirror whose objects are damaged fails here, before any edit runs.
  await store.readTree(tree);
  return { commit, tree };
}
