import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { queueLength, startTestAzurite } from '../../helpers/azurite';
import { functionArgs } from '../../helpers/e2e-app';
import { startGitHttpServer, type GitHttpServer } from '../../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../../helpers/local-host-process';
import {
  acrWebhookBody,
  commitReactions,
  deliverUntilAnswered,
  digestOf,
  fastAppRoot,
  postJson,
  registry,
  writeConfig,
  deploymentYaml,
} from '../../helpers/reliability-app';
import { recordRow, repeats, tally } from '../../helpers/reliability-row';

/**
 * Reliability: 50 pushes at once, each pinned into the same file of one GitOps repo, by two local hosts
 * that share one storage account (two Function instances taking turns at pin-requests, each handling a
 * batch of messages at a time). Every push must leave exactly one commit and its digest in the final
 * file: no lost update, however the pushes race. (The git adapter's own 50-writer race is in
 * test/integration/adapters/git/git-write-back-conflicts.test.ts; this runs the whole pin path.)
 */
const secret = 'Bearer reliability-pins-secret';
const TOKEN = 'ghp_reliabilityPins00000000000000001';
const file = 'apps/platform/deployment.yaml';
const services = Array.from({ length: 50 }, (_, i) => `platform/svc-${String(i).padStart(2, '0')}`);

let azurite: AzuriteHandle;
let git: GitHttpServer;
const hosts: RunningHost[] = [];

beforeAll(async () => {
  [azurite, git] = await Promise.all([
    startTestAzurite(),
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
  ]);
  await git.createRepo('org/fleet', {
    [file]: deploymentYaml(
      'platform',
      services.map((svc) => `${svc}:1.0.0`),
    ),
  });
  const config = writeConfig(`
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
retry:
  pin: { maxAttempts: 20, baseDelay: 1s, maxDelay: 2s, within: 10m }
rules:
  - match: { repository: 'platform/*' }
    pin: { repo: fleet }
`);
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: config,
    ACR_WEBHOOK_SECRET: secret,
    GITOPS_TOKEN: TOKEN,
    AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
  };
  hosts.push(
    ...(await Promise.all([
      startLocalHostProcess({
        appRoot: fastAppRoot(),
        args: functionArgs(['acr-webhook', 'app-start', 'fan-out-actions', 'pin-request']),
        env,
      }),
      startLocalHostProcess({
        appRoot: fastAppRoot(),
        args: functionArgs(['app-start', 'pin-request']),
        env,
      }),
    ])),
  );
});
afterAll(async () => {
  for (const host of hosts) await host.stop();
  await git?.close();
  await azurite?.stop();
});

describe('reliability: concurrent pins into one file', () => {
  it('keeps all 50 digests when 50 pushes are pinned into one file by two instances at once', async ({
    task,
  }) => {
    const [ingress] = hosts as [RunningHost, RunningHost];
    const seed = await git.head('org/fleet', 'main');

    const statuses = await Promise.all(
      services.map((repository) =>
        deliverUntilAnswered(() =>
          postJson(
            `${ingress.url}/api/acr/webhook`,
            acrWebhookBody({ action: 'push', repository, tag: '1.0.0' }, `pins-${repository}`),
            { authorization: secret },
          ),
        ),
      ),
    );
    expect(statuses.filter((status) => status !== 202)).toEqual([]);

    const expected = services.map((svc) => `commit:${svc}:1.0.0`);
    await expect
      .poll(async () => (await commitReactions(git, 'org/fleet')).length, { timeout: 60_000, interval: 250 })
      .toBeGreaterThanOrEqual(expected.length);
    await expect
      .poll(() => queueLength(azurite.connectionString, 'pin-requests'), { timeout: 10_000 })
      .toBe(0);
    const seen = await commitReactions(git, 'org/fleet');
    const text = (await git.readFile('org/fleet', 'main', file)).toString();
    const notInFile = services.filter(
      (svc) => !text.includes(`image: ${registry}/${svc}:1.0.0@${digestOf(`${svc}:1.0.0`)}\n`),
    );
    const counts = tally(expected, seen);
    recordRow(task, {
      scenario: '50 concurrent pins into one GitOps file',
      eventsIn: services.length,
      ...counts,
      lost: Math.max(counts.lost, notInFile.length),
    });

    expect(notInFile).toEqual([]);
    expect(repeats(seen)).toEqual({});
    expect(counts).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    // One straight line of 50 commits on top of the seed: each push fast-forwarded the one before.
    const commits = await git.listCommits('org/fleet', 'main');
    expect(commits.at(-1)?.oid).toBe(seed);
    commits.slice(0, -1).forEach((commit, i) => expect(commit.parents).toEqual([commits[i + 1]?.oid]));
    expect(await queueLength(azurite.connectionString, 'pin-requests-poison')).toBe(0);
    // Both instances took part.
    for (const host of hosts) expect(host.output()).toMatch(/pinRequest\s+info\s+pin of .*: committed/);
  }, 90_000);
});
