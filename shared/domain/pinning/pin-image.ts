import type { GitopsRepo } from '../config/schema';
import { ConfigError, DomainError } from '../errors';
import { describeImage } from '../events/image-event';
import type { Notification, PinRequest } from '../messages/action-messages';
import { poisonQueueOf, queueNames } from '../messages/queues';
import { changedFiles, pullRequestBody, renderCommitMessage, subjectOf } from './commit-message';
import { commitUrlFor } from './commit-url';
import { gitCredentials, type GitCredentials } from './git-credentials';
import { failedNotifications, pinnedNotifications, type PinReport } from './pin-notifications';
import { createPinEditor } from './pin-editor';
import type { PinDelivery, PinDeps, PinWriteInput } from './pin-ports';
import { rewriteImageRefs, type RewriteOptions } from './rewrite-image-refs';

export type { PinDelivery, PinDeps } from './pin-ports';

/** What became of one pin request. Failures a retry can fix are thrown instead. */
export type PinOutcome =
  | ({ kind: 'pinned'; attempts: number } & PinReport)
  /** Nothing to do: a digest-only push (which tag moved?) or an event without a registry. */
  | { kind: 'skipped'; reason: string }
  /** Retrying cannot help (config, token, refused by the host): reported and moved to pin-requests-poison. */
  | { kind: 'parked'; reason: string };

const poisonQueue = poisonQueueOf(queueNames.pin);

/**
 * Pins the pushed digest into the request's gitops repository and reports the outcome.
 *
 * - Selects the files under the request's `paths` (globs, dotfiles included) and runs
 *   `rewriteImageRefs` inside the writer's edit, so every round (after a lost race too) rewrites the
 *   fresh tree. A redelivered request finds nothing to change and makes no commit.
 * - Push mode commits to the configured branch; pull-request mode to the bot-owned branch
 *   (`pullRequestBranch`), then opens or updates the pull request — also when that branch already held
 *   the change, so a redelivery after a crash between push and PR still opens it.
 * - Sends one `pinned` notification per notify route that wants them (keyed by `pinOutcomeKey`).
 *
 * A failure retrying cannot fix (unknown gitops repo, unset token setting, 401/403/404, a bad template
 * or digest) sends `failed` notifications, parks the request on pin-requests-poison and resolves
 * `parked`. Anything else is thrown so the queue retries it; on the last attempt `failed`
 * notifications go out first. No message or log line holds a token.
 */
export async function pinImage(
  deps: PinDeps,
  request: PinRequest,
  delivery: PinDelivery,
): Promise<PinOutcome> {
  const what = `pin of ${describeImage(request.event)} into gitops "${request.repo}"`;
  const { tag } = request.event;
  if (tag === undefined || request.event.registry === '') {
    const reason =
      tag === undefined
        ? 'a digest-only push does not say which tag moved, so no reference is pinned'
        : 'the event names no registry, so no reference can match it (set ingress.defaultRegistry)';
    deps.log.info(`${what} skipped: ${reason}`);
    return { kind: 'skipped', reason };
  }
  const secrets: string[] = [];
  try {
    const report = await pin(deps, request, tag, secrets);
    await sendAll(deps, pinnedNotifications(request, report));
    const where = report.pullRequestUrl ?? report.commit?.slice(0, 12) ?? 'no commit';
    deps.log.info(
      `${what}: ${report.result} (${where}; ${changedFiles(report.changes).length} file(s), ` +
        `${report.skipped.length} reference(s) skipped)`,
    );
    return { kind: 'pinned', attempts: delivery.attempt, ...report };
  } catch (thrown) {
    const reason = scrub(thrown instanceof Error ? thrown.message : String(thrown), secrets);
    if (thrown instanceof DomainError && !thrown.retryable) {
      return park(deps, request, delivery, `${what} failed: ${reason}`, reason);
    }
    const attempt = `attempt ${delivery.attempt} of ${delivery.maxAttempts}`;
    if (delivery.attempt < delivery.maxAttempts) {
      deps.log.warn(`${what} failed (${attempt}); the queue retries it: ${reason}`);
      throw thrown;
    }
    deps.log.error(`${what} failed on the last ${attempt}; the host moves it to ${poisonQueue}: ${reason}`);
    await sendAll(
      deps,
      failedNotifications(request, { error: reason, attempts: delivery.attempt, poisoned: true }),
    ).catch((error: unknown) => deps.log.error(`could not queue the failed notification: ${String(error)}`));
    throw thrown;
  }
}

async function pin(deps: PinDeps, request: PinRequest, tag: string, secrets: string[]): Promise<PinReport> {
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
  const targetBranch =
    repo.mode === 'pull-request' ? deps.pullRequestBranch(event.repository, tag) : undefined;
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
    writeInput(repo, credentials, event.id, targetBranch),
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
    return {
      result: 'pull-request',
      changes,
      skipped,
      commit: result.commit,
      commitUrl,
      pullRequestUrl: pullRequest.url,
    };
  }
  if (result.outcome === 'committed') {
    return { result: 'committed', changes, skipped, commit: result.commit, commitUrl };
  }
  return { result: 'no-change', changes, skipped };
}

function gitopsRepo(deps: PinDeps, request: PinRequest): GitopsRepo {
  const repos = deps.config.gitops;
  const repo = Object.hasOwn(repos, request.repo) ? repos[request.repo] : undefined;
  if (repo) return repo;
  const defined = Object.keys(repos);
  const rule = request.rule.name ? `rule "${request.rule.name}"` : `rules[${request.rule.index}]`;
  throw new ConfigError(
    `gitops repo "${request.repo}" is not configured (${defined.length ? `defined: ${defined.join(', ')}` : 'no gitops repo is defined'}); ` +
      `add gitops.${request.repo} to the config, or change ${rule}.pin.repo`,
  );
}

function writeInput(
  repo: GitopsRepo,
  credentials: GitCredentials,
  eventId: string,
  targetBranch: string | undefined,
): PinWriteInput {
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

async function park(
  deps: PinDeps,
  request: PinRequest,
  delivery: PinDelivery,
  problem: string,
  reason: string,
): Promise<PinOutcome> {
  // Notifications first: if parking then fails, the retry sends them again and the Teams consumer
  // drops the copies by key; the other order could lose the report.
  await sendAll(
    deps,
    failedNotifications(request, { error: reason, attempts: delivery.attempt, poisoned: true }),
  );
  await deps.queue.send(poisonQueue, request);
  deps.log.error(
    `${problem}. Retrying cannot help, so the request was moved to ${poisonQueue}; fix the cause, then move ` +
      `the message back to ${queueNames.pin} to run it again`,
  );
  return { kind: 'parked', reason };
}

async function sendAll(deps: PinDeps, notifications: readonly Notification[]): Promise<void> {
  for (const notification of notifications) await deps.queue.send(queueNames.notify, notification);
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce(
    (result, secret) => (secret.length >= 4 ? result.split(secret).join('***') : result),
    text,
  );
}
