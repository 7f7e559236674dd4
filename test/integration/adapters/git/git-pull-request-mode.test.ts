import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitWriteBack } from '../../../../shared/adapters/git/git-write-back';
import { prBranchName } from '../../../../shared/domain/pinning/pr-branch-name';
import type { GitEdit as Edit, GitWriteInput as WriteBackInput } from '../../../../shared/domain/ports';
import { GitHostUnavailableError } from '../../../../shared/adapters/git/git-errors';
import { createPullRequests } from '../../../../shared/adapters/git/pull-requests';
import { startFakePrApi, type FakePrApi } from '../../../helpers/fake-pr-api';
import { startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const author = { name: 'acr-autopilot', email: 'acr-autopilot@example.test' };
const GITHUB_TOKEN = 'ghp_prModeTestToken000000000000001';
const ADO_TOKEN = 'adoPrModeTestToken00000000000000002';
const original = 'image: registry.example/payments/api:1.4.1 # {"$imagepolicy": "payments-api"}\n';
const pinned = 'image: registry.example/payments/api:1.4.2@sha256:aaa # {"$imagepolicy": "payments-api"}\n';

const pin: Edit = async (tree) => {
  const text = await tree.read('apps/payments/deployment.yaml');
  const next = text.replace(/api:[^ ]+/, 'api:1.4.2@sha256:aaa');
  return next === text
    ? null
    : {
        files: [{ file: 'apps/payments/deployment.yaml', content: next }],
        message: 'Pin payments/api 1.4.2',
      };
};

describe('createGitWriteBack (pull-request mode)', () => {
  let server: GitHttpServer;
  let api: FakePrApi;
  let scratch: string;
  const target = prBranchName('payments/api', '1.4.2');

  beforeAll(async () => {
    server = await startGitHttpServer();
    api = await startFakePrApi({ githubToken: GITHUB_TOKEN, azureDevOpsToken: ADO_TOKEN });
    scratch = await mkdtemp(join(tmpdir(), 'write-back-pr-'));
  });
  afterEach(async () => {
    server.onRequest = undefined;
    expect(api.violations).toEqual([]);
    api.reset();
    expect(await readdir(scratch)).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all([server.close(), api.close()]);
    await rm(scratch, { recursive: true, force: true });
  });

  async function seed(name: string): Promise<WriteBackInput> {
    const url = await server.createRepo(name, {
      'apps/payments/deployment.yaml': original,
      'README.md': '# fleet\n',
    });
    return { url, branch: 'main', author, targetBranch: target };
  }

  it('pushes the commit to the bot-owned branch based on the base head, leaving the base alone', async () => {
    const input = await seed('pr-basic');
    const base = await server.head('pr-basic', 'main');
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    const result = await writeBack(input, pin);

    expect(target).toBe('autopilot/payments-api-1.4.2');
    expect(result).toMatchObject({ outcome: 'committed', branch: target, attempts: 1 });
    expect(await server.head('pr-basic', 'main')).toBe(base);
    expect(await server.head('pr-basic', target)).toBe(result.commit);
    const [commit] = await server.listCommits('pr-basic', target);
    expect(commit?.parents).toEqual([base]);
    expect((await server.readFile('pr-basic', target, 'apps/payments/deployment.yaml')).toString()).toBe(
      pinned,
    );
  });

  it('uploads only the new objects to a new PR branch (thin pack), not the whole tree', async () => {
    const bulk = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [
        `bulk/app-${i}/deployment.yaml`,
        `image: app:${i}\n${'#'.repeat(500)}\n`,
      ]),
    );
    const url = await server.createRepo('pr-thin', { ...bulk, 'apps/payments/deployment.yaml': original });
    const before = server.requests.length;
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    await writeBack({ url, branch: 'main', author, targetBranch: target }, pin);

    const push = server.requests
      .slice(before)
      .find((r) => r.service === 'git-receive-pack' && r.phase === 'rpc');
    expect(push?.bodyBytes).toBeLessThan(2_000);
  });

  it('is a no-change on redelivery when the branch already holds exactly this change', async () => {
    const input = await seed('pr-redelivery');
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
    const first = await writeBack(input, pin);

    const again = await writeBack(input, pin);

    expect(again).toEqual({
      outcome: 'no-change',
      commit: first.commit,
      branch: target,
      attempts: 1,
      reason: 'target-branch-up-to-date',
    });
    expect(await server.head('pr-redelivery', target)).toBe(first.commit);
  });

  it('is a no-change on the base branch when the base already has the change (no PR branch)', async () => {
    const input = await seed('pr-already-on-base');
    await server.commitFiles('pr-already-on-base', 'main', { 'apps/payments/deployment.yaml': pinned });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    const result = await writeBack(input, pin);

    expect(result).toMatchObject({ outcome: 'no-change', branch: 'main', reason: 'edit-returned-nothing' });
    expect(await server.head('pr-already-on-base', target)).toBeUndefined();
  });

  it('rebuilds the branch on the new base head when the base moved (force-push of the bot branch)', async () => {
    const input = await seed('pr-rebase');
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
    const first = await writeBack(input, pin);
    const moved = await server.commitFiles('pr-rebase', 'main', { 'README.md': '# fleet, edited\n' });

    const second = await writeBack(input, pin);

    expect(second).toMatchObject({ outcome: 'committed', branch: target });
    expect(second.commit).not.toBe(first.commit);
    const [head] = await server.listCommits('pr-rebase', target);
    expect(head?.parents).toEqual([moved]);
    expect((await server.readFile('pr-rebase', target, 'README.md')).toString()).toBe('# fleet, edited\n');
    expect((await server.readFile('pr-rebase', target, 'apps/payments/deployment.yaml')).toString()).toBe(
      pinned,
    );
  });

  it('does not overwrite a PR branch that moved after it was fetched (lease), then retries', async () => {
    const input = await seed('pr-lease');
    await server.commitFiles(
      'pr-lease',
      target,
      { 'apps/payments/deployment.yaml': 'stale\n' },
      'old bot commit',
      await server.head('pr-lease', 'main'),
    );
    let injected: string | undefined;
    server.onRequest = async (info) => {
      if (
        !injected &&
        info.repo === 'pr-lease' &&
        info.service === 'git-receive-pack' &&
        info.phase === 'discover'
      ) {
        injected = await server.commitFiles(
          'pr-lease',
          target,
          { 'other.txt': 'racing writer\n' },
          'racing writer',
        );
      }
    };
    const sleeps: number[] = [];
    const { writeBack } = createGitWriteBack({
      http: testHttpClient(),
      tmpDir: scratch,
      sleep: async (ms) => void sleeps.push(ms),
    });

    const result = await writeBack(input, pin);

    expect(injected).toBeDefined();
    expect(sleeps).toHaveLength(1);
    expect(result).toMatchObject({ outcome: 'committed', branch: target, attempts: 2 });
    expect(await server.head('pr-lease', target)).toBe(result.commit);
    expect((await server.readFile('pr-lease', target, 'apps/payments/deployment.yaml')).toString()).toBe(
      pinned,
    );
  });

  it.each([
    {
      provider: 'github' as const,
      repo: 'org/fleet',
      token: GITHUB_TOKEN,
      url: (s: GitHttpServer) => s.repoUrl('org/fleet'),
    },
    {
      provider: 'azure-devops' as const,
      repo: 'contoso/web/_git/fleet',
      token: ADO_TOKEN,
      url: (s: GitHttpServer) => `${s.url}/contoso/web/_git/fleet`,
    },
  ])(
    'pins, then opens the PR and reuses it on redelivery ($provider)',
    async ({ provider, repo, token, url }) => {
      await server.createRepo(repo, { 'apps/payments/deployment.yaml': original });
      const input = { url: url(server), branch: 'main', author, targetBranch: target, provider };
      const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
      const prs = createPullRequests({
        http: testHttpClient(),
        githubApiUrl: api.githubApiUrl,
        azureDevOpsApiUrl: api.azureDevOpsApiUrl,
      });
      const pr = {
        url: input.url,
        provider,
        sourceBranch: target,
        targetBranch: 'main',
        title: 'Pin payments/api 1.4.2',
        body: 'sha256:aaa',
        token,
      };
      const started = performance.now();

      const pushed = await writeBack(input, pin);
      const opened = await prs.openOrUpdate(pr);
      const elapsed = performance.now() - started;
      // Redelivery: nothing to push, the PR is found and left as it is.
      const again = await writeBack(input, pin);
      const reused = await prs.openOrUpdate(pr);

      expect(pushed).toMatchObject({ outcome: 'committed', branch: target });
      expect(opened).toMatchObject({ provider, number: 1, created: true });
      expect(again).toMatchObject({ outcome: 'no-change', branch: target });
      expect(reused).toMatchObject({ number: 1, created: false });
      expect(api.pulls).toEqual([expect.objectContaining({ head: target, base: 'main', state: 'open' })]);
      console.info(`PR mode (${provider}): write-back + open PR took ${Math.round(elapsed)} ms`);
    },
  );

  it.each([
    { status: 429, headers: { 'retry-after': '30' } },
    { status: 500, headers: {} },
  ])(
    'leaves the pushed branch for the queue to retry the PR when the API answers $status',
    async ({ status, headers }) => {
      const input = { ...(await seed(`org/pr-retry-${status}`)), provider: 'github' as const };
      const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
      const prs = createPullRequests({ http: testHttpClient(), githubApiUrl: api.githubApiUrl });
      const pr = {
        url: input.url,
        provider: 'github' as const,
        sourceBranch: target,
        targetBranch: 'main',
        title: 'Pin',
        body: '',
        token: GITHUB_TOKEN,
      };
      api.script({ status, headers });

      await writeBack(input, pin);
      const failed = await prs.openOrUpdate(pr).catch((e: unknown) => e);
      // The redelivered message: the push is a no-change on the PR branch, which says "open the PR".
      const again = await writeBack(input, pin);
      const opened = await prs.openOrUpdate(pr);

      expect(failed).toBeInstanceOf(GitHostUnavailableError);
      expect(failed).toMatchObject({ retryable: true, status });
      expect(again).toMatchObject({ outcome: 'no-change', branch: target });
      expect(opened).toMatchObject({ created: true });
    },
  );
});
