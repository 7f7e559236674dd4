import pLimit from 'p-limit';
import { DomainError, retryAfterOf } from '../errors';
import type { Logger } from '../ports';
import { backoffDelay } from '../retry/backoff';
import { shortDigest } from '../events/image-event';
import type { RetentionOperation } from './retention-plan';
import type { RegistryBackend } from './retention-ports';

export interface ApplyOptions {
  backend: RegistryBackend;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Parallel deletes (`retention.concurrency`). */
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per operation when the registry answers 429/5xx or cannot be reached. Default 5. */
  maxAttempts?: number;
  /** The longest wait for one `Retry-After` before the operation counts as failed. Default 60 s. */
  maxWaitMs?: number;
  /** Checked before each delete; false (the lease was lost) skips the rest. */
  mayContinue?: () => boolean;
  /** After each operation, for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

export interface OperationFailure {
  operation: RetentionOperation;
  error: string;
}

export interface ApplyResult {
  /** Deleted (or already gone). */
  done: RetentionOperation[];
  failed: OperationFailure[];
  /** Not attempted, with why: the tag moved or the manifest gained a tag since planning, a lower wave failed. */
  skipped: { operation: RetentionOperation; reason: string }[];
  /** Known sizes of the manifests deleted. */
  bytesFreed: number;
}

/**
 * Applies a plan's operations (issue 11 §4): wave by wave (a manifest's referrers and children before
 * it), at most `concurrency` deletes at a time within a wave.
 *
 * - Before the first delete in a repository it reads the repository's tags again: a tag that moved is
 *   not untagged, a manifest that gained a tag is not deleted (someone re-tagged it since planning).
 * - A 429 or 5xx is retried after the registry's `Retry-After` (every worker waits, not only the one
 *   that was told), else with jittered backoff, up to `maxAttempts`; then it counts as failed.
 * - A failure never stops the run: the other deletes go on and the failures are reported. Only in the
 *   repository of a failure are the later waves skipped, so an index or subject whose children or
 *   referrers could not be deleted stays, and a later run still finds them through it.
 */
export async function applyRetentionPlan(
  operations: readonly RetentionOperation[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { backend, log, sleep } = options;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const limit = pLimit(Math.max(1, options.concurrency));
  const result: ApplyResult = { done: [], failed: [], skipped: [], bytesFreed: 0 };
  const tagsNow = new Map<string, Promise<ReadonlyMap<string, string>>>();
  const brokenRepositories = new Map<string, number>();
  /** Settles when the registry's last `Retry-After` has passed; every delete waits for it. */
  let pause: Promise<unknown> = Promise.resolve();
  let finished = 0;

  const waves = new Map<number, RetentionOperation[]>();
  for (const operation of operations) {
    const list = waves.get(operation.wave) ?? [];
    list.push(operation);
    waves.set(operation.wave, list);
  }

  async function withRetries(what: string, action: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await pause;
      try {
        return await action();
      } catch (error) {
        const retryable = !(error instanceof DomainError) || error.retryable;
        const asked = retryAfterOf(error);
        if (!retryable || attempt >= maxAttempts || (asked !== undefined && asked > maxWaitMs)) throw error;
        const wait = asked ?? backoffDelay(attempt, { baseMs: 500, maxMs: 8_000 }, random);
        log.warn(
          `${what}: ${messageOf(error)}; trying again in ${wait} ms (attempt ${attempt} of ${maxAttempts})`,
        );
        // A registry that says "slow down" means it for every request, not only this one.
        if (asked !== undefined) pause = Promise.all([pause, sleep(asked)]);
        else await sleep(wait);
      }
    }
  }

  async function run(operation: RetentionOperation): Promise<void> {
    const what = describeOperation(operation);
    try {
      const skip = await reasonToSkip(operation);
      if (skip !== undefined) {
        result.skipped.push({ operation, reason: skip });
        return;
      }
      await withRetries(what, () =>
        operation.kind === 'delete-tag'
          ? backend.deleteTag(operation.repository, operation.tag)
          : backend.deleteManifest(operation.repository, operation.digest),
      );
      result.done.push(operation);
      if (operation.kind === 'delete-manifest') result.bytesFreed += operation.sizeBytes ?? 0;
    } catch (error) {
      brokenRepositories.set(
        operation.repository,
        Math.min(brokenRepositories.get(operation.repository) ?? Infinity, operation.wave),
      );
      result.failed.push({ operation, error: messageOf(error) });
      log.warn(`${what} failed: ${messageOf(error)}`);
    } finally {
      finished += 1;
      options.onProgress?.(finished, operations.length);
    }
  }

  async function reasonToSkip(operation: RetentionOperation): Promise<string | undefined> {
    if (options.mayContinue && !options.mayContinue()) return 'the run lost its lease; not started';
    const broken = brokenRepositories.get(operation.repository);
    if (broken !== undefined && broken < operation.wave) {
      return 'a delete this one waits for failed in the same repository; kept so a later run can finish in order';
    }
    let pending = tagsNow.get(operation.repository);
    if (!pending) {
      pending = (async () => {
        let tags: ReadonlyMap<string, string> = new Map();
        await withRetries(`re-reading the tags of ${operation.repository}`, async () => {
          tags = await backend.currentTags(operation.repository);
        });
        return tags;
      })();
      tagsNow.set(operation.repository, pending);
    }
    const tags = await pending;
    if (operation.kind === 'delete-tag') {
      const now = tags.get(operation.tag);
      if (now !== undefined && now !== operation.digest)
        return `tag moved to ${shortDigest(now)} since planning`;
      return undefined;
    }
    const gained = [...tags]
      .filter(([tag, digest]) => digest === operation.digest && !operation.tags.includes(tag))
      .map(([tag]) => tag);
    return gained.length > 0 ? `gained tag ${gained.join(', ')} since planning` : undefined;
  }

  for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
    await Promise.all((waves.get(wave) ?? []).map((operation) => limit(() => run(operation))));
  }
  log.info(
    `applied ${result.done.length} of ${operations.length} delete(s)` +
      (result.failed.length ? `, ${result.failed.length} failed` : '') +
      (result.skipped.length ? `, ${result.skipped.length} skipped` : ''),
  );
  return result;
}

/** `untag team-a/web:1.0.0` / `delete team-a/web@sha256:0123456789ab (v1, v1.0)`. */
export function describeOperation(operation: RetentionOperation): string {
  if (operation.kind === 'delete-tag') return `untag ${operation.repository}:${operation.tag}`;
  const tags = operation.tags.length > 0 ? ` (${operation.tags.join(', ')})` : '';
  return `delete ${operation.repository}@${shortDigest(operation.digest)}${tags}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
