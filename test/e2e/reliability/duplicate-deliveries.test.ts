import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueLength } from '../../helpers/azurite';
import { pipelineFunctionArgs } from '../../helpers/e2e-app';
import { startFakeDeployApis, type FakeDeployApis } from '../../helpers/fake-deploy-apis';
import { startFakeTeamsServer, type FakeTeamsServer } from '../../helpers/fake-teams-server';
import { startGitHttpServer, type GitHttpServer } from '../../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../../helpers/local-host-process';
import {
  acrWebhookBody,
  cardReactions,
  commitReactions,
  deliverUntilAnswered,
  deployReactions,
  eventGridBody,
  eventGridHeaders,
  eventGridPath,
  fastAppRoot,
  postJson,
  writeConfig,
  type ImageChange,
  deploymentYaml,
} from '../../helpers/reliability-app';
import { recordRow, repeats, tally } from '../../helpers/reliability-row';

/**
 * Reliability: the same push delivered ten times at once (five ACR webhooks, five Event Grid
 * deliveries, as a geo-replicated registry with both subscriptions sends them), and a delete that
 * arrives before its push. Each action must react once: one commit, one deployment call, one card.
 * ingress.test.ts checks the queued messages of duplicate deliveries; this counts what reaches git,
 * the deploy target and Teams.
 */
const secret = 'Bearer reliability-duplicates-secret';
const TOKEN = 'ghp_reliabilityDuplicates000000000001';

let host: RunningHost;
let git: GitHttpServer;
let teams: FakeTeamsServer;
let api: FakeDeployApis;

beforeAll(async () => {
  [git, teams, api] = await Promise.all([
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakeTeamsServer(),
    startFakeDeployApis({ githubToken: 'unused', adoPat: 'unused', argocdTokens: {}, armToken: 'unused' }),
  ]);
  await git.createRepo('org/fleet', {
    'apps/shop.yaml': deploymentYaml('shop', ['shop/web:1.0.0', 'shop/api:2.0.0']),
  });
  const config = writeConfig(`
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
deployTargets:
  hook: { type: webhook, url: '${api.hookUrl('shop')}' }
notifications: { burstWindow: 0s }
rules:
  - match: { repository: 'shop/**', actions: [push, delete] }
    pin: { repo: fleet }
    deploy: { targets: [hook], after: pin }
    notify: [{ channel: platform, kinds: [pinned, deleted, failed] }]
`);
  host = await startLocalHostProcess({
    appRoot: fastAppRoot(),
    args: pipelineFunctionArgs,
    env: {
      AUTOPILOT_CONFIG: config,
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: teams.workflowUrl(),
      GITOPS_TOKEN: TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
});
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), teams?.close(), api?.close()]);
});

const webhook = (change: ImageChange, id: string) =>
  deliverUntilAnswered(() =>
    postJson(`${host.url}/api/acr/webhook`, acrWebhookBody(change, id), { authorization: secret }),
  );
const eventGrid = (change: ImageChange, id: string) =>
  deliverUntilAnswered(() =>
    postJson(`${host.url}${eventGridPath}`, eventGridBody(change, id), eventGridHeaders),
  );

const observed = async () => [
  ...(await commitReactions(git, 'org/fleet')),
  ...deployReactions(api),
  ...cardReactions(teams.requests),
];

describe('reliability: duplicate and out-of-order deliveries', () => {
  it('reacts once per action to 10 deliveries of one push, and to a delete that comes before its push', async ({
    task,
  }) => {
    const web: ImageChange = { action: 'push', repository: 'shop/web', tag: '1.0.0' };
    const apiPush: ImageChange = { action: 'push', repository: 'shop/api', tag: '2.0.0' };
    const apiDelete: ImageChange = { ...apiPush, action: 'delete' };

    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? webhook(web, `dup-webhook-${i}`) : eventGrid(web, `dup-eg-${i}`),
      ),
    );
    const outOfOrder = [await webhook(apiDelete, 'late-delete'), await webhook(apiPush, 'early-push')];

    expect([...statuses, ...outOfOrder].filter((status) => status !== 200 && status !== 202)).toEqual([]);
    const expected = [
      'commit:shop/web:1.0.0',
      'deploy:shop/web:1.0.0',
      'card:pinned:shop/web:1.0.0',
      'card:deleted:shop/api:2.0.0',
      'commit:shop/api:2.0.0',
      'deploy:shop/api:2.0.0',
      'card:pinned:shop/api:2.0.0',
    ];
    await expect
      .poll(async () => missing(expected, await observed()), {
        timeout: 30_000,
        interval: 200,
      })
      .toEqual([]);
    // Time for any second (wrong) reaction to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const seen = await observed();
    const counts = tally(expected, seen);
    recordRow(task, { scenario: '10× the same push; a delete before its push', eventsIn: 12, ...counts });

    expect(repeats(seen)).toEqual({});
    expect(counts).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(api.violations).toEqual([]);
    for (const queue of ['pin-requests', 'deploy-requests', 'notifications']) {
      expect(await queueLength(host.storage, `${queue}-poison`), `${queue}-poison`).toBe(0);
    }
    expect(host.child.exitCode).toBeNull();
    expect(host.output()).not.toMatch(/local host error|unexpected:/);
  }, 60_000);
});

function missing(expected: readonly string[], seen: readonly string[]): string[] {
  const got = new Set(seen);
  return expected.filter((id) => !got.has(id));
}
