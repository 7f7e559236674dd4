import type { Config, NotifyKind } from '../config/schema';
import type { ImageEvent } from '../events/image-event';
import { notificationPayloadSchema, type NotificationPayload } from '../messages/action-messages';

/** The kind of card an event itself produces: a push or a delete. */
export function eventKind(event: ImageEvent): 'pushed' | 'deleted' {
  return event.action === 'push' || event.action === 'chart_push' ? 'pushed' : 'deleted';
}

/**
 * A payload of `kind` for `event`, to preview cards (`acr-autopilot card --kind`). `pushed` and
 * `deleted` are what ingress queues for the event; the outcome kinds are realistic samples built from
 * the event and the config's names (the first gitops repo, deploy target, retention settings), with a
 * made-up file change, commit, run and counts. `sample` says whether anything was made up.
 */
export function samplePayload(
  kind: NotifyKind,
  event: ImageEvent,
  config: Pick<Config, 'gitops' | 'deployTargets' | 'retention'>,
): { payload: NotificationPayload; sample: boolean } {
  const name = event.registry ? `${event.registry}/${event.repository}` : event.repository;
  const [repoName, repo] = Object.entries(config.gitops)[0] ?? ['fleet', undefined];
  const build = (payload: unknown) => ({ payload: notificationPayloadSchema.parse(payload), sample: true });
  switch (kind) {
    case 'pushed':
    case 'deleted':
      return { payload: { kind, event }, sample: false };
    case 'pinned': {
      const pullRequest = repo?.mode === 'pull-request';
      const web = repo?.url.replace(/\.git$/, '');
      return build({
        kind: 'pinned',
        event,
        repo: repoName,
        result: pullRequest ? 'pull-request' : 'committed',
        files: [
          {
            file: `apps/${event.repository}/deployment.yaml`,
            line: 21,
            before: `${name}:${event.tag ?? 'latest'}`,
            after: `${name}${event.tag ? `:${event.tag}` : ''}@${event.digest}`,
          },
        ],
        commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a',
        ...(web && pullRequest ? { pullRequestUrl: `${web}/pull/1` } : {}),
        ...(web && !pullRequest
          ? { commitUrl: `${web}/commit/3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a` }
          : {}),
      });
    }
    case 'deployed': {
      const [target, deployTarget] = Object.entries(config.deployTargets)[0] ?? ['production', undefined];
      const github =
        deployTarget?.type === 'github-workflow' || deployTarget?.type === 'github-dispatch'
          ? deployTarget.repo
          : undefined;
      return build({
        kind: 'deployed',
        event,
        target,
        targetType: deployTarget?.type ?? 'github-workflow',
        ...(github ? { runUrl: `https://github.com/${github}/actions/runs/1` } : {}),
      });
    }
    case 'retention':
      return build({
        kind: 'retention',
        dryRun: config.retention?.dryRun ?? true,
        registries: [
          {
            registry: event.registry || 'registry',
            kept: 10,
            deleted: 3,
            failed: 0,
            repositories: [{ repository: event.repository, deleted: 3 }],
          },
        ],
      });
    case 'failed':
      return build({
        kind: 'failed',
        action: 'pin',
        error: `git push to ${repo?.url ?? 'the GitOps repository'} was rejected: non-fast-forward (the branch moved while committing)`,
        attempts: 5,
        poisoned: true,
        event,
        target: repoName,
      });
  }
}
