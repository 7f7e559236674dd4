import { z } from 'zod';
import { maxEventTypeChars, type DeployTargetOf } from '../config/deploy-targets-schema';
import { ConfigError } from '../errors';
import { describeImage } from '../events/image-event';
import {
  joinUrl,
  queryString,
  type DeployHttpRequest,
  type DeployInput,
  type DeployRequestExtra,
} from './deploy-http-request';
import { renderJsonStrings, renderTemplate, templateValues } from './render-template';

/**
 * GitHub Actions triggers (shared/reference/gitops.md §6): `workflow_dispatch` and
 * `repository_dispatch`, and finding the run a dispatch started.
 * @see https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event
 * @see https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event
 */

const githubHeaders = {
  accept: 'application/vnd.github+json',
  'content-type': 'application/json',
  'x-github-api-version': '2022-11-28',
  // GitHub refuses API requests without a User-Agent.
  'user-agent': 'acr-autopilot',
} as const;

/** "The total size of the JSON payload must be less than 64KB" (client_payload). */
const maxClientPayloadBytes = 65_536;

/**
 * `POST {apiUrl}/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches` with `{ ref, inputs }`;
 * 204, or 200 `{ workflow_run_id, run_url, html_url }` with `return_run_details: true`.
 */
export function githubWorkflowRequest(
  target: DeployTargetOf<'github-workflow'>,
  input: DeployInput,
  extra: DeployRequestExtra,
): DeployHttpRequest {
  const [owner = '', repo = ''] = target.repo.split('/');
  const values = templateValues(input.event, input.pin);
  const inputs = Object.fromEntries(
    Object.entries(target.inputs).map(([name, template]) => [name, renderTemplate(template, values)]),
  );
  return {
    method: 'POST',
    url: joinUrl(target.apiUrl, 'repos', owner, repo, 'actions', 'workflows', target.workflow, 'dispatches'),
    headers: { ...githubHeaders },
    body: JSON.stringify({
      ref: target.ref,
      inputs,
      ...(extra.returnRunDetails === false ? {} : { return_run_details: true }),
    }),
  };
}

/** `POST {apiUrl}/repos/{owner}/{repo}/dispatches` with `{ event_type, client_payload }`; 204. */
export function githubDispatchRequest(
  target: DeployTargetOf<'github-dispatch'>,
  input: DeployInput,
): DeployHttpRequest {
  const [owner = '', repo = ''] = target.repo.split('/');
  const values = templateValues(input.event, input.pin);
  const eventType = renderTemplate(target.eventType, values);
  const where = `deployTargets.${input.target}`;
  const image = describeImage(input.event);
  if (eventType.length === 0 || eventType.length > maxEventTypeChars) {
    throw new ConfigError(
      `${where}.eventType renders to ${eventType.length} characters for ${image}; GitHub needs 1 to ${maxEventTypeChars}`,
      [{ path: `${where}.eventType`, message: `renders to ${eventType.length} characters` }],
    );
  }
  const clientPayload = target.clientPayload
    ? (renderJsonStrings(target.clientPayload, values) as Record<string, unknown>)
    : defaultClientPayload(values, input.pin !== undefined);
  const size = Buffer.byteLength(JSON.stringify(clientPayload));
  if (size >= maxClientPayloadBytes) {
    throw new ConfigError(
      `${where}.clientPayload renders to ${size} bytes for ${image}; GitHub takes less than 64 KB`,
      [{ path: `${where}.clientPayload`, message: `renders to ${size} bytes` }],
    );
  }
  return {
    method: 'POST',
    url: joinUrl(target.apiUrl, 'repos', owner, repo, 'dispatches'),
    headers: { ...githubHeaders },
    body: JSON.stringify({ event_type: eventType, client_payload: clientPayload }),
  };
}

/** Sent when a `github-dispatch` target names no `clientPayload`. */
function defaultClientPayload(
  values: ReturnType<typeof templateValues>,
  afterPin: boolean,
): Record<string, string> {
  const { image, repository, tag, digest, registry, commit, pullRequestUrl } = values;
  return {
    image,
    repository,
    tag,
    digest,
    registry,
    ...(afterPin && commit ? { commit } : {}),
    ...(afterPin && pullRequestUrl ? { pullRequestUrl } : {}),
  };
}

/** The run a `return_run_details: true` dispatch answered with (200). */
export interface DispatchedRun {
  id: number;
  /** The run's page, for people (the card's "Open run"). */
  htmlUrl: string;
}

const runDetailsSchema = z.object({
  workflow_run_id: z.number().int(),
  run_url: z.string().optional(),
  html_url: z.string(),
});

/** The run from a 200 answer to a dispatch with `return_run_details`; undefined for anything else. */
export function parseRunDetails(body: unknown): DispatchedRun | undefined {
  const parsed = runDetailsSchema.safeParse(body);
  return parsed.success ? { id: parsed.data.workflow_run_id, htmlUrl: parsed.data.html_url } : undefined;
}

/** How far GitHub's clock may be behind ours when matching a run's `created_at` to our dispatch. */
const defaultClockSkewMs = 10_000;

/** `ref` as GitHub reports it in a run's `head_branch`: `refs/heads/main` → `main`, `refs/tags/v1` → `v1`. */
function branchOf(ref: string): string {
  return ref.replace(/^refs\/(?:heads|tags)\//, '');
}

/**
 * `GET …/actions/workflows/{workflow}/runs?event=workflow_dispatch&branch=…&created=>=…`: the runs that
 * may be the one a dispatch at `since` started (when the dispatch answered 204 without run details).
 * @see https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow
 */
export function workflowRunsRequest(
  target: DeployTargetOf<'github-workflow'>,
  since: Date,
  clockSkewMs = defaultClockSkewMs,
): DeployHttpRequest {
  const [owner = '', repo = ''] = target.repo.split('/');
  const from = new Date(since.getTime() - clockSkewMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    method: 'GET',
    url:
      joinUrl(target.apiUrl, 'repos', owner, repo, 'actions', 'workflows', target.workflow, 'runs') +
      queryString({
        event: 'workflow_dispatch',
        branch: branchOf(target.ref),
        created: `>=${from}`,
        per_page: '20',
      }),
    headers: {
      accept: githubHeaders.accept,
      'x-github-api-version': githubHeaders['x-github-api-version'],
      'user-agent': githubHeaders['user-agent'],
    },
  };
}

const runsSchema = z.object({
  workflow_runs: z.array(
    z.object({
      id: z.number().int(),
      html_url: z.string(),
      created_at: z.string(),
      event: z.string().optional(),
      head_branch: z.string().nullable().optional(),
    }),
  ),
});

/**
 * Picks the run our dispatch at `since` started from a `workflowRunsRequest` answer: a
 * `workflow_dispatch` run on the target's branch, not one already claimed (`exclude`), the first
 * created at or after `since`; failing that, the last one created within the clock skew before it.
 * Undefined when there is none yet (GitHub creates the run a moment after the 204: ask again).
 */
export function pickDispatchedRun(
  body: unknown,
  options: { since: Date; ref: string; exclude?: ReadonlySet<number>; clockSkewMs?: number },
): DispatchedRun | undefined {
  const parsed = runsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  // created_at has whole seconds.
  const since = Math.floor(options.since.getTime() / 1000) * 1000;
  const earliest = since - (options.clockSkewMs ?? defaultClockSkewMs);
  const branch = branchOf(options.ref);
  const candidates = parsed.data.workflow_runs
    .map((run) => ({ run, created: Date.parse(run.created_at) }))
    .filter(
      ({ run, created }) =>
        (run.event === undefined || run.event === 'workflow_dispatch') &&
        (run.head_branch == null || run.head_branch === branch) &&
        !options.exclude?.has(run.id) &&
        Number.isFinite(created) &&
        created >= earliest,
    )
    .sort((a, b) => a.created - b.created || a.run.id - b.run.id);
  const picked = candidates.find(({ created }) => created >= since) ?? candidates[candidates.length - 1];
  return picked ? { id: picked.run.id, htmlUrl: picked.run.html_url } : undefined;
}
