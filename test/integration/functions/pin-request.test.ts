import { QueueServiceClient } from '@azure/storage-queue';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupeKeyFor } from '../../../shared/domain/events/dedupe-key';
import {
  pinRequestSchema,
  type Notification,
  type PinRequest,
} from '../../../shared/domain/messages/action-messages';
import { pinOutcomeKey } from '../../../shared/domain/pinning/pin-notifications';
import type { AzuriteHandle } from '../../../shared/local-host/azurite';
import { peekAll, startTestAzurite } from '../../helpers/azurite';
import { startFakePrApi, type FakePrApi } from '../../helpers/fake-pr-api';
import { closedPort, startGitHttpServer, type GitHttpServer } from '../../helpers/git-http-server';
import { pinRequest } from '../../../functions/pin-request';
import { useTestRuntime } from '../../helpers/runtime';

const TOKEN = 'ghp_pinRequestIntegrationToken000000001';
const READ_TOKEN = 'ghp_pinRequestReadOnlyToken0000000002';
const REF = 'contoso.azurecr.io/payments/api';
const manifest = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

let azurite: AzuriteHandle;
let git: GitHttpServer;
let api: FakePrApi;
const logs: string[] = [];

const context = (dequeueCount = 1) =>
  new InvocationContext({
    invocationId: `pin-${dequeueCount}`,
    functionName: 'pinRequest',
    logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`),
    triggerMetadata: { dequeueCount },
  });

/** A pin request for a push of payments/api:<tag> with a real sha256 digest. */
function request(repo: string, tag: string): PinRequest {
  const digest = `sha256:${createHash('sha256').update(`${repo}:${tag}`).digest('hex')}`;
  const image = { registry: 'contoso.azurecr.io', repository: 'payments/api', tag, digest };
  const dedupeKey = dedupeKeyFor({ ...image, action: 'push' });
  return pinRequestSchema.parse({
    type: 'pin',
    dedupeKey,
    correlationId: `evt-${repo}-${tag}`,
    event: {
      id: `evt-${repo}-${tag}`,
      source: 'acr-webhook',
      action: 'push',
      ...image,
      occurredAt: '2026-11-25T10:00:00.000Z',
      dedupeKey,
    },
    rule: { index: 0 },
    notify: [{ channel: 'platform', kinds: ['pinned', 'failed'] }],
    repo,
    paths: ['**/*.yaml'],
    mode: 'pin',
    render: 'tag-and-digest',
  });
}

const notificationsFor = async (pin: PinRequest) =>
  ((await peekAll(azurite.connectionString, 'notifications')) as Notification[]).filter(
    (note) => note.dedupeKey === pinOutcomeKey(pin),
  );

beforeAll(async () => {
  [azurite, git, api] = await Promise.all([
    startTestAzurite(),
    startGitHttpServer({ tokens: { [TOKEN]: 'write', [READ_TOKEN]: 'read' } }),
    startFakePrApi({ githubToken: TOKEN, azureDevOpsToken: 'unused-ado-token' }),
  ]);
  for (const name of ['org/fleet', 'org/fleet-pr', 'org/readonly']) {
    await git.createRepo(name, {
      'apps/payments/deployment.yaml': manifest(`${REF}:1.4.2`),
      'apps/payments/next.yaml': manifest(`${REF}:1.5.0`),
      'README.md': '# fleet\n',
    });
  }
  const down = `http://127.0.0.1:${await closedPort()}/org/fleet.git`;
  const dir = mkdtempSync(join(tmpdir(), 'pin-request-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
  fleet-pr: { url: '${git.repoUrl('org/fleet-pr')}', mode: pull-request, provider: github, apiUrl: '${api.githubApiUrl}', tokenFrom: GITOPS_TOKEN }
  readonly: { url: '${git.repoUrl('org/readonly')}', tokenFrom: READ_TOKEN }
  unset: { url: '${git.repoUrl('org/fleet')}', tokenFrom: UNSET_TOKEN }
  down: { url: '${down}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS } }
`,
  );
  await useTestRuntime({
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
    GITOPS_TOKEN: TOKEN,
    READ_TOKEN,
    TEAMS: 'https://prod-00.westus.logic.azure.com/workflows/x',
  });
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), git?.close(), api?.close()]);
});

describe('pinRequest (Azurite, git http-backend, fake GitHub API)', () => {
  it('commits the one-line pin to main and queues a pinned notification; a redelivery commits nothing', async () => {
    const pin = request('fleet', '1.4.2');
    const seed = await git.head('org/fleet', 'main');

    await pinRequest(pin, context());

    const head = await git.head('org/fleet', 'main');
    expect(head).not.toBe(seed);
    const diff = (await git.git('org/fleet', ['diff', '--unified=0', `${seed}`, `${head}`])).toString();
    expect(diff.split('\n').filter((line) => /^[-+] /.test(line))).toEqual([
      `-          image: ${REF}:1.4.2`,
      `+          image: ${REF}:1.4.2@${pin.event.digest}`,
    ]);
    const [commit] = await git.listCommits('org/fleet', 'main');
    expect(commit).toMatchObject({ authorName: 'acr-autopilot', parents: [seed] });
    expect(commit?.message).toMatch(/^chore\(images\): pin payments\/api:1\.4\.2 to sha256:[0-9a-f]{12}\n/);
    expect(commit?.message).toMatch(/\n\nAutopilot-Event: evt-fleet-1\.4\.2\n$/);
    expect(await notificationsFor(pin)).toEqual([
      expect.objectContaining({
        channel: 'platform',
        correlationId: pin.correlationId,
        payload: expect.objectContaining({
          kind: 'pinned',
          result: 'committed',
          commit: head,
          files: [expect.objectContaining({ file: 'apps/payments/deployment.yaml', line: 10 })],
        }),
      }),
    ]);

    await pinRequest(pin, context(2));

    expect(await git.head('org/fleet', 'main')).toBe(head);
    expect((await notificationsFor(pin)).map((note) => note.payload)).toEqual([
      expect.objectContaining({ result: 'committed' }),
      expect.objectContaining({ result: 'no-change', files: [] }),
    ]);
  });

  it('pushes the bot branch and opens one pull request on the GitHub API, reused on redelivery', async () => {
    const pin = request('fleet-pr', '1.5.0');
    const base = await git.head('org/fleet-pr', 'main');

    await pinRequest(pin, context());
    const branchHead = await git.head('org/fleet-pr', 'autopilot/payments-api-1.5.0');
    await pinRequest(pin, context(2));

    expect(await git.head('org/fleet-pr', 'main')).toBe(base);
    expect(await git.head('org/fleet-pr', 'autopilot/payments-api-1.5.0')).toBe(branchHead);
    expect(
      (
        await git.readFile('org/fleet-pr', 'autopilot/payments-api-1.5.0', 'apps/payments/next.yaml')
      ).toString(),
    ).toBe(manifest(`${REF}:1.5.0@${pin.event.digest}`));
    expect(api.pulls).toEqual([
      expect.objectContaining({
        repo: 'org/fleet-pr',
        head: 'autopilot/payments-api-1.5.0',
        base: 'main',
        title: expect.stringMatching(/^chore\(images\): pin payments\/api:1\.5\.0 to sha256:/),
      }),
    ]);
    expect(api.violations).toEqual([]);
    expect((await notificationsFor(pin)).map((note) => note.payload)).toEqual([
      expect.objectContaining({
        result: 'pull-request',
        commit: branchHead,
        pullRequestUrl: 'https://github.com/org/fleet-pr/pull/1',
      }),
      expect.objectContaining({ result: 'pull-request', commit: branchHead }),
    ]);
  });

  it.each([
    ['a token the git host refuses to push with', 'readonly', /403|denied|refused/i],
    ['a token setting that is not set', 'unset', /app setting UNSET_TOKEN, which is not set/],
    ['an unknown gitops repo', 'nope', /gitops repo "nope" is not configured/],
  ])('parks the request for %s and reports it as failed', async (_name, repo, problem) => {
    const pin = request(repo, '1.4.2');

    await expect(pinRequest(pin, context())).resolves.toBeUndefined();

    const parked = (await peekAll(azurite.connectionString, 'pin-requests-poison')) as PinRequest[];
    expect(parked.filter((message) => message.repo === repo)).toEqual([
      { ...pin, delivery: expect.objectContaining({ attempt: 1, reason: expect.stringMatching(problem) }) },
    ]);
    expect((await notificationsFor(pin)).map((note) => note.payload)).toEqual([
      expect.objectContaining({
        kind: 'failed',
        action: 'pin',
        target: repo,
        poisoned: true,
        attempts: 1,
        error: expect.stringMatching(problem),
      }),
    ]);
    expect(logs.join('\n')).toContain(
      `replay it: acr-autopilot poison requeue pin-requests --id ${pin.dedupeKey}`,
    );
  });

  it('re-queues for an unreachable host, and reports and parks it after the last attempt', async () => {
    const pin = request('down', '1.4.2');

    await pinRequest(pin, context(1));
    expect(await notificationsFor(pin)).toEqual([]);
    expect(logs.join('\n')).toMatch(
      /warning pin of .* failed \(attempt 1 of 20\): .*(ECONNREFUSED|could not reach)/,
    );
    const waiting = await QueueServiceClient.fromConnectionString(azurite.connectionString)
      .getQueueClient('pin-requests')
      .getProperties();
    expect(waiting.approximateMessagesCount).toBe(1);

    await pinRequest(
      { ...pin, delivery: { attempt: 20, firstAttemptAt: new Date().toISOString() } },
      context(),
    );
    expect((await notificationsFor(pin)).map((note) => note.payload)).toEqual([
      expect.objectContaining({ kind: 'failed', attempts: 20, poisoned: true }),
    ]);
    const parked = (await peekAll(azurite.connectionString, 'pin-requests-poison')) as PinRequest[];
    expect(parked.filter((message) => message.repo === 'down')).toHaveLength(1);
  });

  it('parks an unreadable message on pin-requests-poison', async () => {
    await pinRequest({ type: 'pin', repo: 'fleet' }, context());
    const parked = (await peekAll(azurite.connectionString, 'pin-requests-poison')) as unknown[];
    expect(parked).toContainEqual({
      type: 'pin',
      repo: 'fleet',
      delivery: expect.objectContaining({ attempt: 1 }),
    });
  });

  it('never writes a token to a log line', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(READ_TOKEN);
  });
});
