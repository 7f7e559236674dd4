import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { type GitContext, conflictReason, toGitHostError } from './classify-git-error';
import { type CommitChain, type Job, type JobResult, commitEdits } from './commit-edits';
import { type ObjectStore, ObjectStoreError } from './git-objects';
import { type RepoPool } from './git-mirror';
import { type GitRemote } from './git-remote';
import { NO_COMMIT, sendPack } from './receive-pack';
import { type CloneTarget, writeBranchRefs } from './shallow-clone';
import { fetchChanges, RemoteFetchError } from './upload-pack';

export type { Job, JobResult } from './commit-edits';

/** Everything jobs in one lane share: the remote and the branches. */
export interface Lane {
  remote: GitRemote;
  branch: string;
  /** Set in pull-request mode. */
  targetBranch: string | undefined;
}

export interface AttemptEnv {
  /** Local repositories: warm mirrors, or a fresh clone per round. */
  repos: RepoPool;
  now: () => Date;
}

export type AttemptResult =
  | { kind: 'done'; results: Map<Job, JobResult> }
  | { kind: 'conflict'; detail: string }
  | { kind: 'failed'; error: Error };

/**
 * One round for a batch of jobs on the same lane: bring the branch up to the remote head (a warm mirror
 * fetches what changed; otherwise a shallow clone), commit each job's edit (see `commitEdits`), then push
 * all commits at once under a lease, sending only the objects the edits wrote.
 */
export async function runAttempt(
  env: AttemptEnv,
  lane: Lane,
  jobs: readonly Job[],
  drop: (job: Job, error: unknown) => void,
): Promise<AttemptResult> {
  const ctx = (branch: string): GitContext => ({ ...lane.remote.context, branch });
  try {
    return await env.repos.withBranch(lane.remote, lane.branch, async ({ store, base, net }) => {
      const chain = await commitEdits(store, jobs, { ...base, branch: lane.branch }, env.now(), drop);
      if (chain.head === base.commit) return { kind: 'done', results: chain.results };

      let expected = base.commit;
      if (lane.targetBranch !== undefined) {
        const target = await readTarget(net, store, base.commit, lane.targetBranch, ctx(lane.targetBranch));
        if ('error' in target) return { kind: 'failed', error: target.error };
        if (target.tree === chain.tree)
          return { kind: 'done', results: upToDate(chain, lane.targetBranch, target.commit) };
        expected = target.commit ?? NO_COMMIT;
        for (const [job, result] of chain.results) {
          if (result.outcome === 'committed')
            chain.results.set(job, { ...result, branch: lane.targetBranch });
        }
      }
      const pushed = await push(net, store, lane.targetBranch ?? lane.branch, chain.head, expected);
      if (pushed.kind === 'conflict') return pushed;
      if (pushed.kind === 'failed')
        return { kind: 'failed', error: toGitHostError(pushed.error, 'push', ctx(pushed.branch)) };
      return { kind: 'done', results: chain.results };
    });
  } catch (error) {
    if (error instanceof RemoteFetchError) {
      return { kind: 'failed', error: toGitHostError(error.reason, 'fetch', ctx(lane.branch)) };
    }
    throw error;
  }
}

/**
 * The PR branch's head and tree, both undefined when it does not exist yet. It is usually the base plus a
 * commit or two, so only what it adds is fetched; if that is large, a shallow fetch of it instead.
 */
async function readTarget(
  net: CloneTarget,
  store: ObjectStore,
  base: string,
  branch: string,
  ctx: GitContext,
): Promise<{ commit?: string; tree?: string } | { error: Error }> {
  const ref = `refs/heads/${branch}`;
  const local = await git.resolveRef({ fs, gitdir: store.gitdir, ref }).catch(() => undefined);
  const haves = local !== undefined && local !== base && (await store.has(local)) ? [local, base] : [base];
  try {
    const fetched = await fetchChanges({ ...net, store, ref, haves, maxBytes: 4 * 1024 * 1024 });
    if (fetched.kind === 'missing') return {};
    if (fetched.kind === 'fetched') {
      const { tree } = await store.readCommit(fetched.head);
      return { commit: fetched.head, tree };
    }
  } catch (error) {
    if (error instanceof RemoteFetchError) return { error: toGitHostError(error.reason, 'fetch', ctx) };
    if (error instanceof ObjectStoreError) throw error;
    // Anything else local: the shallow fetch below does not depend on what this repository holds.
  }
  try {
    const { fetchHead } = await git.fetch({ ...net, ref: branch, singleBranch: true, depth: 1, tags: false });
    if (!fetchHead) return {};
    const { tree } = await store.readCommit(fetchHead);
    return { commit: fetchHead, tree };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NotFoundError') return {};
    return { error: toGitHostError(error, 'fetch', ctx) };
  }
}

/** The PR branch already has "base head + edits" as its tree: every committed job becomes a no-change. */
function upToDate(chain: CommitChain, branch: string, commit: string | undefined): Map<Job, JobResult> {
  for (const [job, result] of chain.results) {
    if (result.outcome !== 'committed') continue;
    chain.results.set(job, {
      outcome: 'no-change',
      branch,
      reason: 'target-branch-up-to-date',
      ...(commit === undefined ? {} : { commit }),
    });
  }
  return chain.results;
}

/**
 * Pushes `head` to `branch` if the branch is still at `expected` (see `sendPack`), then keeps the pushed
 * objects in the local repository: a warm mirror's next fetch tells the server it has them.
 */
async function push(
  net: CloneTarget,
  store: ObjectStore,
  branch: string,
  head: string,
  expected: string,
): Promise<
  | { kind: 'pushed' }
  | { kind: 'conflict'; detail: string }
  | { kind: 'failed'; error: unknown; branch: string }
> {
  const ref = `refs/heads/${branch}`;
  const pack = store.pack();
  let movedTo: string | undefined;
  try {
    await sendPack(
      { http: net.http, url: net.url, headers: net.headers, ref, expected, head, pack: pack.pack },
      (oid) => {
        movedTo = oid;
      },
    );
  } catch (error) {
    const reason = conflictReason(error, movedTo);
    return reason ? { kind: 'conflict', detail: `${branch} ${reason}` } : { kind: 'failed', error, branch };
  }
  try {
    await store.keep(pack);
    await writeBranchRefs(store, ref, head);
  } catch {
    // The push landed; a mirror that could not keep it fetches the objects next round instead.
  }
  return { kind: 'pushed' };
}
