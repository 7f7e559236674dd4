/** The pull request to open or update. */
export interface PullRequestSpec {
  /** The bot-owned branch holding the change, e.g. `autopilot/payments-api-1.4.2` (without `refs/heads/`). */
  sourceBranch: string;
  /** The branch to merge into, e.g. `main`. */
  targetBranch: string;
  title: string;
  /** Markdown; cut to the host's limit (GitHub 65,536, Azure DevOps 4,000 characters). */
  body: string;
}

export interface PullRequestResult {
  provider: 'github' | 'azure-devops';
  /** The page a person opens: GitHub `html_url`, Azure DevOps `…/_git/{repo}/pullrequest/{id}`. */
  url: string;
  /** GitHub pull request number, or Azure DevOps `pullRequestId`. */
  number: number;
  /** False when an open pull request from the same branch was found (and updated if needed). */
  created: boolean;
}
