import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardOf } from '../../shared/domain/cards/teams-message';
import type { FakeDeployApis } from './fake-deploy-apis';
import { queueLeaseSetting } from '../../shared/local-host/queue-listener';
import { repoRoot } from './fixtures';
import type { GitHttpServer } from './git-http-server';

/**
 * Pieces the reliability scenarios (test/e2e/reliability/) share: ACR deliveries, a sender that
 * retries like Event Grid, an app folder whose host.json polls fast, and ways to name each reaction
 * (a commit, a card) by the image it is about, so the scenarios can count them.
 */

export const registry = 'contoso.azurecr.io';
const eventGridKey = 'reliability-eventgrid-key';
export const eventGridPath = `/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=${eventGridKey}`;

/** A Deployment named `name` with one container per image (`<repository>:<tag>` under `registry`). */
export const deploymentYaml = (name: string, images: readonly string[]): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, i) => [`        - name: c${i}`, `          image: ${registry}/${image}`]),
    '',
  ].join('\n');

export const digestOf = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export interface ImageChange {
  action: 'push' | 'delete';
  repository: string;
  tag: string;
  /** Default: derived from repository and tag, so a push and its delete share it. */
  digest?: string;
}

/** An ACR webhook body, as `az acr webhook create --actions push delete` sends it. */
export function acrWebhookBody(change: ImageChange, id: string): Record<string, unknown> {
  return {
    id,
    action: change.action,
    timestamp: '2026-12-01T10:00:00.000Z',
    target: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: change.digest ?? digestOf(`${change.repository}:${change.tag}`),
      repository: change.repository,
      tag: change.tag,
    },
    request: { host: registry, method: change.action === 'push' ? 'PUT' : 'DELETE' },
  };
}

/** The same change as an Event Grid delivery (one event in the array) from the replica in `location`. */
export function eventGridBody(change: ImageChange, id: string, location = 'westeurope'): unknown[] {
  return [
    {
      id,
      topic: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contoso',
      subject: `${change.repository}:${change.tag}`,
      eventType: `Microsoft.ContainerRegistry.Image${change.action === 'push' ? 'Pushed' : 'Deleted'}`,
      eventTime: '2026-12-01T10:00:00.500Z',
      dataVersion: '2.0',
      metadataVersion: '1',
      data: { ...acrWebhookBody(change, id), location },
    },
  ];
}

export const eventGridHeaders = {
  'aeg-event-type': 'Notification',
  'aeg-subscription-name': 'ACR-TO-AUTOPILOT',
  'aeg-delivery-count': '0',
};

/**
 * Sends until the answer is not a 5xx, as Event Grid does (a delivery that overlaps another one of the
 * same event is told to retry); returns the final status. ACR itself never retries, but then the
 * overlapping delivery has already queued the event.
 */
export async function deliverUntilAnswered(
  send: () => Promise<Response>,
  { tries = 40, pauseMs = 150 } = {},
): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < tries; attempt++) {
    const response = await send();
    await response.arrayBuffer();
    status = response.status;
    if (status < 500) return status;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return status;
}

export function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * A folder for `startLocalHostProcess({ appRoot })`: the repository's host.json with the idle queue
 * poll at 200 ms (instead of 2 s) and a failed invocation retried after 1 s, so retry schedules
 * scaled down to seconds are not stretched by polling; `batchSize` when given. local.settings.json
 * opens the Event Grid endpoint (`eventGridPath`) and sets nothing else.
 */
export function fastAppRoot(queues: { batchSize?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-app-'));
  const hostJson = JSON.parse(readFileSync(join(repoRoot, 'host.json'), 'utf8')) as {
    extensions: { queues: Record<string, unknown> };
  };
  hostJson.extensions.queues.maxPollingInterval = '00:00:00.200';
  hostJson.extensions.queues.visibilityTimeout = '00:00:01';
  if (queues.batchSize !== undefined) hostJson.extensions.queues.batchSize = queues.batchSize;
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson, null, 2));
  writeFileSync(
    join(dir, 'local.settings.json'),
    JSON.stringify({ IsEncrypted: false, Values: { AUTOPILOT_LOCAL_EVENTGRID_KEY: eventGridKey } }),
  );
  return dir;
}

/** Writes `autopilot.yaml` into a new temp folder and returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-config-'));
  writeFileSync(join(dir, 'autopilot.yaml'), yaml);
  return join(dir, 'autopilot.yaml');
}

/**
 * Environment for a local host whose queue listener holds a message it is handling for `seconds`
 * instead of 5 minutes (the local host's lease; Azure's is 10). A host killed mid-invocation leaves its
 * messages invisible for that long before another host may take them: a crash test waits for the
 * lease as the app would, only scaled down, like the retry delays.
 */
export function shortLeaseEnv(seconds: number): Record<string, string> {
  return { [queueLeaseSetting]: String(Math.ceil(seconds)) };
}

/** `commit:<repository>:<tag>` for every autopilot commit on `branch` (from the default subject). */
export async function commitReactions(git: GitHttpServer, repo: string, branch = 'main'): Promise<string[]> {
  const commits = await git.listCommits(repo, branch);
  return commits.flatMap((commit) => {
    const match = /^chore\(images\): pin (\S+):(\S+) to /.exec(commit.message);
    return match ? [`commit:${match[1]}:${match[2]}`] : [];
  });
}

/**
 * `card:<kind>:<image>` for every card a fake Teams server (or any recording server) received, from the
 * card's fallback text
 * (`Pinned payments/api:1.0.0 in fleet`, `Image deleted: payments/api:1.0.0`,
 * `Pinning the digest failed: dead · payments/api:1.0.0`).
 */
export function cardReactions(requests: readonly { body: string }[]): string[] {
  return requests.flatMap((request) => {
    let text = '';
    try {
      const card = cardOf(JSON.parse(request.body)) as { fallbackText?: unknown } | undefined;
      text = typeof card?.fallbackText === 'string' ? card.fallbackText : '';
    } catch {
      return [];
    }
    return [cardId(text)];
  });
}

function cardId(title: string): string {
  const rules: [RegExp, string][] = [
    [/^(?:Pinned|Already pinned:) (\S+) in /, 'pinned'],
    [/^Pull request to pin (\S+) in /, 'pinned'],
    [/^\S+ deleted: (\S+)/, 'deleted'],
    [/^\S+ pushed: (\S+)/, 'pushed'],
    [/^Pinning the digest failed: .*?(\S+)$/, 'failed-pin'],
    [/^Triggering the deployment failed: .*?(\S+)$/, 'failed-deploy'],
  ];
  for (const [pattern, kind] of rules) {
    const match = pattern.exec(title);
    if (match) return `card:${kind}:${match[1]}`;
  }
  return `card:other:${title}`;
}

/**
 * `deploy:<repository>:<tag>` for every call a webhook deploy target of the fake deploy APIs received,
 * except those `refused` holds (answered with an error by a script).
 */
export function deployReactions(api: FakeDeployApis, refused: ReadonlySet<object> = new Set()): string[] {
  return api.to('hooks').flatMap((request) => {
    if (refused.has(request)) return [];
    const event = (request.body as { data?: { event?: { repository?: string; tag?: string } } } | undefined)
      ?.data?.event;
    return [`deploy:${event?.repository ?? '?'}:${event?.tag ?? '?'}`];
  });
}
