import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf } from '../../shared/domain/cards/teams-message';
import { peekAll, queueLength } from '../helpers/azurite';
import { functionArgs } from '../helpers/e2e-app';
import { startFakeTeamsServer, type FakeTeamsServer } from '../helpers/fake-teams-server';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

/**
 * Outages through the local host, with the retry delays scaled down by config (1 s instead of
 * minutes). Before the queue-consumer runner, a message was tried 5 times (each with 3 tries in the
 * worker) and then parked; here git and Teams stay down for more attempts than that and the work
 * still lands once they recover. A git host that never recovers ends in the poison queue with one
 * failure card.
 */
const secret = 'Bearer e2e-outage-secret';
const TOKEN = 'ghp_e2eOutageToken00000000000000000001';
const registry = 'contoso.azurecr.io';
/** More failed attempts than the old schedule had in all (5). */
const outageAttempts = 6;
const budget = 8;

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

let host: RunningHost;
let git: GitHttpServer;
let teams: FakeTeamsServer;
/** Fetch rounds refused so far, per repository, while it is "down". */
const refused = new Map<string, number>();
const downFor = new Map<string, number>();

function push(repository: string, tag: string) {
  const digest = `sha256:${createHash('sha256').update(`${repository}:${tag}`).digest('hex')}`;
  return fetch(`${host.url}/api/acr/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: secret },
    body: JSON.stringify({
      id: `outage-${repository}-${tag}`,
      action: 'push',
      timestamp: '2026-12-01T10:00:00.000Z',
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, repository, tag },
      request: { host: registry, method: 'PUT' },
    }),
  });
}

const accepted = (request: { body: string }) => JSON.stringify(cardOf(JSON.parse(request.body)));

beforeAll(async () => {
  [git, teams] = await Promise.all([
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakeTeamsServer(),
  ]);
  await git.createRepo('org/fleet', { 'apps/api.yaml': deployment(`${registry}/payments/api:1.1.0`) });
  await git.createRepo('org/dead', { 'apps/worker.yaml': deployment(`${registry}/payments/worker:2.0.0`) });
  // A "down" repository answers 503 to the first request of each fetch round.
  git.onRequest = (info) => {
    const repo = info.repo;
    if (info.phase !== 'discover' || info.service !== 'git-upload-pack') return undefined;
    const count = refused.get(repo) ?? 0;
    if (count >= (downFor.get(repo) ?? 0)) return undefined;
    refused.set(repo, count + 1);
    return { status: 503, body: 'the git host is down' };
  };
  const dir = mkdtempSync(join(tmpdir(), 'e2e-outage-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
  dead: { url: '${git.repoUrl('org/dead')}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
notifications: { burstWindow: 0s }
retry:
  pin: { maxAttempts: ${budget}, baseDelay: 1s, maxDelay: 1s, within: 10m }
  notify: { maxAttempts: ${budget}, baseDelay: 1s, maxDelay: 1s, within: 10m }
rules:
  - match: { repository: payments/api }
    pin: { repo: fleet }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
  - match: { repository: payments/worker }
    pin: { repo: dead }
    notify: [{ channel: platform, kinds: [pinned, failed] }]
`,
  );
  host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'app-start', 'fan-out-actions', 'pin-request', 'notify-teams']),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: teams.workflowUrl(),
      GITOPS_TOKEN: TOKEN,
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), teams?.close()]);
});

describe('retries through an outage (local host)', () => {
  it('lands the commit and the card when git and Teams recover after more attempts than the old schedule had', async () => {
    downFor.set('org/fleet', outageAttempts);
    // Each failed notify attempt is two 503s: one blip retried in the worker, then the queue waits.
    const down = Array.from({ length: outageAttempts * 2 }, () => ({ status: 503 }));
    teams.reply(...down);
    const seed = await git.head('org/fleet', 'main');

    expect((await push('payments/api', '1.1.0')).status).toBe(202);

    await expect.poll(() => git.head('org/fleet', 'main'), { timeout: 40_000, interval: 250 }).not.toBe(seed);
    expect(refused.get('org/fleet')).toBe(outageAttempts);
    await expect
      .poll(() => teams.requests.length, { timeout: 40_000, interval: 250 })
      .toBe(outageAttempts * 2 + 1);
    const [commit] = await git.listCommits('org/fleet', 'main');
    expect(commit?.message).toMatch(/^chore\(images\): pin payments\/api:1\.1\.0/);
    // Exactly one commit and one card: no message was lost or doubled.
    expect((await git.listCommits('org/fleet', 'main')).length).toBe(2);
    const cards = teams.requests.slice(outageAttempts * 2).map(accepted);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain('payments/api');
    expect(cards[0]).toMatch(/pinned|Pinned/);
    // Every re-send is in the log: one per failed attempt of each action.
    const output = host.output();
    expect(
      output.match(/pinRequest\s+warn\s+pin of .* failed \(attempt \d of 8\).*retrying in/g),
    ).toHaveLength(outageAttempts);
    expect(
      output.match(/notifyTeams\s+warn\s+the pinned card .* failed \(attempt \d of 8\).*retrying in/g),
    ).toHaveLength(outageAttempts);
    await expect.poll(() => queueLength(host.storage, 'pin-requests'), { timeout: 5_000 }).toBe(0);
    expect(await queueLength(host.storage, 'pin-requests-poison')).toBe(0);
    expect(await queueLength(host.storage, 'notifications-poison')).toBe(0);
  }, 90_000);

  it('parks the request with one failure card when the git host stays down past the budget', async () => {
    downFor.set('org/dead', Number.POSITIVE_INFINITY);
    const before = teams.requests.length;

    expect((await push('payments/worker', '2.0.0')).status).toBe(202);

    await expect
      .poll(() => queueLength(host.storage, 'pin-requests-poison'), { timeout: 60_000, interval: 250 })
      .toBe(1);
    expect(refused.get('org/dead')).toBe(budget);
    const [parked] = (await peekAll(host.storage, 'pin-requests-poison')) as {
      repo: string;
      delivery: { attempt: number; reason: string };
    }[];
    expect(parked).toMatchObject({
      repo: 'dead',
      delivery: { attempt: budget, reason: expect.stringMatching(/503.*gave up: all 8 attempts failed/) },
    });
    await expect.poll(() => teams.requests.length, { timeout: 20_000, interval: 250 }).toBe(before + 1);
    const card = accepted(teams.requests.at(-1) ?? { body: '{}' });
    expect(card).toContain('payments/worker');
    expect(card).toMatch(/failed|Failed/);
    // Exactly one failure card, even a few seconds later.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(teams.requests.length).toBe(before + 1);
    expect(host.output()).toMatch(
      /pinRequest\s+error\s+pin of .* Moved to pin-requests-poison \(it kept failing\)/,
    );
  }, 90_000);
});
