import { type FileWrite, type TreeView } from './git-tree';

/** What an edit wants committed. `content` is written byte-exact: text as UTF-8 (CRLF and BOM kept). */
export interface EditResult {
  files: FileWrite[];
  message: string;
}

/**
 * Re-applies the caller's change to a tree and says what to write; `null`/`undefined` = nothing to change.
 * It must be a pure function of the tree: after a lost race it runs again on the newer tree.
 */
export type Edit = (tree: TreeView) => Promise<EditResult | null | undefined>;

export interface WriteBackInput {
  /** HTTPS clone URL; user info in it is stripped (and used as the username when `auth` has none). */
  url: string;
  /** Branch the change is based on (and pushed to in push mode), e.g. `main`. */
  branch: string;
  /** Author and committer of the commit. */
  author: { name: string; email: string };
  /** Basic credentials; git hosts take a token as the password (GitHub and Azure Repos: any username). */
  auth?: { username: string; password: string };
  /** Pull-request mode: push the commit to this bot-owned branch (see `prBranchName`) instead of `branch`. */
  targetBranch?: string;
  /** Correlates log lines with the event that caused them. */
  eventId?: string;
  /** App setting that holds the token; named in error messages so the reader knows what to fix. */
  tokenSetting?: string;
  /** Tunes error hints (which token scope to grant); detected from the host when absent. */
  provider?: 'github' | 'azure-devops' | 'generic';
}

/** Why nothing was committed. */
export type NoChangeReason = 'edit-returned-nothing' | 'already-applied' | 'target-branch-up-to-date';

export interface WriteBackResult {
  outcome: 'committed' | 'no-change';
  /** The new commit, or the existing commit that already holds the change. */
  commit?: string;
  /**
   * The branch whose head holds the change: `targetBranch` when the commit (new or already there) lives on
   * the PR branch, `branch` when the base already had it. Open or update a PR exactly when this is the
   * target branch — also on 'no-change', so a redelivery after a crash between push and PR still opens it.
   */
  branch: string;
  /** Fetch-edit-push rounds this call took part in (1 unless the branch moved under it). */
  attempts: number;
  reason?: NoChangeReason;
}
