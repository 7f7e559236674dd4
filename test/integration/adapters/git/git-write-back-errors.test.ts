import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHostRefusedError, GitHostUnavailableError } from '../../../../shared/adapters/git/git-errors';
import { createGitWriteBack } from '../../../../shared/adapters/git/git-write-back';
import type { GitEdit as Edit } from '../../../../shared/domain/ports';
import { createOutboundClient, type OutboundClient } from '../../../../shared/adapters/http/outbound-client';
import { ConfigError, UpstreamError } from '../../../../shared/domain/errors';
import { closedPort, startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const author = { name: 'acr-autopilot', email: 'acr-autopilot@example.test' };
const WRITE_TOKEN = 'ghp_writeTokenThatMustNeverLeak0001';
const READ_TOKEN = 'ghp_readOnlyTokenThatMustNeverLeak2';
const BAD_TOKEN = 'ghp_wrongTokenThatMustNeverLeak00003';

const bump: Edit = async (tree) => ({
  files: [{ file: 'app.yaml', content: (await tree.read('app.yaml')).replace('1.0.0', '1.1.0') }],
  message: 'Pin app 1.1.0',
});

/** Everything an operator could see: message, logs and the full inspected error with its cause chain. */
function visibleText(error: unknown, logs: string[]): string {
  const base64 = (token: string) => Buffer.from(`x-access-token:${token}`).toString('base64');
  const text = [String(error), inspect(error, { depth: 10 }), JSON.stringify(error), ...logs].join('\n');
  for (const token of [WRITE_TOKEN, READ_TOKEN, BAD_TOKEN]) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(base64(token));
  }
  return text;
}

describe('createGitWriteBack errors', () => {
  let server: GitHttpServer;
  let scratch: string;
  let url: string;
  let logs: string[];

  beforeAll(async () => {
    server = await startGitHttpServer({ tokens: { [WRITE_TOKEN]: 'write', [READ_TOKEN]: 'read' } });
    scratch = await mkdtemp(join(tmpdir(), 'write-back-errors-'));
    url = await server.createRepo('fleet', { 'app.yaml': 'image: app:1.0.0\n' });
  });
  afterEach(async () => {
    server.onRequest = undefined;
    expect(await readdir(scratch)).toEqual([]);
  });
  afterAll(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const writeBack = (
    password: string | undefined,
    overrides: { url?: string; branch?: string; timeoutMs?: number; http?: OutboundClient } = {},
  ) => {
    logs = [];
    const adapter = createGitWriteBack({
      http: overrides.http ?? testHttpClient({ log: { warn: (line) => logs.push(line) } }),
      tmpDir: scratch,
      log: (line) => logs.push(line),
      ...(overrides.timeoutMs === undefined ? {} : { timeoutMs: overrides.timeoutMs }),
    });
    return adapter
      .writeBack(
        {
          url: overrides.url ?? url,
          branch: overrides.branch ?? 'main',
          author,
          tokenSetting: 'GITOPS_TOKEN',
          provider: 'github',
          ...(password === undefined ? {} : { auth: { username: 'x-access-token', password } }),
        },
        bump,
      )
      .catch((error: unknown) => error);
  };

  it('pushes with a write token sent as Basic auth on every request', async () => {
    const before = server.requests.length;

    const result = await writeBack(WRITE_TOKEN);

    expect(result).toMatchObject({ outcome: 'committed' });
    expect(server.requests.slice(before).map((r) => r.password)).toEqual(Array(4).fill(WRITE_TOKEN));
    await server.commitFiles('fleet', 'main', { 'app.yaml': 'image: app:1.0.0\n' }, 'reset');
  });

  it('refuses a rejected token with a non-retryable error naming the app setting, not the token', async () => {
    const error = await writeBack(BAD_TOKEN);

    expect(error).toBeInstanceOf(GitHostRefusedError);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect((error as Error).message).toMatch(
      /^fetch of main from http:\/\/127\.0\.0\.1:\d+\/fleet\.git was refused \(401\): the token in app setting GITOPS_TOKEN was rejected; check that it is valid and not expired$/,
    );
    visibleText(error, logs);
  });

  it('says the token needs write access when only the push is refused', async () => {
    const error = await writeBack(READ_TOKEN);

    expect(error).toBeInstanceOf(GitHostRefusedError);
    expect((error as Error).message).toMatch(
      /^push to main of http:\/\/127\.0\.0\.1:\d+\/fleet\.git was refused \(403\): the token in app setting GITOPS_TOKEN needs write access \(GitHub: contents:write\)$/,
    );
    visibleText(error, logs);
  });

  it('asks for tokenFrom when the host wants credentials and none were given', async () => {
    const error = await writeBack(undefined);

    expect(error).toBeInstanceOf(GitHostRefusedError);
    expect((error as Error).message).toContain('the repository needs credentials; set tokenFrom');
  });

  it('redacts credentials embedded in the URL', async () => {
    const withUserInfo = url.replace('http://', `http://x-access-token:${BAD_TOKEN}@`);

    const error = await writeBack(undefined, { url: withUserInfo });

    expect(error).toBeInstanceOf(GitHostRefusedError);
    expect(visibleText(error, logs)).toContain('http://***@127.0.0.1');
  });

  it('names a repository that does not exist', async () => {
    const error = await writeBack(WRITE_TOKEN, { url: server.repoUrl('no-such-repo') });

    expect(error).toMatchObject({ retryable: false, status: 404 });
    expect((error as Error).message).toContain(
      'was refused (404): the repository was not found; check the url of this gitops repo and that the token in app setting GITOPS_TOKEN can see it',
    );
  });

  it('names a branch that does not exist', async () => {
    const error = await writeBack(WRITE_TOKEN, { branch: 'production' });

    expect(error).toBeInstanceOf(GitHostRefusedError);
    expect((error as Error).message).toMatch(
      /^branch production does not exist in http:\/\/127\.0\.0\.1:\d+\/fleet\.git/,
    );
  });

  it.each(['git@github.com:org/fleet.git', 'ssh://git@github.com/org/fleet.git', 'fleet'])(
    'refuses the non-HTTPS url %s as a config error',
    async (bad) => {
      const error = await writeBack(WRITE_TOKEN, { url: bad });

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        /^gitops url .* (is not a URL|only HTTPS clone URLs are supported)/,
      );
    },
  );

  it.each(['../outside.yaml', '.git/config', '/etc/passwd', 'a//b.yaml'])(
    'rejects an edit that writes %s and pushes nothing',
    async (file) => {
      const head = await server.head('fleet', 'main');
      const { writeBack: write } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

      const error = await write(
        { url, branch: 'main', author, auth: { username: 'x', password: WRITE_TOKEN } },
        async () => ({ files: [{ file, content: 'x' }], message: 'bad' }),
      ).catch((e: unknown) => e);

      expect((error as Error).message).toMatch(
        /^invalid path .*: use a relative path like apps\/web\/deployment\.yaml$/,
      );
      expect(await server.head('fleet', 'main')).toBe(head);
    },
  );

  it.each([
    { status: 503, phase: 'discover' },
    { status: 500, phase: 'rpc' },
    { status: 429, phase: 'discover' },
  ] as const)('retries later (UpstreamError) when the host answers $status', async ({ status, phase }) => {
    server.onRequest = (info) => (info.phase === phase ? { status, body: 'busy' } : undefined);

    const error = await writeBack(WRITE_TOKEN);

    expect(error).toBeInstanceOf(GitHostUnavailableError);
    expect(error).toMatchObject({ retryable: true, status });
    visibleText(error, logs);
  });

  it('sends nothing over plain http when the outbound client does not allow loopback', async () => {
    const before = server.requests.length;
    const strict = createOutboundClient({ allowedHosts: ['127.0.0.1'], allowInsecureLoopback: false });

    const error = await writeBack(WRITE_TOKEN, { http: strict });

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(
      /^git: http:\/\/127\.0\.0\.1:\d+\/fleet\.git\/info\/refs\?service=git-(upload|receive)-pack is not https; .*AUTOPILOT_ALLOW_INSECURE_LOOPBACK/,
    );
    expect(server.requests.length).toBe(before);
    visibleText(error, logs);
  });

  it('refuses a git host that is not on the outbound allow-list before connecting', async () => {
    const error = await writeBack(WRITE_TOKEN, { url: 'https://git.example.test/org/fleet.git' });

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'git: git.example.test is not on the outbound host allow-list; hosts come from the URLs in ' +
        'autopilot.yaml, add other hosts to outbound.allowedHosts',
    );
    visibleText(error, logs);
  });

  it('retries later when the host is unreachable', async () => {
    const closed = await closedPort();

    const error = await writeBack(WRITE_TOKEN, { url: `http://127.0.0.1:${closed}/fleet.git` });

    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(
      /^could not reach http:\/\/127\.0\.0\.1:\d+\/fleet\.git \(fetch\): .*ECONNREFUSED/,
    );
    visibleText(error, logs);
  });

  it('retries later when the host stops answering (per-request timeout)', async () => {
    server.onRequest = (info) =>
      info.service === 'git-receive-pack' ? new Promise((resolve) => setTimeout(resolve, 2_000)) : undefined;
    const started = performance.now();

    const error = await writeBack(WRITE_TOKEN, { timeoutMs: 300 });

    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toMatch(
      /^could not reach http:\/\/127\.0\.0\.1:\d+\/fleet\.git \(push\): git: GET http:\/\/127\.0\.0\.1:\d+\/fleet\.git\/info\/refs\?service=git-(upload|receive)-pack timed out$/,
    );
    expect(error).toMatchObject({ retryable: true });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await server.readFile('fleet', 'main', 'app.yaml').then(String)).toBe('image: app:1.0.0\n');
  });
});
