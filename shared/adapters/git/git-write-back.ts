import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpstreamError } from '../../domain/errors';
import { backoffDelay, type BackoffPolicy } from '../../domain/retry/backoff';
import { gitHttpClient } from './git-http-client';
import { createRepoPool } from './git-mirror';
import { ObjectMemory } from './git-objects';
import { gitRemote } from './git-remote';
import { type AttemptEnv, type Job, type Lane, runAttempt } from './write-back-attempt';
import type { GitEdit, GitWriteInput, GitWriter, GitWriteResult } from '../../domain/ports';
import type { OutboundClient } from '../http/outbound-client';

export interface GitWriteBackDeps {
  /** Every git request goes through it (https, host allow-list, redaction), with `timeoutMs` each. */
  http: OutboundClient;
  /** Parent of the scratch repositories of rounds that cannot use a mirror (each deleted after its round). */
  tmpDir?: string;
  /**
   * Parent of the warm mirrors (one per remote and branch, reused by later rounds, which then fetch only
   * what changed); false = a fresh shallow clone every round. Default: `acr-autopilot-git-mirrors` in the
   * OS temp directory.
   */
  mirrorDir?: string | false;
  /** Mirrors kept on disk; the least recently used beyond it are deleted. Default 8. */
  maxMirrors?: number;
  /** Packs a mirror collects (about one per pin) before it is repacked into one. Default 32. */
  maxMirrorPacks?: number;
  /** Bytes of git objects kept in memory between rounds, shared by all mirrors. Default 64 MiB. */
  memoryBytes?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  /** Rounds a call may lose to other writers before it fails with a retryable UpstreamError. Default 6. */
  maxAttempts?: number;
  /** Waits between lost rounds. Default: full jitter, 250 ms doubling up to 4 s. */
  backoff?: BackoffPolicy;
  /** Most push-mode calls for one branch that share a fetch and a push. Default 16. */
  maxBatch?: number;
  /** Per HTTP request, including the body. Default 60 s. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

interface LaneState extends Lane {
  pending: Job[];
  /** Jobs per round: push mode groups a burst, pull-request mode takes one (one change per PR branch). */
  batch: number;
}

/**
 * Creates the git write-back adapter (isomorphic-git over smart HTTP; no git binary needed).
 *
 * - Each round brings the branch up to the remote head in a warm mirror (only what changed since the
 *   mirror's last round is fetched; objects read before come from memory), runs the edit on that tree,
 *   commits and pushes only the objects the edit wrote. Without a usable mirror (none yet, broken, in use
 *   by another process) the round shallow-fetches (depth 1, one branch, no tags) into a fresh directory
 *   instead, and rebuilds the mirror. No credential is written to disk.
 * - Pushes use a lease: if the branch moved since the fetch, the round is lost, and the edit runs again
 *   on a fresh fetch after a jittered exponential backoff, up to `maxAttempts` rounds.
 * - Calls for the same remote and branch run one round at a time in this process, and in push mode a burst
 *   of them shares one round (one commit each, one push), so a release that pushes 30 images does not
 *   make 30 writers race each other. Other instances are still handled by the lease and the retries.
 * - Pull-request mode rebuilds the commit on the base head every time and force-pushes the bot-owned
 *   branch under the same lease; it is a no-change when that branch already has the same tree.
 */
export function createGitWriteBack(deps: GitWriteBackDeps): GitWriter {
  const log = deps.log ?? (() => undefined);
  const now = deps.now ?? (() => new Date());
  const mirrorDir = deps.mirrorDir ?? join(tmpdir(), 'acr-autopilot-git-mirrors');
  const env: AttemptEnv = {
    repos: createRepoPool({
      http: gitHttpClient(deps.http, deps.timeoutMs ?? 60_000),
      tmpRoot: deps.tmpDir ?? tmpdir(),
      memory: new ObjectMemory(deps.memoryBytes ?? 64 * 1024 * 1024),
      ...(mirrorDir === false ? {} : { mirrorRoot: mirrorDir }),
      ...(deps.maxMirrors === undefined ? {} : { maxMirrors: deps.maxMirrors }),
      ...(deps.maxMirrorPacks === undefined ? {} : { maxPacks: deps.maxMirrorPacks }),
      now,
      log,
    }),
    now,
  };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const maxAttempts = Math.max(1, deps.maxAttempts ?? 6);
  const backoff = deps.backoff ?? { baseMs: 250, maxMs: 4_000 };
  const maxBatch = Math.max(1, deps.maxBatch ?? 16);
  const lanes = new Map<string, LaneState>();

  function writeBack(input: GitWriteInput, edit: GitEdit): Promise<GitWriteResult> {
    return new Promise((resolve, reject) => {
      const remote = gitRemote(input);
      const branch = shortBranch(input.branch);
      const targetBranch = input.targetBranch === undefined ? undefined : shortBranch(input.targetBranch);
      const key = [remote.url, branch, targetBranch ?? '', digest(remote.headers.Authorization ?? '')].join(
        '\n',
      );
      let lane = lanes.get(key);
      if (!lane) {
        lane = {
          remote,
          branch,
          targetBranch,
          pending: [],
          batch: targetBranch === undefined ? maxBatch : 1,
        };
        lanes.set(key, lane);
        // Start on the next macrotask so calls made in the same burst join the first round.
        setImmediate(() => void drain(key, lane as LaneState));
      }
      lane.pending.push({ input, edit, attempts: 0, resolve, reject });
    });
  }

  async function drain(key: string, lane: LaneState): Promise<void> {
    let carried: Job[] = [];
    let jobs: Job[] = [];
    try {
      while (carried.length > 0 || lane.pending.length > 0) {
        jobs = [...carried, ...lane.pending.splice(0, Math.max(0, lane.batch - carried.length))];
        carried = [];
        for (const job of jobs) job.attempts += 1;
        // Jobs whose edit failed are settled after the round, once its directory is released, and never retried.
        const dropped = new Map<Job, unknown>();
        const outcome = await runAttempt(env, lane, jobs, (job, error) => dropped.set(job, error));
        for (const [job, error] of dropped) job.reject(error);
        jobs = jobs.filter((job) => !dropped.has(job));
        if (outcome.kind === 'failed') {
          for (const job of jobs) job.reject(outcome.error);
        } else if (outcome.kind === 'done') {
          for (const [job, result] of outcome.results) {
            log(
              describe(
                job,
                result.outcome === 'committed'
                  ? `committed ${result.commit?.slice(0, 12)} to`
                  : 'no change for',
                result.branch,
                lane,
                `(${result.reason ?? `attempt ${job.attempts}`})`,
              ),
            );
            job.resolve({ ...result, attempts: job.attempts });
          }
        } else {
          for (const job of jobs) {
            if (job.attempts < maxAttempts) carried.push(job);
            else job.reject(gaveUp(job, lane, outcome.detail));
          }
          if (carried.length > 0) {
            const round = Math.max(...carried.map((job) => job.attempts));
            const delay = backoffDelay(round, backoff, random);
            log(
              `${tagOf(carried)}: ${outcome.detail}; fetching again in ${delay} ms ` +
                `(round ${round + 1}/${maxAttempts}, ${carried.length} change(s))`,
            );
            await sleep(delay);
          }
        }
      }
    } catch (error) {
      // Only a local failure (temp dir, object store) gets here; no job may be left hanging.
      // Rejecting an already settled job is a no-op.
      for (const job of [...jobs, ...carried, ...lane.pending.splice(0)]) job.reject(error);
    } finally {
      lanes.delete(key);
    }
  }

  return { writeBack };
}

function gaveUp(job: Job, lane: Lane, detail: string): UpstreamError {
  return new UpstreamError(
    `push to ${lane.targetBranch ?? lane.branch} of ${lane.remote.label} lost the race ${job.attempts} times ` +
      `(${detail}); another writer keeps moving the branch, so the message goes back to the queue to try later`,
  );
}

function describe(job: Job, what: string, branch: string, lane: Lane, detail: string): string {
  return `${tagOf([job])}: ${what} ${branch} of ${lane.remote.label} ${detail}`;
}

/** `git write-back [evt-1, evt-2]`: the event ids of the jobs a line is about, when callers gave them. */
function tagOf(jobs: readonly Job[]): string {
  const ids = jobs.flatMap((job) => (job.input.eventId ? [job.input.eventId] : []));
  return ids.length > 0 ? `git write-back [${ids.join(', ')}]` : 'git write-back';
}

function shortBranch(branch: string): string {
  return branch.replace(/^refs\/heads\//, '');
}

/** Lanes are keyed by credentials too (different tokens must not share a push); keep only a hash. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
