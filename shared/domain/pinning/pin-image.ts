import { DomainError } from '../errors';
import { configuredEntry } from '../config/configured-entry';
import type { GitopsRepo } from '../config/schema';
import { describeImage } from '../events/image-event';
import { deployRequestsAfterPin } from '../deploy/after-pin';
import { pinRequestSchema, type LandedPinInfo, type PinRequest } from '../messages/action-messages';
import type { QueueContract } from '../messages/queue-contract';
import { queueNames } from '../messages/queues';
import type { GitWriteInput } from '../ports';
import { actionTarget } from '../trace/action-target';
import { summarizePin } from '../trace/outcome-summaries';
import { scrubSecrets } from '../redact';
import { changedFiles, pullRequestBody, renderCommitMessage, subjectOf } from './commit-message';
import { commitUrlFor } from './commit-url';
import { gitCredentials, type GitCredentials } from './git-credentials';
import { failedNotifications, pinnedNotifications, type PinReport } from './pin-notifications';
import { createPinEditor } from './pin-editor';
import type { PinDeps } from './pin-ports';
import { prBranchName } from './pr-branch-name';
import { rewriteImageRefs, type RewriteOptions } from './rewrite-image-refs';
import { summarizeSkips } from './skip-summary';

export type { PinDeps } from './pin-ports';

/** What became of one pin request. Failures are thrown: the queue-consumer runner retries or parks them. */
export type PinOutcome =
  | ({ kind: 'pinned'; deploys?: DeploysAfterPin } & PinReport)
  /** Nothing to do: a digest-only push (which tag moved?) or an event without a registry. */
  | { kind: 'skipped'; reason: string };

/** The `deploy: { after: pin }` requests a landed pin sent to deploy-requests. */
export interface DeploysAfterPin {
  targets: string[];
  /** The commit they deploy. */
  commit?: string | undefined;
  /** Pull-request mode: they were sent when the pull request was opened, not when it is merged. */
  note?: string;
}

/** The pin-requests queue for the queue-consumer runner: its messages, log name and failure report. */
export const pinQueue: QueueContract<PinRequest, PinOutcome> = {
  queue: queueNames.pin,
  action: 'pin',
  schema: pinRequestSchema,
  describe: describePin,
  failed: (request, failure) => failedNotifications(request, { ...failure, poisoned: true }),
  target: actionTarget,
  summarize: summarizePin,
};

/** `pin of contoso.azurecr.io/payments/api:1.4.2@sha256:… into gitops "fleet"`. */
export function describePin(request: PinRequest): string {
  return `pin of ${describeImage(request.event)} into gitops "${request.repo}"`;
}

/**
 * Pins the pushed digest into the request's gitops repository and reports the outcome.
 *
 * - Selects the files under the request's `paths` (globs, dotfiles included) and runs
 *   `rewriteImageRefs` inside the writer's edit, so every round (after a lost race too) rewrites the
 *   fresh tree. A redelivered request finds nothing to change and makes no commit.
 * - Push mode commits to the configured branch; pull-request mode to the bot-owned branch
 *   (`prBranchName`), then opens or updates the pull request — also when that branch already held
 *   the change, so a redelivery after a crash between push and PR still opens it.
 * - Sends one `pinned` notification per notify route that wants them (keyed by `pinOutcomeKey`).
 *
 * Throws a `DomainError` that is not retryable when retrying cannot fix it (unknown gitops repo, unset
 * token setting, 401/403/404, a bad template or digest), and a retryable one otherwise. No error
 * message or log line holds a token.
 */
export async function pinImage(deps: PinDeps, request: PinRequest): Promise<PinOutcome> {
  const what = describePin(request);
  const { tag } = request.event;
  if (tag === undefined || request.event.registry === '') {
    const reason =
      tag === undefined
        ? 'a digest-only push does not say which tag moved, so no reference is pinned'
        : 'the event names no registry, so no reference can match it (set ingress.defaultRegistry)';
    const waiting = (request.then ?? []).map((next) => next.target);
    const notSent =
      waiting.length > 0 ? `; deployments after the pin (${waiting.join(', ')}) are not sent` : '';
    deps.log.info(`${what} skipped: ${reason}${notSent}`);
    return { kind: 'skipped', reason: `${reason}${notSent}` };
  }
  const secrets: string[] = [];
  let report: PinReport;
  let landed: LandedPinInfo;
  try {
    ({ report, landed } = await pin(deps, request, tag, secrets));
  } catch (thrown) {
    throw scrubbed(thrown, secrets);
  }
  for (const note of pinnedNotifications(request, report)) await deps.queue.send(queueNames.notify, note);
  const deploys = await sendDeploysAfterPin(deps, request, landed);
  const where = report.pullRequestUrl ?? report.commit?.slice(0, 12) ?? 'no commit';
  deps.log.info(
    `${what}: ${report.result} (${where}; ${changedFiles(report.changes).length} file(s), ` +
      `${summarizeSkips(report.skipped) || 'no mention skipped'})`,
  );
  return { kind: 'pinned', ...report, ...(deploys ? { deploys } : {}) };
}

/**
 * Queues the request's `deploy: { after: pin }` deployments now that the commit landed, with its sha
 * (a redelivered pin finds no change and sends them again with the commit that holds the pin; the
 * deploy consumer's idempotency record sends each target once). In pull-request mode they go out when
 * the pull request is opened or updated, not when it is merged: the outcome and the cards say so.
 */
async function sendDeploysAfterPin(
  deps: PinDeps,
  request: PinRequest,
  landed: LandedPinInfo,
): Promise<DeploysAfterPin | undefined> {
  const messages = deployRequestsAfterPin(request, landed);
  if (messages.length === 0) return undefined;
  for (const message of messages) await deps.queue.send(queueNames.deploy, message);
  const targets = messages.map((message) => message.target);
  const note =
    landed.result === 'pull-request'
      ? 'sent when the pull request was opened, not when it is merged'
      : undefined;
  deps.log.info(
    `${describePin(request)}: queued deployment(s) to ${targets.join(', ')} at ${landed.commit?.slice(0, 12) ?? 'the branch head'}` +
      (note ? ` (${note})` : ''),
  );
  return { targets, commit: landed.commit, ...(note ? { note } : {}) };
}

async function pin(
  deps: PinDeps,
  request: PinRequest,
  tag: string,
  secrets: string[],
): Promise<{ report: PinReport; landed: LandedPinInfo }> {
  const repo = gitopsRepo(deps, request);
  const { event } = request;
  const image = { registry: event.registry, repository: event.repository, tag, digest: event.digest };
  const options: Partial<RewriteOptions> = {
    mode: request.mode,
    render: request.render,
    registryAliases: deps.config.registryAliases,
    ...(request.tagPattern === undefined ? {} : { tagPattern: request.tagPattern }),
  };
  // Checks the digest, tag and pattern before any network call: a bad one is parked, not retried.
  rewriteImageRefs([], image, options);
  const credentials = gitCredentials(request.repo, repo, deps.setting);
  if (credentials.token) secrets.push(credentials.token);
  const targetBranch = repo.mode === 'pull-request' ? prBranchName(event.repository, tag) : undefined;
  const messageInput = {
    event,
    repo: request.repo,
    branch: targetBranch ?? repo.branch,
    rule: request.rule,
  };
  // A template with an unknown placeholder is a config error: find it before fetching anything.
  renderCommitMessage(repo.commitMessage, { ...messageInput, changes: [] });

  const editor = createPinEditor({
    paths: request.paths,
    image,
    options,
    message: (changes) => renderCommitMessage(repo.commitMessage, { ...messageInput, changes }),
  });
  const result = await deps.writer.writeBack(
    // The rule's globs let the writer skip directories they cannot select (a large repo's other apps).
    { ...writeInput(repo, credentials, event.id, targetBranch), paths: request.paths },
    editor.edit,
  );
  const { changes, skipped } = editor.last();
  const commitUrl = result.commit ? commitUrlFor(repo, result.commit) : undefined;

  if (targetBranch !== undefined && result.branch === targetBranch) {
    const message = renderCommitMessage(repo.commitMessage, { ...messageInput, changes });
    const pullRequest = await deps.pullRequests.openOrUpdate({
      url: repo.url,
      ...(repo.provider ? { provider: repo.provider } : {}),
      sourceBranch: targetBranch,
      targetBranch: repo.branch,
      title: subjectOf(message),
      body: pullRequestBody({ ...messageInput, changes, skipped, baseBranch: repo.branch }),
      // gitCredentials refuses pull-request mode without a token.
      token: credentials.token ?? '',
      ...(repo.tokenFrom ? { tokenSetting: repo.tokenFrom } : {}),
      ...(repo.apiUrl ? { apiUrl: repo.apiUrl } : {}),
    });
    const report: PinReport = {
      result: 'pull-request',
      changes,
      skipped,
      commit: result.commit,
      commitUrl,
      pullRequestUrl: pullRequest.url,
    };
    return { report, landed: landedFrom(report) };
  }
  if (result.outcome === 'committed') {
    const report: PinReport = { result: 'committed', changes, skipped, commit: result.commit, commitUrl };
    return { report, landed: landedFrom(report) };
  }
  // Nothing to commit: the branch head already holds the pin; deployments after it use that commit.
  return {
    report: { result: 'no-change', changes, skipped },
    landed: landedFrom({ result: 'no-change', commit: result.commit, commitUrl }),
  };
}

function landedFrom(
  report: Pick<PinReport, 'result' | 'commit' | 'commitUrl' | 'pullRequestUrl'>,
): LandedPinInfo {
  return {
    result: report.result,
    ...(report.commit ? { commit: report.commit } : {}),
    ...(report.commitUrl ? { commitUrl: report.commitUrl } : {}),
    ...(report.pullRequestUrl ? { pullRequestUrl: report.pullRequestUrl } : {}),
  };
}

function gitopsRepo(deps: PinDeps, request: PinRequest): GitopsRepo {
  return configuredEntry(deps.config.gitops, request.repo, {
    kind: 'gitops repo',
    section: 'gitops',
    rule: request.rule,
    field: 'pin.repo',
  });
}

function writeInput(
  repo: GitopsRepo,
  credentials: GitCredentials,
  eventId: string,
  targetBranch: string | undefined,
): GitWriteInput {
  return {
    url: repo.url,
    branch: repo.branch,
    author: repo.author,
    eventId,
    ...(credentials.auth ? { auth: credentials.auth } : {}),
    ...(repo.tokenFrom ? { tokenSetting: repo.tokenFrom } : {}),
    ...(repo.provider ? { provider: repo.provider } : {}),
    ...(targetBranch === undefined ? {} : { targetBranch }),
  };
}

/** The same error with every secret removed from its message (a host may echo a token back). */
function scrubbed(thrown: unknown, secrets: readonly string[]): unknown {
  if (!(thrown instanceof Error) || secrets.length === 0) return thrown;
  const message = scrubSecrets(thrown.message, secrets);
  if (message === thrown.message) return thrown;
  if (thrown instanceof DomainError) {
    return new DomainError(thrown.code, message, {
      issues: thrown.issues,
      retryable: thrown.retryable,
      cause: thrown,
    });
  }
  return new Error(message);
}
