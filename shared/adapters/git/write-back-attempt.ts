import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import { type GitContext, conflictReason, toGitHostError } from './classify-git-error';
import { type CommitChain, type Job, type JobResult, commitEdits } from './commit-edits';
import { type GitRemote } from './git-remote';
import { type ObjectStore } from './git-tree';
import { cloneBranch, readBase, type CloneTarget } from './shallow-clone';

export type { Job, JobResult } from './commit-edits';

/** Everything jobs in one lane share: the remote and the branches. */
export interface Lane {
  remote: GitRemote;
  branch: string;
  /** Set in pull-request mode. */
  targetBranch: string | undefined;
}

export interface AttemptEnv {
  http: HttpClient;
  tmpRoot: string;
  now: () => Date;
}

export type AttemptResult =
  | { kind: 'done'; results: Map<Job, JobResult> }
  | { kind: 'conflict'; detail: string }
  | { kind: 'failed'; error: Error };

const NO_COMMIT = '0000000000000000000000000000000000000000';

/**
 * One round for a batch of jobs on the same lane, in a fresh temp dir that is always deleted: shallow-fetch
 * the branch, commit each job's edit (see `commitEdits`), then push all commits at once under a lease.
 */
export async function runAttempt(
  env: AttemptEnv,
  lane: Lane,
  jobs: readonly Job[],
  drop: (job: Job, error: unknown) => void,
): Promise<AttemptResult> {
  const dir = await mkdtemp(join(env.tmpRoot, 'acr-autopilot-git-'));
  try {
    const store: ObjectStore = { fs, gitdir: join(dir, '.git'), cache: {} };
    const net: CloneTarget = {
      fs,
      cache: store.cache,
      http: env.http,
      dir,
      url: lane.remote.url,
      headers: lane.remote.headers,
    };
    const ctx = (branch: string): GitContext => ({ ...lane.remote.context, branch });

    try {
      await cloneBranch(net, lane.branch);
    } catch (error) {
      return { kind: 'failed', error: toGitHostError(error, 'fetch', ctx(lane.branch)) };
    }
    const base = await readBase(store, lane.branch);
    const chain = await commitEdits(store, jobs, { ...base, branch: lane.branch }, env.now(), drop);
    if (chain.head === base.commit) return { kind: 'done', results: chain.results };

    let expected = base.commit;
    if (lane.targetBranch !== undefined) {
      const target = await readTarget(net, store, lane.targetBranch, ctx(lane.targetBranch));
      if ('error' in target) return { kind: 'failed', error: target.error };
      if (target.tree === chain.tree)
        return { kind: 'done', results: upToDate(chain, lane.targetBranch, target.commit) };
      expected = target.commit ?? NO_COMMIT;
      for (const [job, result] of chain.results) {
        if (result.outcome === 'committed') chain.results.set(job, { ...result, branch: lane.targetBranch });
      }
    }
    const pushed = await push(
      net,
      store,
      lane.targetBranch ?? lane.branch,
      chain.head,
      expected,
      lane.targetBranch !== undefined,
    );
    if (pushed.kind === 'conflict') return pushed;
    if (pushed.kind === 'failed')
      return { kind: 'failed', error: toGitHostError(pushed.error, 'push', ctx(pushed.branch)) };
    return { kind: 'done', results: chain.results };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The PR branch's head and tree, both undefined when it does not exist yet. */
async function readTarget(
  net: CloneTarget,
  store: ObjectStore,
  branch: string,
  ctx: GitContext,
): Promise<{ commit?: string; tree?: string } | { error: Error }> {
  try {
    const { fetchHead } = await git.fetch({ ...net, ref: branch, singleBranch: true, depth: 1, tags: false });
    if (!fetchHead) return {};
    const { tree } = (await git.readCommit({ ...store, oid: fetchHead })).commit;
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

async function push(
  net: CloneTarget,
  store: ObjectStore,
  branch: string,
  head: string,
  expected: string,
  force: boolean,
): Promise<
  | { kind: 'pushed' }
  | { kind: 'conflict'; detail: string }
  | { kind: 'failed'; error: unknown; branch: string }
> {
  const ref = `refs/heads/${branch}`;
  await git.writeRef({ fs: store.fs, gitdir: store.gitdir, ref, value: head, force: true });
  let movedTo: string | undefined;
  try {
    await git.push({
      ...net,
      ref,
      remoteRef: ref,
      // PR branches are rebuilt on the base head, so they never fast-forward; the lease below keeps it safe.
      force,
      // A lease: the server applies the update only if the ref still has the value the push discovered
      // (receive-pack compares old ids), and this hook only lets the push go ahead if that value is the one
      // the edits were based on. It runs before any pack is built.
      onPrePush: ({ remoteRef }) => {
        if (remoteRef.oid === expected) return true;
        movedTo = remoteRef.oid;
        return false;
      },
    });
    return { kind: 'pushed' };
  } catch (error) {
    const reason = conflictReason(error, movedTo);
    return reason ? { kind: 'conflict', detail: `${branch} ${reason}` } : { kind: 'failed', error, branch };
  }
}
