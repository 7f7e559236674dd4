import type {
  AttemptRecord,
  ReceivedRecord,
  TraceLookup,
  TraceMatch,
  TraceRecords,
} from './trace/trace-records';

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
  /** `record`: more properties stored in the same insert (ingress puts the trace's facts there). */
  claim(
    scope: string,
    key: string,
    options: { now: Date; windowMs: number; record?: Readonly<Record<string, string>> },
  ): Promise<ClaimResult>;
  /** Marks the key handled: only now do later deliveries count as duplicates. */
  complete(scope: string, key: string, details: { now: Date; actions: number }): Promise<void>;
  /** Gives the key back after a failure, so the sender's retry is processed. */
  release(scope: string, key: string): Promise<void>;
  /** Deletes records last written before `olderThan` (Table Storage has no TTL); returns how many. */
  prune(olderThan: Date): Promise<number>;
}

/**
 * What a decision line is about, carried beside its text: appended as ` correlationId=… dedupeKey=…`
 * to the one-line message, and as customDimensions in Application Insights when telemetry is on.
 */
export interface LogFields {
  /** The vendor event id every function handling the event logs (the messages' `correlationId`). */
  correlationId?: string | undefined;
  /** The event's dedupe key (what `acr-autopilot trace` looks up). */
  dedupeKey?: string | undefined;
  [name: string]: string | number | boolean | undefined;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** How an event ended at ingress. */
export type EventOutcome = 'accepted' | 'ignored' | 'invalid' | 'duplicate';

/**
 * How one run of a queued action ended: `failed` counts every attempt that threw, `retried` and
 * `parked` what followed (an unreadable message is parked without an attempt).
 */
export type ActionOutcome = 'succeeded' | 'failed' | 'retried' | 'parked';

/** Counters and the ingress latency histogram (OpenTelemetry when Application Insights is configured). */
export interface Metrics {
  /** One event at ingress; `source` is `ACR webhook` or `Event Grid`. */
  event(outcome: EventOutcome, source: string): void;
  /** One run of a queued message; `action` is the queue contract's (`fan-out`, `pin`, `deploy`, …). */
  action(action: string, outcome: ActionOutcome): void;
  /** Tags a retention run removed (untagged, or gone with their manifest). */
  tagsDeleted(count: number, registry: string): void;
  /** From request to answer at an ingress function; `status` is the HTTP status or `ok`/`error`. */
  ingressLatency(ms: number, endpoint: string, status: number | 'ok' | 'error'): void;
}

/** Counts nothing: the default when telemetry is off, and for callers that do not measure. */
export const noMetrics: Metrics = {
  event: () => {},
  action: () => {},
  tagsDeleted: () => {},
  ingressLatency: () => {},
};

export type Clock = () => Date;

/** A small JSON document with optimistic concurrency (Azure Table entity + ETag). */
export interface StoredState<T> {
  value: T;
  etag: string;
}

export interface StateStore {
  get<T>(scope: string, key: string): Promise<StoredState<T> | undefined>;
  /** Creates (no etag: fails with 'conflict' if it exists) or replaces If-Match etag ('conflict' on 412). */
  put<T>(scope: string, key: string, value: T, etag?: string): Promise<{ etag: string } | 'conflict'>;
  /** Deletes If-Match etag; 'conflict' when it changed meanwhile, 'ok' when already gone. */
  delete(scope: string, key: string, etag: string): Promise<'ok' | 'conflict'>;
}

/** One commit's tracked files, read straight from git objects. */
export interface GitTree {
  /** Paths of all tracked regular files, `/`-separated, sorted. */
  list(): Promise<string[]>;
  /** The file's text, decoded as UTF-8 with a byte order mark kept (so writing it back is byte-exact). */
  read(path: string): Promise<string>;
}

/** What one edit round wants committed: text is written as UTF-8 exactly as given, bytes as they are. */
export interface GitEditResult {
  files: { file: string; content: string | Uint8Array }[];
  message: string;
}

/**
 * Re-applies the caller's change to a tree and says what to write; null/undefined = nothing to change.
 * It must be a pure function of the tree: after a lost race it runs again on the newer tree.
 */
export type GitEdit = (tree: GitTree) => Promise<GitEditResult | null | undefined>;

/** Where and as whom a change is committed. */
export interface GitWriteInput {
  /** HTTPS clone URL; user info in it is stripped (and used as the username when `auth` has none). */
  url: string;
  /** Branch the change is based on (and pushed to in push mode), e.g. `main`. */
  branch: string;
  author: { name: string; email: string };
  /** Basic credentials; git hosts take a token as the password (GitHub and Azure Repos: any username). */
  auth?: { username: string; password: string };
  /** Pull-request mode: push the commit to this bot-owned branch instead of `branch`. */
  targetBranch?: string;
  /** Correlates log lines with the event that caused them. */
  eventId?: string;
  /** App setting that holds the token; named in error messages so the reader knows what to fix. */
  tokenSetting?: string;
  /** Tunes error hints (which token scope to grant); detected from the host when absent. */
  provider?: 'github' | 'azure-devops' | 'generic';
  /**
   * Globs of the files the edit reads (the rule's `paths`). When set, the tree's `list()` may leave out
   * files no glob can match, so a large repository's other directories are never read.
   */
  paths?: readonly string[];
}

/** Why nothing was committed. */
export type NoChangeReason = 'edit-returned-nothing' | 'already-applied' | 'target-branch-up-to-date';

export interface GitWriteResult {
  outcome: 'committed' | 'no-change';
  /** The new commit, or the existing commit that already holds the change. */
  commit?: string;
  /**
   * The branch whose head holds the change: `targetBranch` when the commit (new or already there) lives
   * on the PR branch. Open or update a PR exactly when this is the target branch — also on 'no-change',
   * so a redelivery after a crash between push and PR still opens it.
   */
  branch: string;
  /** Fetch-edit-push rounds this call took part in (1 unless the branch moved under it). */
  attempts: number;
  reason?: NoChangeReason;
}

/** Writes to a GitOps repository: fetch, edit, commit and push with a lease, retrying lost races. */
export interface GitWriter {
  /**
   * @throws ConfigError (fix the named setting) or a retryable UpstreamError (the host is unavailable or
   *   the branch kept moving).
   */
  writeBack(input: GitWriteInput, edit: GitEdit): Promise<GitWriteResult>;
}

/** Which gitops repository and branch to read, and as whom. */
export interface GitReadInput {
  /** HTTPS clone URL; user info in it is stripped (and used as the username when `auth` has none). */
  url: string;
  /** Branch to read, e.g. `main`. */
  branch: string;
  /** Basic credentials; git hosts take a token as the password. */
  auth?: { username: string; password: string };
  /** App setting that holds the token; named in error messages so the reader knows what to fix. */
  tokenSetting?: string;
  provider?: 'github' | 'azure-devops' | 'generic';
}

/** Reads a GitOps repository: a shallow fetch of one branch, `reader` runs on its tree, then it is gone. */
export interface GitReader {
  /**
   * @throws ConfigError (fix the named setting, the URL or the branch) or a retryable UpstreamError (the
   *   host is unavailable); errors from `reader` are passed through.
   */
  read<T>(input: GitReadInput, reader: (tree: GitTree) => Promise<T>): Promise<T>;
}

/** The pull request to open or update from the bot-owned branch, and the token for the host's API. */
export interface PullRequestInput {
  /** Clone URL of the gitops repository; owner/repo or org/project/repo come from it. */
  url: string;
  /** Detected from the host (github.com, dev.azure.com, *.visualstudio.com) when absent. */
  provider?: 'github' | 'azure-devops' | 'generic';
  /** The bot-owned branch holding the change (without `refs/heads/`). */
  sourceBranch: string;
  /** The branch to merge into, e.g. `main`. */
  targetBranch: string;
  title: string;
  /** Markdown; cut to the host's limit (GitHub 65,536, Azure DevOps 4,000 characters). */
  body: string;
  /** GitHub: a token with pull_requests:write; Azure DevOps: a PAT with Code (Read & Write). */
  token: string;
  /** App setting that holds the token, named in error messages. */
  tokenSetting?: string;
  /** API base when not the provider's public one (gitops.<repo>.apiUrl). */
  apiUrl?: string;
}

export interface PullRequestResult {
  provider: 'github' | 'azure-devops';
  /** The page a person opens. */
  url: string;
  /** GitHub pull request number, or Azure DevOps `pullRequestId`. */
  number: number;
  /** False when an open pull request from the same branch was found (and updated if needed). */
  created: boolean;
}

/** Opens a pull request, or updates the open one from the same branch. */
export interface PullRequestOpener {
  openOrUpdate(input: PullRequestInput): Promise<PullRequestResult>;
}

/**
 * Writes the records `acr-autopilot trace` reads (in the dedupe table, so they expire with it). Callers
 * log a failure and go on: a lost trace record must never fail the delivery or the action.
 */
export interface TraceRecorder {
  /** A delivery that took no dedupe claim (duplicate, in flight, nothing planned): one insert. */
  received(record: ReceivedRecord): Promise<void>;
  /** One run of one queue message, as the queue-consumer runner saw it: one insert. */
  attempt(record: AttemptRecord): Promise<void>;
}

/** Reads the trace records back (the `trace` command). */
export interface TraceReader {
  /** The pushes a digest, a `repository:tag` or a dedupe key names, newest first. */
  find(lookup: TraceLookup): Promise<TraceMatch[]>;
  /** Everything stored under one dedupe key (empty lists when nothing is). */
  read(dedupeKey: string): Promise<TraceRecords>;
}
