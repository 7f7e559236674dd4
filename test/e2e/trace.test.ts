import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushTrace } from '../../shared/domain/trace/assemble-trace';
import { pipelineFunctionArgs } from '../helpers/e2e-app';
import {
  acrWebhookBody,
  deploymentYaml,
  digestOf,
  eventGridBody,
  postJson,
  registry,
} from '../helpers/reliability-app';
import { startFakeDeployApis, type FakeDeployApis } from '../helpers/fake-deploy-apis';
import { startFakeTeamsServer, type FakeTeamsServer } from '../helpers/fake-teams-server';
import { repoRoot } from '../helpers/fixtures';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

/**
 * A recorded run through the local host, then `acr-autopilot trace` (the built CLI, reading the same
 * Azurite) on each push: a pin committed and a deployment after it, cards posted (one after a retry),
 * a pin that ends on the poison queue, a push that reached the app twice, a push no rule matched.
 */
const secret = 'Bearer e2e-trace-secret';
const TOKEN = 'ghp_e2eTraceToken0000000000000000000001';
const GH_TOKEN = 'ghp_e2eTraceActionsToken000000000000001';
const eventGridKey = 'e2e-trace-eventgrid-key';
const execFileAsync = promisify(execFile);

let host: RunningHost;
let git: GitHttpServer;
let api: FakeDeployApis;
let teams: FakeTeamsServer;

const push = (repository: string, tag: string) => ({ action: 'push' as const, repository, tag });

async function webhook(repository: string, tag: string, region?: string): Promise<string> {
  const response = await postJson(
    `${host.url}/api/acr/webhook${region ? `?region=${region}` : ''}`,
    acrWebhookBody(push(repository, tag), `trace-${repository}-${tag}`),
    { authorization: secret },
  );
  expect(response.status).toBe(202);
  return ((await response.json()) as { accepted: string }).accepted;
}

async function eventGrid(repository: string, tag: string, location: string): Promise<void> {
  const response = await postJson(
    `${host.url}/runtime/webhooks/eventgrid?functionName=acrEventGrid&code=${eventGridKey}`,
    eventGridBody(push(repository, tag), `eg-${repository}-${tag}`, location),
    { 'aeg-event-type': 'Notification' },
  );
  expect(response.status).toBe(200);
}

/** Runs the built CLI against the host's Azurite, as an operator would with the app's settings. */
async function trace(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(repoRoot, 'dist', 'shared', 'cli', 'main.js'), 'trace', ...args],
      {
        cwd: mkdtempSync(join(tmpdir(), 'e2e-trace-cli-')),
        env: { PATH: process.env.PATH ?? '', AzureWebJobsStorage: host.storage },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function traceJson(ref: string): Promise<PushTrace[]> {
  const { code, stdout, stderr } = await trace(ref, '--json');
  if (code !== 0) return [];
  expect(stderr).toBe('');
  return (JSON.parse(stdout) as { traces: PushTrace[] }).traces;
}

beforeAll(async () => {
  [git, api, teams] = await Promise.all([
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakeDeployApis({ githubToken: GH_TOKEN, adoPat: 'x', argocdTokens: {}, armToken: 'x' }),
    startFakeTeamsServer(),
  ]);
  await git.createRepo('org/fleet', { 'apps/api.yaml': deploymentYaml('api', ['payments/api:1.4.2']) });
  await git.createRepo('org/dead', {
    'apps/worker.yaml': deploymentYaml('worker', ['payments/worker:2.0.0']),
  });
  // org/dead never answers a fetch: its pin is retried once, then parked.
  git.onRequest = (info) =>
    info.repo === 'org/dead' && info.phase === 'discover' && info.service === 'git-upload-pack'
      ? { status: 503, body: 'the git host is down' }
      : undefined;
  // The first card (the pinned card) meets Teams down twice (one blip retried in the worker): one
  // queue retry. It is the only card of that push, so which card meets the outage is certain.
  teams.reply({ status: 503 }, { status: 503 });
  const dir = mkdtempSync(join(tmpdir(), 'e2e-trace-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
  dead: { url: '${git.repoUrl('org/dead')}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
notifications: { burstWindow: 0s }
deployTargets:
  web:
    type: github-workflow
    repo: contoso/web
    workflow: deploy.yml
    tokenFrom: GH_TOKEN
    apiUrl: '${api.githubApiUrl}'
    inputs: { image: '{{image}}', commit: '{{commit}}' }
retry:
  pin: { maxAttempts: 2, baseDelay: 1s, maxDelay: 1s, within: 10m }
  notify: { maxAttempts: 5, baseDelay: 1s, maxDelay: 1s, within: 10m }
rules:
  - name: payments
    match: { repository: payments/api }
    pin: { repo: fleet, paths: ['**'] }
    deploy: { targets: [web], after: pin }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
  - name: worker
    match: { repository: payments/worker }
    pin: { repo: dead }
    notify: [{ channel: platform, kinds: [failed] }]
`,
  );
  host = await startLocalHostProcess({
    args: pipelineFunctionArgs,
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      AUTOPILOT_LOCAL_EVENTGRID_KEY: eventGridKey,
      TEAMS_PLATFORM: teams.workflowUrl(),
      GITOPS_TOKEN: TOKEN,
      GH_TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), api?.close(), teams?.close()]);
});

describe('acr-autopilot trace over a recorded run (local host)', () => {
  it('shows the pin commit, the deployment after it, the card posted after a retry, every delivery', async () => {
    const key = await webhook('payments/api', '1.4.2', 'westeurope');
    // The same push again: from a second replica's webhook, and from Event Grid.
    await webhook('payments/api', '1.4.2', 'eastus');
    await eventGrid('payments/api', '1.4.2', 'northeurope');

    await expect.poll(() => api.runs.length, { timeout: 30_000, interval: 200 }).toBe(1);
    const cardsDone = (found: PushTrace | undefined) =>
      found?.actions.filter((action) => action.action === 'notify' && action.status === 'done').length ?? 0;
    await expect
      .poll(async () => cardsDone((await traceJson('payments/api:1.4.2'))[0]), {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(1);
    const head = await git.head('org/fleet', 'main');

    const [found, ...others] = await traceJson('payments/api:1.4.2');
    expect(others).toEqual([]);
    expect(found?.dedupeKey).toBe(key);
    expect(found?.verdict).toMatchObject({ outcome: 'deployed', headline: 'deployed to "web"' });
    expect(found?.deliveries.map((delivery) => [delivery.via, delivery.region, delivery.result])).toEqual([
      ['acr-webhook', 'westeurope', 'queued'],
      ['acr-webhook', 'eastus', 'duplicate'],
      ['event-grid-trigger', 'northeurope', 'duplicate'],
    ]);
    expect(found?.duplicatesDropped).toBe(2);
    expect(found?.rules).toEqual([
      { index: 0, name: 'payments', matched: true },
      {
        index: 1,
        name: 'worker',
        matched: false,
        reason: 'repository "payments/api" does not match match.repository "payments/worker"',
      },
    ]);
    const action = (name: string, target?: string) =>
      found?.actions.find(
        (candidate) => candidate.action === name && (!target || candidate.target === target),
      );
    expect(action('fan-out')).toMatchObject({ status: 'done', attempts: 1 });
    expect(action('pin', 'fleet')).toMatchObject({
      status: 'done',
      attempts: 1,
      summary: { kind: 'committed', links: { commit: head } },
    });
    expect(action('pin', 'fleet')?.summary?.text).toMatch(
      /^committed [0-9a-f]{12} \(1 file\(s\)\); queued deploy to web$/,
    );
    expect(action('deploy', 'web')).toMatchObject({
      status: 'done',
      after: 'pin',
      summary: { kind: 'deployed', links: { commit: head } },
    });
    // The card met the outage: its first attempt was retried, its second posted it.
    expect(action('notify')).toMatchObject({
      target: 'platform (pinned card)',
      status: 'done',
      attempts: 2,
      retries: 1,
      summary: { kind: 'posted', text: 'posted to Teams channel "platform"' },
    });
    expect(action('notify')?.history.map((record) => record.result)).toEqual(['retrying', 'done']);
    expect(
      found?.timeline.some((entry) =>
        /^the pinned card .*attempt 1 failed: .*503.*; retrying in \d+ s$/.test(entry.text),
      ),
    ).toBe(true);

    // The human form leads with the verdict, and the dedupe key finds the same push.
    const text = await trace(key);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      `push ${registry}/payments/api:1.4.2@${digestOf('payments/api:1.4.2').slice(0, 19)}  (dedupe key ${key})`,
      'verdict: deployed to "web"',
    ]);
    expect(text.stdout).toMatch(/\n {2}\S+ {2}Event Grid trigger \(northeurope\), event \S+: duplicate\n/);
    expect(text.stdout).toMatch(
      /\n {2}deploy → web \(after pin\) +done \(1 attempt\(s\)\) +triggered github-workflow/,
    );
  }, 90_000);

  it('shows a pin parked on the poison queue, with its attempts, error and replay command', async () => {
    const key = await webhook('payments/worker', '2.0.0');
    const parked = async () =>
      (await traceJson(`${registry}/payments/worker:2.0.0`))[0]?.actions.find(
        (action) => action.action === 'pin',
      )?.status;
    await expect.poll(parked, { timeout: 40_000, interval: 500 }).toBe('parked');
    // The failure card the runner sent when it parked the pin is traced under the same push.
    await expect
      .poll(
        async () =>
          (await traceJson(key))[0]?.actions.find((action) => action.target === 'platform (failed card)')
            ?.status,
        { timeout: 20_000, interval: 500 },
      )
      .toBe('done');

    const [found] = await traceJson(digestOf('payments/worker:2.0.0'));
    const pin = found?.actions.find((action) => action.action === 'pin');
    expect(pin).toMatchObject({ target: 'dead', status: 'parked', attempts: 2, retries: 1 });
    expect(pin?.reason).toMatch(/503/);
    expect(pin?.history.map((record) => record.result)).toEqual(['retrying', 'parked']);
    expect(found?.verdict).toMatchObject({
      outcome: 'not-deployed',
      headline: 'not deployed: rule "worker" matched, but no deployment was planned',
    });

    const text = await trace(`payments/worker:2.0.0`);
    expect(text.stdout).toMatch(/\n {2}pin → dead +parked \(2 attempt\(s\), 1 retried\) +.*503/);
    expect(text.stdout).toMatch(/failed for good: .*; parked on pin-requests-poison/);
    expect(text.stdout).toContain(`replay: acr-autopilot poison requeue pin-requests --id ${key}`);
    expect(pin?.replay).toBe(`acr-autopilot poison requeue pin-requests --id ${key}`);
  }, 90_000);

  it('explains a push no rule matched, rule by rule', async () => {
    const key = await webhook('web/site', '3.0.0');
    const [found] = await traceJson('web/site:3.0.0');
    expect(found?.dedupeKey).toBe(key);
    expect(found?.verdict).toEqual({
      outcome: 'not-deployed',
      headline: 'not deployed: no rule matched',
      reasons: [
        'rule "payments": repository "web/site" does not match match.repository "payments/api"',
        'rule "worker": repository "web/site" does not match match.repository "payments/worker"',
      ],
    });
    expect(found?.deliveries).toEqual([
      expect.objectContaining({ via: 'acr-webhook', result: 'nothing-planned' }),
    ]);
    expect(found?.actions).toEqual([]);
  });

  it('exits 1 for a push the app never saw', async () => {
    const { code, stderr } = await trace('payments/api:0.0.0');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^nothing recorded for payments\/api:0\.0\.0/);
  });
});
