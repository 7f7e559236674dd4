import { readdir } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitReader } from '../../../../shared/adapters/git/git-read';
import { createOutboundClient } from '../../../../shared/adapters/http/outbound-client';
import { DomainError } from '../../../../shared/domain/errors';
import { runRetention } from '../../../../shared/domain/retention/run-retention';
import { startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { memoryRegistry } from '../../../helpers/memory-registry';
import { retentionTestDeps } from '../../../helpers/retention-deps';
import { digest, repository, tag } from '../../../helpers/retention-builders';

const http = () => createOutboundClient({ allowedHosts: [], allowInsecureLoopback: true, attempts: 1 });

describe('git reader (isomorphic-git over the outbound client)', () => {
  let server: GitHttpServer;
  let scratch: string;
  beforeAll(async () => {
    server = await startGitHttpServer({ tokens: { 'read-token': 'read' } });
    await server.createRepo('fleet', {
      'apps/web/deploy.yaml': 'image: myreg.azurecr.io/team-a/web:v1\n',
      'README.md': '# fleet\n',
    });
    scratch = await mkdtemp(join(tmpdir(), 'git-read-test-'));
  });
  afterAll(async () => server?.close());

  it('hands the branch tree to the reader, then removes its scratch repository', async () => {
    const reader = createGitReader({ http: http(), tmpDir: scratch });
    const files = await reader.read(
      { url: server.repoUrl('fleet'), branch: 'main', auth: { username: 'x', password: 'read-token' } },
      async (tree) => ({ list: await tree.list(), web: await tree.read('apps/web/deploy.yaml') }),
    );
    expect(files).toEqual({
      list: ['README.md', 'apps/web/deploy.yaml'],
      web: 'image: myreg.azurecr.io/team-a/web:v1\n',
    });
    expect(await readdir(scratch)).toEqual([]);
  });

  it('says which setting to fix when the host refuses, and that a 503 is worth retrying', async () => {
    const reader = createGitReader({ http: http(), tmpDir: scratch });
    const input = { url: server.repoUrl('fleet'), branch: 'main', tokenSetting: 'GITOPS_TOKEN' };
    const refused = await reader
      .read({ ...input, auth: { username: 'x', password: 'wrong' } }, async () => 'read')
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).retryable).toBe(false);
    expect((refused as Error).message).toMatch(/GITOPS_TOKEN/);
    expect((refused as Error).message).not.toContain('wrong');

    server.onRequest = () => ({ status: 503 });
    const unavailable = await reader
      .read({ ...input, auth: { username: 'x', password: 'read-token' } }, async () => 'read')
      .catch((error: unknown) => error);
    server.onRequest = undefined;
    expect((unavailable as DomainError).retryable).toBe(true);
    expect(await readdir(scratch)).toEqual([]);
  });

  it.each([
    ['503', { status: 503 }],
    ['403', { status: 403, body: 'forbidden' }],
  ])('a gitops repo answering %s blocks deletion in the registries it could pin', async (_name, canned) => {
    const backend = memoryRegistry([
      repository('team-a/web', [tag('v3', 'W3', 1), tag('v2', 'W2', 10), tag('v1', 'W1', 20)]),
    ]);
    const deps = retentionTestDeps({
      yaml: `
gitops:
  fleet: { url: "${server.repoUrl('fleet')}", tokenFrom: GITOPS_TOKEN }
retention:
  dryRun: false
  registries: [{ name: prod, type: acr, loginServer: myreg.azurecr.io }]
  policies: [{ repositories: ['**'], keep: { newest: 1 } }]
`,
      backends: { prod: backend },
      git: createGitReader({ http: http(), tmpDir: scratch }),
      settings: { GITOPS_TOKEN: 'read-token' },
    });
    server.onRequest = () => canned;
    const blocked = await runRetention(deps, {
      trigger: 'timer',
      runId: 'a',
      correlationId: 'a',
      apply: true,
      notify: [],
    });
    server.onRequest = undefined;
    expect(blocked.registries[0]?.status).toBe('blocked');
    expect(blocked.registries[0]?.reason).toMatch(new RegExp(`gitops repo "fleet" .*${canned.status}`));
    expect(backend.calls.filter((call) => call.startsWith('delete'))).toEqual([]);

    // Readable again: v1 is pinned (by tag) in the repo, v2 goes.
    const applied = await runRetention(deps, {
      trigger: 'timer',
      runId: 'b',
      correlationId: 'b',
      apply: true,
      notify: [],
    });
    expect(applied.registries[0]?.status).toBe('applied');
    expect(backend.calls.filter((call) => call.startsWith('delete'))).toEqual([
      `delete team-a/web@${digest('W2')}`,
    ]);
  });
});
