import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../shared/domain/messages/action-messages';
import { peekAll } from '../helpers/azurite';
import { functionArgs } from '../helpers/e2e-app';
import { startFakePrApi, type FakePrApi } from '../helpers/fake-pr-api';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess, type RunningHost } from '../helpers/local-host-process';

const secret = 'Bearer e2e-pinning-secret';
const TOKEN = 'ghp_e2ePinningToken0000000000000000001';
const registry = 'contoso.azurecr.io';

const deployment = (name: string, image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '          ports:',
    '            - containerPort: 8080',
    '',
  ].join('\n');

const fleet = {
  'apps/payments/api/deployment.yaml': deployment('api', `${registry}/payments/api:1.4.2`),
  'apps/payments/worker/deployment.yaml': deployment('worker', `${registry}/payments/worker:1.4.2`),
  'apps/web/site/deployment.yaml': deployment('site', `${registry}/web/site:2.0.0`),
  'README.md': '# fleet\n',
};

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

let host: RunningHost;
let git: GitHttpServer;
let api: FakePrApi;

/** An ACR push webhook, as `az acr webhook create --actions push` sends it. */
function push(repository: string, tag: string) {
  const digest = digestOf(`${repository}:${tag}`);
  return {
    digest,
    send: () =>
      fetch(`${host.url}/api/acr/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: secret },
        body: JSON.stringify({
          id: `e2e-${repository}-${tag}`,
          action: 'push',
          timestamp: '2026-11-25T10:00:00.123456789Z',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 1611,
            digest,
            length: 1611,
            repository,
            tag,
          },
          request: { id: `req-${tag}`, host: registry, method: 'PUT', useragent: 'docker/27.3.1' },
        }),
      }),
  };
}

const pinnedFor = async (repository: string) =>
  ((await peekAll(host.storage, 'notifications')) as Notification[]).filter(
    (note) => note.payload.kind === 'pinned' && note.payload.event.repository === repository,
  );

beforeAll(async () => {
  [git, api] = await Promise.all([
    startGitHttpServer({ tokens: { [TOKEN]: 'write' } }),
    startFakePrApi({ githubToken: TOKEN, azureDevOpsToken: 'unused-ado-token' }),
  ]);
  await Promise.all([git.createRepo('org/fleet', fleet), git.createRepo('org/fleet-pr', fleet)]);
  const dir = mkdtempSync(join(tmpdir(), 'e2e-pinning-'));
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
  fleet-pr: { url: '${git.repoUrl('org/fleet-pr')}', mode: pull-request, provider: github, apiUrl: '${api.githubApiUrl}', tokenFrom: GITOPS_TOKEN }
teams: { platform: { urlFrom: TEAMS_PLATFORM } }
rules:
  - match: { repository: 'payments/*' }
    pin: { repo: fleet, paths: ['**'] }
    notify: [platform]
  - match: { repository: 'web/*' }
    pin: { repo: fleet-pr, paths: ['**'] }
    notify: [platform]
`,
  );
  host = await startLocalHostProcess({
    args: functionArgs([
      'acr-webhook',
      'acr-event-grid',
      'health',
      'app-start',
      'fan-out-actions',
      'pin-request',
    ]),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      TEAMS_PLATFORM: 'https://prod-00.westeurope.logic.azure.com/workflows/x',
      GITOPS_TOKEN: TOKEN,
      // The git server and the fake GitHub API speak plain http on loopback.
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
});
afterAll(async () => {
  await host?.stop();
  await Promise.all([git?.close(), api?.close()]);
});

describe('digest pinning through the local host', () => {
  it('turns an ACR push into a one-line commit in the gitops repo and a pinned notification', async () => {
    const seed = await git.head('org/fleet', 'main');
    const image = push('payments/api', '1.4.2');

    expect((await image.send()).status).toBe(202);

    await expect.poll(() => git.head('org/fleet', 'main'), { timeout: 15_000, interval: 100 }).not.toBe(seed);
    const head = await git.head('org/fleet', 'main');
    const diff = (await git.git('org/fleet', ['diff', '--unified=0', `${seed}`, `${head}`])).toString();
    expect(diff.split('\n').filter((line) => /^(\+\+\+|---|[-+] )/.test(line))).toEqual([
      '--- a/apps/payments/api/deployment.yaml',
      '+++ b/apps/payments/api/deployment.yaml',
      `-          image: ${registry}/payments/api:1.4.2`,
      `+          image: ${registry}/payments/api:1.4.2@${image.digest}`,
    ]);
    const [commit] = await git.listCommits('org/fleet', 'main');
    expect(commit?.message).toContain('Autopilot-Event: e2e-payments/api-1.4.2');

    await expect.poll(() => pinnedFor('payments/api'), { timeout: 5_000 }).toHaveLength(1);
    const [note] = await pinnedFor('payments/api');
    expect(note).toMatchObject({
      channel: 'platform',
      dedupeKey: expect.stringMatching(/^[0-9a-f]{32}:pin:fleet:[0-9a-f]{8}$/),
      payload: {
        result: 'committed',
        repo: 'fleet',
        commit: head,
        files: [
          {
            file: 'apps/payments/api/deployment.yaml',
            line: 10,
            before: `          image: ${registry}/payments/api:1.4.2`,
            after: `          image: ${registry}/payments/api:1.4.2@${image.digest}`,
          },
        ],
      },
    });
  });

  it('opens a pull request on the (fake) GitHub API in pull-request mode', async () => {
    const base = await git.head('org/fleet-pr', 'main');
    const image = push('web/site', '2.0.0');

    expect((await image.send()).status).toBe(202);

    await expect.poll(() => pinnedFor('web/site'), { timeout: 15_000, interval: 100 }).toHaveLength(1);
    const branch = 'autopilot/web-site-2.0.0';
    expect(await git.head('org/fleet-pr', 'main')).toBe(base);
    expect((await git.readFile('org/fleet-pr', branch, 'apps/web/site/deployment.yaml')).toString()).toBe(
      deployment('site', `${registry}/web/site:2.0.0@${image.digest}`),
    );
    expect(api.pulls).toEqual([
      expect.objectContaining({ repo: 'org/fleet-pr', head: branch, base: 'main', state: 'open' }),
    ]);
    expect(api.violations).toEqual([]);
    const [note] = await pinnedFor('web/site');
    expect(note?.payload).toMatchObject({
      result: 'pull-request',
      commit: await git.head('org/fleet-pr', branch),
      pullRequestUrl: 'https://github.com/org/fleet-pr/pull/1',
    });
    expect(host.output()).not.toContain(TOKEN);
  });
});
