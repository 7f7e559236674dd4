import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { queueLength, startTestAzurite } from '../../helpers/azurite';
import { pipelineFunctionArgs } from '../../helpers/e2e-app';
import { startFakeDeployApis, type FakeDeployApis } from '../../helpers/fake-deploy-apis';
import { startFakeTeamsServer, type FakeTeamsServer } from '../../helpers/fake-teams-server';
import { startGitHttpServer, type CannedResponse, type GitHttpServer } from '../../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../../helpers/local-host-process';
import {
  acrWebhookBody,
  cardReactions,
  commitReactions,
  deliverUntilAnswered,
  deployReactions,
  fastAppRoot,
  postJson,
  shortLeaseEnv,
  writeConfig,
  type ImageChange,
  deploymentYaml,
} from '../../helpers/reliability-app';
import { recordRow, repeats, tally } from '../../helpers/reliability-row';

/**
 * Reliability: the local host killed with SIGKILL while it is handling accepted events (every one
 * answered 202, so queued in Azurite, which runs on), then started again on the same storage. Every
 * accepted event must still get exactly one commit, one deployment call and one card.
 *
 * The kill lands while pin requests are inside their git push, held by the git server. After the kill
 * the held pushes to fleet-a go through (the commit landed, but the host died before it could say so,
 * send the card or queue the deployment) and those to fleet-b are refused (nothing landed). The
 * restarted host gets the messages back when the dead host's lease on them runs out: 4 s here (see
 * `AUTOPILOT_LOCAL_QUEUE_LEASE` via `shortLeaseEnv`), 5 min by default in the local host, 10 min on Azure.
 */
const secret = 'Bearer reliability-crash-secret';
const TOKEN = 'ghp_reliabilityCrash0000000000000001';
const leaseSeconds = 4;
const services = Array.from({ length: 6 }, (_, i) => `svc-${i}`);

let azurite: AzuriteHandle;
let git: GitHttpServer;
let teams: FakeTeamsServer;
let api: FakeDeployApis;
let config: string;
const hosts: RunningHost[] = [];

/** Pushes held by the git server while `holding`; released after the kill. */
let holding = false;
const held: { repo: string; release: (answer: CannedResponse | undefined) => void }[] = [];

async function startHost(): Promise<RunningHost> {
  const host = await startLocalHostProcess({
    appRoot: fastAppRoot(),
    args: pipelineFunctionArgs,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      AUTOPILOT_CONFIG: config,
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: teams.workflowUrl(),
      GITOPS_TOKEN: TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
      ...shortLeaseEnv(leaseSeconds),
    },
  });
  hosts.push(host);
  return host;
}

beforeAll(async () => {
  [azurite, git, teams, api] = await Promise.all([
    startTestAzurite(),
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakeTeamsServer(),
    startFakeDeployApis({ githubToken: 'unused', adoPat: 'unused', argocdTokens: {}, armToken: 'unused' }),
  ]);
  await Promise.all([
    git.createRepo('org/fleet-a', {
      'apps/a.yaml': deploymentYaml(
        'crash-a',
        services.map((svc) => `crash-a/${svc}:1.0.0`),
      ),
    }),
    git.createRepo('org/fleet-b', {
      'apps/b.yaml': deploymentYaml(
        'crash-b',
        services.map((svc) => `crash-b/${svc}:1.0.0`),
      ),
    }),
  ]);
  git.onRequest = (info) => {
    if (!holding || info.service !== 'git-receive-pack' || info.phase !== 'rpc') return undefined;
    return new Promise<CannedResponse | undefined>((release) => held.push({ repo: info.repo, release }));
  };
  const retry = '{ maxAttempts: 10, baseDelay: 1s, maxDelay: 1s, within: 10m }';
  config = writeConfig(`
gitops:
  fleet-a: { url: '${git.repoUrl('org/fleet-a')}', tokenFrom: GITOPS_TOKEN }
  fleet-b: { url: '${git.repoUrl('org/fleet-b')}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
deployTargets:
  hook: { type: webhook, url: '${api.hookUrl('crash')}' }
notifications: { burstWindow: 0s }
retry: { pin: ${retry}, deploy: ${retry}, notify: ${retry} }
rules:
  - match: { repository: 'crash-a/*' }
    pin: { repo: fleet-a }
    deploy: { targets: [hook], after: pin }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
  - match: { repository: 'crash-b/*' }
    pin: { repo: fleet-b }
    deploy: { targets: [hook], after: pin }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
`);
});
afterAll(async () => {
  for (const entry of held.splice(0)) entry.release({ status: 503 });
  for (const host of hosts) await host.stop();
  await Promise.all([git?.close(), teams?.close(), api?.close()]);
  await azurite?.stop();
});

const observed = async () => [
  ...(await commitReactions(git, 'org/fleet-a')),
  ...(await commitReactions(git, 'org/fleet-b')),
  ...deployReactions(api),
  ...cardReactions(teams.requests),
];
const reactionsOf = (change: ImageChange) => {
  const image = `${change.repository}:${change.tag}`;
  return [`commit:${image}`, `deploy:${image}`, `card:pinned:${image}`];
};
const missing = (expected: readonly string[], seen: readonly string[]) => {
  const got = new Set(seen);
  return expected.filter((id) => !got.has(id));
};

describe('reliability: the local host killed mid-flight', () => {
  it('processes every accepted event exactly once after a SIGKILL and a restart', async ({ task }) => {
    const push = (team: string, svc: string): ImageChange => ({
      action: 'push',
      repository: `${team}/${svc}`,
      tag: '1.0.0',
    });
    const [before, after] = [services.slice(0, 1), services.slice(1)].map((group) =>
      group.flatMap((svc) => [push('crash-a', svc), push('crash-b', svc)]),
    ) as [ImageChange[], ImageChange[]];
    const send = (changes: ImageChange[]) =>
      Promise.all(
        changes.map((change) =>
          deliverUntilAnswered(() =>
            postJson(
              `${hosts[hosts.length - 1]?.url}/api/acr/webhook`,
              acrWebhookBody(change, `crash-${change.repository}`),
              { authorization: secret },
            ),
          ),
        ),
      );
    const first = await startHost();

    // Some events fully handled before the crash…
    expect(await send(before)).toEqual(before.map(() => 202));
    await expect
      .poll(async () => missing(before.flatMap(reactionsOf), await observed()), {
        timeout: 20_000,
        interval: 200,
      })
      .toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500)); // their messages deleted, claims completed
    // …the others accepted, then the host dies while their commits are being pushed.
    holding = true;
    expect(await send(after)).toEqual(after.map(() => 202));
    await expect.poll(() => held.length, { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    holding = false;
    const heldRepos = [...new Set(held.map((entry) => entry.repo))].sort();
    const headA = await git.head('org/fleet-a', 'main');
    for (const entry of held.splice(0)) {
      entry.release(
        entry.repo === 'org/fleet-a' ? undefined : { status: 503, body: 'the git host restarts' },
      );
    }
    if (heldRepos.includes('org/fleet-a')) {
      // The commit lands although nobody is left to hear about it.
      await expect.poll(() => git.head('org/fleet-a', 'main'), { timeout: 5_000 }).not.toBe(headA);
    }

    const second = await startHost();
    const expected = [...before, ...after].flatMap(reactionsOf);
    await expect
      .poll(async () => missing(expected, await observed()), { timeout: 40_000, interval: 250 })
      .toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // time for a second (wrong) reaction
    const seen = await observed();
    const counts = tally(expected, seen);
    recordRow(task, {
      scenario: 'local host SIGKILLed mid-flight, restarted',
      eventsIn: before.length + after.length,
      ...counts,
    });

    expect(repeats(seen)).toEqual({});
    expect(counts).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    if (heldRepos.includes('org/fleet-a')) {
      // The redelivered pin found its commit already there and still reported it.
      expect(cardReactions(teams.requests).length).toBe(expected.length / 3);
      expect(teams.requests.some((request) => request.body.includes('Already pinned'))).toBe(true);
    }
    for (const queue of ['pin-requests', 'deploy-requests', 'notifications']) {
      expect(await queueLength(azurite.connectionString, `${queue}-poison`), `${queue}-poison`).toBe(0);
    }
    expect(second.output()).not.toMatch(/local host error|unexpected:/);
  }, 90_000);
});
