import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peekAll, queueLength } from '../../helpers/azurite';
import { pipelineFunctionArgs } from '../../helpers/e2e-app';
import {
  startFakeDeployApis,
  type FakeDeployApis,
  type RecordedRequest,
} from '../../helpers/fake-deploy-apis';
import { startFakeTeamsServer, type FakeTeamsServer } from '../../helpers/fake-teams-server';
import { repoRoot } from '../../helpers/fixtures';
import { closedPort, startGitHttpServer, type GitHttpServer } from '../../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../../helpers/local-host-process';
import {
  acrWebhookBody,
  cardReactions,
  commitReactions,
  deliverUntilAnswered,
  deployReactions,
  fastAppRoot,
  postJson,
  writeConfig,
  type ImageChange,
  deploymentYaml,
} from '../../helpers/reliability-app';
import { recordRow, repeats, tally } from '../../helpers/reliability-row';
import { startScriptedHttpServer, type ScriptedHttpServer } from '../../helpers/scripted-http-server';

/**
 * Reliability: git, the deploy target and Teams down, through the local host, with the retry delays
 * scaled down by config (1 s instead of minutes). Two outages run side by side:
 *
 * - A short one (fleet, deploy hook "web", Teams channel "platform"): the pin is refused for more
 *   attempts than the old schedule had in all (5), the deployment and the card a few times; all land
 *   once when the targets recover.
 * - A long one (gitops "dead", deploy hook "site", Teams channel "oncall" not listening): the pin and
 *   the deployment are parked on their poison queues with a failure card to "ops", and the failure
 *   cards for "oncall" are parked on notifications-poison.
 *
 * Then everything is back up: later events flow at once, and `acr-autopilot poison requeue <queue>
 * --all` replays what was parked, whose reactions then arrive. Each reaction exactly once.
 */
const secret = 'Bearer e2e-outage-secret';
const TOKEN = 'ghp_e2eOutageToken00000000000000000001';
/** More failed attempts than the old schedule had in all (5). */
const outageAttempts = 6;
const budget = { pin: 7, deploy: 6, notify: 4 };
/** Failed attempts of the pinned card on "platform" (each is two 503s: one blip retried in the worker). */
const cardOutage = 2;
const run = promisify(execFile);

let host: RunningHost;
let git: GitHttpServer;
let platform: FakeTeamsServer;
let ops: FakeTeamsServer;
let oncall: ScriptedHttpServer | undefined;
let oncallPort: number;
let api: FakeDeployApis;
/** Fetch rounds refused so far, per repository, while it is "down". */
const refused = new Map<string, number>();
const downFor = new Map<string, number>();
/** Deploy hook calls answered 503, and how many more to refuse per hook. */
const refusedHooks = new Set<RecordedRequest>();
const hookDownFor = new Map<string, number>();

beforeAll(async () => {
  [git, platform, ops, api, oncallPort] = await Promise.all([
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakeTeamsServer(),
    startFakeTeamsServer(),
    startFakeDeployApis({ githubToken: 'unused', adoPat: 'unused', argocdTokens: {}, armToken: 'unused' }),
    closedPort(),
  ]);
  await git.createRepo('org/fleet', { 'apps/api.yaml': deploymentYaml('app', ['payments/api:1.1.0']) });
  await git.createRepo('org/dead', {
    'apps/worker.yaml': deploymentYaml('app', ['payments/worker:2.0.0', 'payments/worker:2.1.0']),
  });
  // A "down" repository answers 503 to the first request of each fetch round.
  git.onRequest = (info) => {
    const repo = info.repo;
    if (info.phase !== 'discover' || info.service !== 'git-upload-pack') return undefined;
    const count = refused.get(repo) ?? 0;
    if (count >= (downFor.get(repo) ?? 0)) return undefined;
    refused.set(repo, count + 1);
    return { status: 503, body: 'the git host is down' };
  };
  // A "down" deploy hook answers 503.
  api.script({
    status: 503,
    body: { message: 'the deploy target is down' },
    times: Number.POSITIVE_INFINITY,
    match: (request) => {
      const hook = request.path.slice(1);
      const left = hookDownFor.get(hook) ?? 0;
      if (request.api !== 'hooks' || left <= 0) return false;
      hookDownFor.set(hook, left - 1);
      refusedHooks.add(request);
      return true;
    },
  });
  const retry = (attempts: number) =>
    `{ maxAttempts: ${attempts}, baseDelay: 1s, maxDelay: 1s, within: 10m }`;
  // "oncall" is a Teams Workflows URL on a port nothing listens on until the outage ends.
  const oncallUrl = ops.workflowUrl().replace(ops.origin, `http://127.0.0.1:${oncallPort}`);
  const config = writeConfig(`
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
  dead: { url: '${git.repoUrl('org/dead')}', tokenFrom: GITOPS_TOKEN }
teams:
  platform: { urlFrom: TEAMS_PLATFORM }
  ops: { urlFrom: TEAMS_OPS }
  oncall: { urlFrom: TEAMS_ONCALL }
deployTargets:
  web: { type: webhook, url: '${api.hookUrl('web')}' }
  site: { type: webhook, url: '${api.hookUrl('site')}' }
notifications: { burstWindow: 0s }
retry: { pin: ${retry(budget.pin)}, deploy: ${retry(budget.deploy)}, notify: ${retry(budget.notify)} }
rules:
  - match: { repository: payments/api }
    pin: { repo: fleet }
    deploy: { targets: [web], after: pin }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
  - match: { repository: payments/worker }
    pin: { repo: dead }
    notify: [{ channel: ops, kinds: [pinned, failed] }, { channel: oncall, kinds: [pinned, failed] }]
  - match: { repository: web/site }
    deploy: [site]
    notify: [{ channel: ops, kinds: [failed] }, { channel: oncall, kinds: [failed] }]
`);
  host = await startLocalHostProcess({
    appRoot: fastAppRoot(),
    args: pipelineFunctionArgs,
    env: {
      AUTOPILOT_CONFIG: config,
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: platform.workflowUrl(),
      TEAMS_OPS: ops.workflowUrl(),
      TEAMS_ONCALL: oncallUrl,
      GITOPS_TOKEN: TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), platform?.close(), ops?.close(), oncall?.close(), api?.close()]);
});

const push = (repository: string, tag: string): Promise<number> => {
  const change: ImageChange = { action: 'push', repository, tag };
  return deliverUntilAnswered(() =>
    postJson(`${host.url}/api/acr/webhook`, acrWebhookBody(change, `outage-${repository}-${tag}`), {
      authorization: secret,
    }),
  );
};

/** Every reaction so far; Teams requests answered 503 and refused deploy calls do not count. */
const observed = async () => [
  ...(await commitReactions(git, 'org/fleet')),
  ...(await commitReactions(git, 'org/dead')),
  ...deployReactions(api, refusedHooks),
  ...cardReactions(platform.requests.slice(cardOutage * 2)).map((id) => `${id}@platform`),
  ...cardReactions(ops.requests).map((id) => `${id}@ops`),
  ...cardReactions(oncall?.requests ?? []).map((id) => `${id}@oncall`),
];
const missing = async (expected: readonly string[]) => {
  const seen = new Set(await observed());
  return expected.filter((id) => !seen.has(id));
};
const poll = { timeout: 60_000, interval: 250 };

/** `acr-autopilot poison requeue <queue> --all`, the built CLI against the host's storage. */
async function requeueAll(queue: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [join(repoRoot, 'dist', 'shared', 'cli', 'main.js'), 'poison', 'requeue', queue, '--all'],
    {
      cwd: mkdtempSync(join(tmpdir(), 'outage-cli-')),
      env: { PATH: process.env.PATH ?? '', AzureWebJobsStorage: host.storage },
    },
  );
  return stdout;
}

describe('reliability: targets down for a while, then back', () => {
  const expectedA = [
    'commit:payments/api:1.1.0',
    'deploy:payments/api:1.1.0',
    'card:pinned:payments/api:1.1.0@platform',
  ];
  const parkedCards = ['card:failed-pin:payments/worker:2.0.0@ops', 'card:failed-deploy:web/site:3.0.0@ops'];
  const later = [
    'commit:payments/worker:2.1.0',
    'card:pinned:payments/worker:2.1.0@ops',
    'card:pinned:payments/worker:2.1.0@oncall',
    'deploy:web/site:3.1.0',
  ];
  const replayed = [
    'commit:payments/worker:2.0.0',
    'card:pinned:payments/worker:2.0.0@ops',
    'card:pinned:payments/worker:2.0.0@oncall',
    'deploy:web/site:3.0.0',
    'card:failed-pin:payments/worker:2.0.0@oncall',
    'card:failed-deploy:web/site:3.0.0@oncall',
  ];

  it('retries through a short outage and parks, with a failure card, what a long one outlasts', async () => {
    downFor.set('org/fleet', outageAttempts);
    downFor.set('org/dead', Number.POSITIVE_INFINITY);
    hookDownFor.set('web', 2);
    hookDownFor.set('site', Number.POSITIVE_INFINITY);
    platform.reply(...Array.from({ length: cardOutage * 2 }, () => ({ status: 503 })));

    expect(
      await Promise.all([
        push('payments/api', '1.1.0'),
        push('payments/worker', '2.0.0'),
        push('web/site', '3.0.0'),
      ]),
    ).toEqual([202, 202, 202]);

    // The short outage: everything lands once the targets recover.
    await expect.poll(() => missing(expectedA), poll).toEqual([]);
    expect(refused.get('org/fleet')).toBe(outageAttempts);
    const output = () => host.output();
    expect(
      output().match(/pinRequest\s+warn\s+pin of .*api:1\.1\.0.* failed \(attempt \d of 7\).*retrying in/g),
    ).toHaveLength(outageAttempts);
    expect(
      output().match(/notifyTeams\s+warn\s+the pinned card .* failed \(attempt \d of 4\).*retrying in/g),
    ).toHaveLength(cardOutage);
    expect(output()).toMatch(
      /deployRequest\s+warn\s+deploy of .*api:1\.1\.0.* to "web" failed \(attempt 1 of 6\)/,
    );

    // The long outage: the pin, the deployment and the failure cards for "oncall" are parked.
    await expect.poll(() => missing(parkedCards), poll).toEqual([]);
    await expect.poll(() => queueLength(host.storage, 'notifications-poison'), poll).toBe(2);
    expect(await queueLength(host.storage, 'pin-requests-poison')).toBe(1);
    expect(await queueLength(host.storage, 'deploy-requests-poison')).toBe(1);
    expect(refused.get('org/dead')).toBe(budget.pin);
    const [parked] = (await peekAll(host.storage, 'pin-requests-poison')) as {
      repo: string;
      delivery: { attempt: number; reason: string };
    }[];
    expect(parked).toMatchObject({
      repo: 'dead',
      delivery: { attempt: budget.pin, reason: expect.stringMatching(/503.*gave up: all 7 attempts failed/) },
    });
    expect(output()).toMatch(
      /pinRequest\s+error\s+pin of .* Moved to pin-requests-poison \(it kept failing\).*acr-autopilot poison requeue pin-requests/,
    );
  }, 90_000);

  it('lets later events flow once the targets are back, and replays the parked ones with poison requeue', async ({
    task,
  }) => {
    downFor.set('org/dead', 0);
    hookDownFor.set('site', 0);
    oncall = await startScriptedHttpServer({ port: oncallPort });

    expect(await Promise.all([push('payments/worker', '2.1.0'), push('web/site', '3.1.0')])).toEqual([
      202, 202,
    ]);
    await expect.poll(() => missing(later), poll).toEqual([]);

    const requeued = await Promise.all(['pin-requests', 'deploy-requests', 'notifications'].map(requeueAll));
    for (const stdout of requeued) expect(stdout).toMatch(/requeued [12] messages? /);
    const expected = [...expectedA, ...parkedCards, ...later, ...replayed];
    await expect.poll(() => missing(expected), poll).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // time for a second (wrong) reaction
    const seen = await observed();
    const counts = tally(expected, seen);
    recordRow(task, {
      scenario: 'git, deploy and Teams down; poison requeue',
      eventsIn: 5,
      ...counts,
    });

    expect(repeats(seen)).toEqual({});
    expect(counts).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    for (const queue of ['pin-requests', 'deploy-requests', 'notifications']) {
      expect(await queueLength(host.storage, `${queue}-poison`), `${queue}-poison`).toBe(0);
    }
    expect(api.violations).toEqual([]);
    expect(host.output()).not.toMatch(/local host error|unexpected:/);
  }, 90_000);
});
