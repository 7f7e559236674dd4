import { type ObjectStore, ObjectStoreError, serializeCommit } from './git-objects';
import { createTreeView, writeFiles } from './git-tree';
import type {
  GitEdit as Edit,
  GitWriteInput as WriteBackInput,
  GitWriteResult as WriteBackResult,
  NoChangeReason,
} from '../../domain/ports';

/** One `writeBack` call waiting in its branch's lane. */
export interface Job {
  input: WriteBackInput;
  edit: Edit;
  /** Rounds this job has taken part in so far. */
  attempts: number;
  resolve(result: WriteBackResult): void;
  reject(error: unknown): void;
}

export type JobResult = Omit<WriteBackResult, 'attempts'>;

export interface CommitChain {
  /** The last commit: `base.commit` when no job changed anything. */
  head: string;
  tree: string;
  /** One entry per job that was not dropped. */
  results: Map<Job, JobResult>;
}

/**
 * Runs each job's edit on the tree the previous job left and writes one commit per job that changed
 * something, in job order, on top of `base`. A job whose edit throws (or names a bad path) is handed to
 * `drop` and left out; the others go on. Nothing is pushed here; the objects stay pending in `store`.
 *
 * @throws ObjectStoreError when the local repository cannot give an object (a broken mirror), whichever
 *   job hit it: the round is not the jobs' fault and starts again on a fresh clone.
 */
export async function commitEdits(
  store: ObjectStore,
  jobs: readonly Job[],
  base: { commit: string; tree: string; branch: string },
  when: Date,
  drop: (job: Job, error: unknown) => void,
): Promise<CommitChain> {
  const results = new Map<Job, JobResult>();
  const noChange = (job: Job, commit: string, reason: NoChangeReason) =>
    results.set(job, { outcome: 'no-change', commit, branch: base.branch, reason });
  const timestamp = Math.floor(when.getTime() / 1000);
  let head = base.commit;
  let tree = base.tree;
  for (const job of jobs) {
    let next: string;
    let message: string;
    try {
      const view = createTreeView(store, tree, job.input.paths ? { paths: job.input.paths } : {});
      const change = await job.edit(view);
      // An edit that caught a read error must not turn a broken mirror into "nothing to change".
      const broken = store.failure();
      if (broken) throw broken;
      if (!change || change.files.length === 0) {
        noChange(job, head, 'edit-returned-nothing');
        continue;
      }
      next = await writeFiles(store, tree, change.files);
      message = change.message;
    } catch (error) {
      if (error instanceof ObjectStoreError) throw error;
      drop(job, error);
      continue;
    }
    if (next === tree) {
      noChange(job, head, 'already-applied');
      continue;
    }
    const signature = { ...job.input.author, timestamp };
    head = store.write(
      'commit',
      serializeCommit({
        message: message.endsWith('\n') ? message : `${message}\n`,
        tree: next,
        parents: [head],
        author: signature,
        committer: signature,
      }),
    );
    tree = next;
    results.set(job, { outcome: 'committed', commit: head, branch: base.branch });
  }
  return { head, tree, results };
}
