import { DomainError } from '../../domain/errors';
import { scrubSecrets } from '../../domain/redact';
import { GitHostRefusedError, GitHostUnavailableError } from './git-errors';

/** What an error message may mention about the remote; never the token itself. */
export interface GitContext {
  /** Redacted URL. */
  label: string;
  branch: string;
  hasAuth: boolean;
  /** Values to scrub from any text a host sent back. */
  secrets: readonly string[];
  provider: 'github' | 'azure-devops' | 'generic';
  tokenSetting?: string;
}

// Ref-update refusals that mean "someone else updated the ref first": git receive-pack's CAS ("failed to
// update ref", "cannot lock ref"), GitHub/GitLab ("fetch first", "stale info") and Azure Repos (TF401028).
const CONFLICT =
  /non-fast-forward|fetch first|failed to (update|lock)|cannot lock|stale info|incorrect old value|TF401028|already been updated/i;
// Refusals a retry will not fix: branch protection and server hooks (GitHub GH006, Azure Repos TF402455).
const DECLINED = /protected branch|hook declined|GH006|GH013|TF402455|TF401027|not allowed|denied/i;

/** Says why a push lost a race, or undefined when the error is not a lost race. */
export function conflictReason(error: unknown, movedTo: string | undefined): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UserCanceledError' && movedTo !== undefined) {
    return `moved to ${movedTo.slice(0, 12)} after it was fetched`;
  }
  if (code === 'PushRejectedError') return 'moved after it was fetched (not a fast-forward)';
  if (code === 'GitPushError') {
    const reasons = refErrors(error);
    if (reasons.length > 0 && reasons.every((reason) => CONFLICT.test(reason))) {
      return `was updated by another writer during the push (server: ${reasons.join('; ')})`;
    }
  }
  return undefined;
}

/**
 * Turns an isomorphic-git or transport error into a `GitHostRefusedError` (fix the setting the message
 * names) or a `GitHostUnavailableError` (retry later). The message names the redacted URL, never a token.
 */
export function toGitHostError(error: unknown, action: 'fetch' | 'push', ctx: GitContext): Error {
  const where =
    action === 'push' ? `push to ${ctx.branch} of ${ctx.label}` : `fetch of ${ctx.branch} from ${ctx.label}`;
  const token = ctx.tokenSetting ? `the token in app setting ${ctx.tokenSetting}` : 'the configured token';
  const scrub = (text: string) => scrubSecrets(text, ctx.secrets);
  const code = (error as { code?: unknown } | null)?.code;

  if (code === 'HttpError') {
    const { statusCode: status, statusMessage } = (
      error as { data: { statusCode: number; statusMessage: string } }
    ).data;
    const refused = (why: string) =>
      new GitHostRefusedError(`${where} was refused (${status}): ${why}`, { status });
    if (status === 401) {
      return refused(
        ctx.hasAuth
          ? `${token} was rejected; check that it is valid and not expired`
          : 'the repository needs credentials; set tokenFrom on this gitops repo to an app setting holding a token',
      );
    }
    if (status === 403) {
      return refused(
        action === 'push'
          ? `${ctx.hasAuth ? token : 'anonymous access'} needs write access${scopeHint(ctx.provider, 'write')}`
          : `${ctx.hasAuth ? token : 'anonymous access'} needs read access${scopeHint(ctx.provider, 'read')}`,
      );
    }
    if (status === 404) {
      return refused(
        `the repository was not found; check the url of this gitops repo${ctx.hasAuth ? ` and that ${token} can see it` : ' (private repositories need tokenFrom)'}`,
      );
    }
    return new GitHostUnavailableError(
      `${where} failed (${status} ${scrub(statusMessage)}); it will be retried`,
      {
        status,
        cause: error,
      },
    );
  }
  if (code === 'NotFoundError' && action === 'fetch') {
    return new GitHostRefusedError(
      `branch ${ctx.branch} does not exist in ${ctx.label}; check the branch of this gitops repo`,
    );
  }
  if (code === 'GitPushError') {
    const reasons = refErrors(error).map(scrub);
    const detail = reasons.join('; ') || 'no reason given';
    if (reasons.some((reason) => DECLINED.test(reason))) {
      return new GitHostRefusedError(
        `${where} was declined by the server: ${detail}; if the branch is protected, use mode: pull-request`,
      );
    }
    return new GitHostUnavailableError(`${where} failed on the server: ${detail}; it will be retried`, {
      cause: error,
    });
  }
  if (error instanceof DomainError) {
    // From the outbound client: a policy refusal (fix the config) stays as it is; a transport failure
    // (already redacted) is retried.
    if (!error.retryable) return error;
    return new GitHostUnavailableError(`could not reach ${ctx.label} (${action}): ${scrub(error.message)}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GitHostUnavailableError(`${where} failed: ${scrub(message)}`, { cause: error });
}

function scopeHint(provider: GitContext['provider'], access: 'read' | 'write'): string {
  if (provider === 'github')
    return access === 'write' ? ' (GitHub: contents:write)' : ' (GitHub: contents:read)';
  if (provider === 'azure-devops') {
    return access === 'write' ? ' (Azure DevOps: Code (Read & Write))' : ' (Azure DevOps: Code (Read))';
  }
  return '';
}

function refErrors(error: unknown): string[] {
  const result = (error as { data?: { result?: { ok?: boolean; error?: string | null; refs?: object } } })
    .data?.result;
  const reasons: string[] = [];
  if (result?.ok === false && result.error) reasons.push(`unpack ${result.error}`);
  for (const status of Object.values(result?.refs ?? {}) as { ok: boolean; error?: string }[]) {
    if (!status.ok) reasons.push(status.error ?? 'rejected');
  }
  return reasons;
}
