/**
 * The side effects the domain needs, as small interfaces. Adapters in shared/adapters implement them
 * against Azure Storage; tests pass in-memory fakes or the same adapters pointed at Azurite.
 */

export interface QueueSender {
  /** Writes one JSON message durably; `delaySeconds` keeps it invisible that long (deferred work). */
  send(queue: string, message: unknown, options?: { delaySeconds?: number }): Promise<void>;
}

export type ClaimResult =
  /** The caller owns the key and must `complete` or `release` it. */
  | 'claimed'
  /** Already handled inside the dedupe window. */
  | 'duplicate'
  /** Another delivery holds the key right now; answer "try again" so nothing is lost if it fails. */
  | 'in-flight';

export interface DedupeStore {
  claim(scope: string, key: string, options: { now: Date; windowMs: number }): Promise<ClaimResult>;
  /** Marks the key handled: only now do later deliveries count as duplicates. */
  complete(scope: string, key: string, details: { now: Date; actions: number }): Promise<void>;
  /** Gives the key back after a failure, so the sender's retry is processed. */
  release(scope: string, key: string): Promise<void>;
  /** Deletes records last written before `olderThan` (Table Storage has no TTL); returns how many. */
  prune(olderThan: Date): Promise<number>;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type Clock = () => Date;

/** A small JSON document with optimistic concurrency (Azure Table entity + ETag). */
export interface StoredState<T> {
  value: T;
  etag: string;
}

export interface StateStore {
  get<T>(scope: string, key: string): Promise<StoredState<T> | undefined>;
  /** Creates (no etag: fails with 'conflict' if it exists) or replaces If-Match etag ('conflict' on 412). */
  put<T>(scope: string, key: string, value: T, etag?: string): Promise<'ok' | 'conflict'>;
  /** Deletes If-Match etag; 'conflict' when it changed meanwhile, 'ok' when already gone. */
  delete(scope: string, key: string, etag: string): Promise<'ok' | 'conflict'>;
}
