import type { Config } from '../config/schema';
import type { Logger, QueueSender } from '../ports';

/**
 * The ports `pinImage` needs. The git adapter (shared/adapters/git) satisfies `GitWriter` and
 * `PullRequestOpener` as they are; tests pass in-memory fakes.
 */

/** One commit's tracked files, read straight from git objects. */
export interface PinTree {
  /** Paths of all tracked regular files, `/`-separated, sorted. */
  list(): Promise<string[]>;
  /** The file's text (UTF-8, a byte-order mark kept). */
  read(path: string): Promise<string>;
}

/** What one edit round wants committed. */
export interface PinEditResult {
  files: { file: string; content: string }[];
  message: string;
}

/** Re-applied to a fresh tree on every round the writer runs (after a lost race too). */
export type PinEdit = (tree: PinTree) => Promise<PinEditResult | null>;

/** Where and as whom the writer commits (the git adapter's `WriteBackInput`). */
export interface PinWriteInput {
  url: string;
  branch: string;
  author: { name: string; email: string };
  auth?: { username: string; password: string };
  /** Pull-request mode: the bot-owned branch the commit goes to. */
  targetBranch?: string;
  eventId?: string;
  tokenSetting?: string;
  provider?: 'github' | 'azure-devops' | 'generic';
}

/** What the writer did (the git adapter's `WriteBackResult`). */
export interface PinWriteResult {
  outcome: 'committed' | 'no-change';
  commit?: string;
  /** The branch that holds the change; equals `targetBranch` when a pull request should be opened. */
  branch: string;
  attempts: number;
}

/** `createGitWriteBack(...)`: fetch, edit, commit and push with a lease, retrying lost races. */
export interface GitWriter {
  writeBack(input: PinWriteInput, edit: PinEdit): Promise<PinWriteResult>;
}

/** The pull request to open or update from the bot-owned branch, and the token for the host's API. */
export interface PullRequestInput {
  url: string;
  provider?: 'github' | 'azure-devops' | 'generic';
  sourceBranch: string;
  targetBranch: string;
  title: string;
  body: string;
  token: string;
  tokenSetting?: string;
  /** API base when not the provider's public one (gitops.<repo>.apiUrl). */
  apiUrl?: string;
}

/** `createPullRequests(...)`: opens a pull request or updates the open one from the same branch. */
export interface PullRequestOpener {
  openOrUpdate(input: PullRequestInput): Promise<{ url: string; number: number; created: boolean }>;
}

/** What `pinImage` needs; `shared/runtime/pin-deps.ts` builds it from the worker's runtime. */
export interface PinDeps {
  /** Uses `gitops` (the target repositories) and `registryAliases` (other names of a registry). */
  config: Pick<Config, 'gitops' | 'registryAliases'>;
  /** Reads an app setting a gitops repo names (`tokenFrom`, `usernameFrom`). */
  setting(name: string): string | undefined;
  writer: GitWriter;
  pullRequests: PullRequestOpener;
  /** The bot-owned branch for an image tag (`prBranchName` of the git adapter). */
  pullRequestBranch(repository: string, tag: string): string;
  /** Sends outcome notifications, and parks requests on pin-requests-poison. */
  queue: QueueSender;
  log: Logger;
}

/** Which attempt at the queue message this is: a failure on the last one ends on the poison queue. */
export interface PinDelivery {
  /** The message's dequeue count, 1 on the first attempt. */
  attempt: number;
  /** host.json `maxDequeueCount`. */
  maxAttempts: number;
}
