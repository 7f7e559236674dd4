import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitWriteBack } from '../../../../shared/adapters/git/git-write-back';
import type { GitEdit as Edit } from '../../../../shared/domain/ports';
import { UpstreamError } from '../../../../shared/domain/errors';
import { startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const author = { name: 'acr-autopilot', email: 'acr-autopilot@example.test' };

/** Sets `key: value` on its own line of `file`; a pure re-application, as the pinning engine's edit is. */
function setKey(file: string, key: string, value: string): Edit {
  return async (tree) => {
    const text = await tree.read(file);
    const next = text.replace(new RegExp(`^${key}: .*$`, 'm'), `${key}: ${value}`);
    return next === text ? null : { files: [{ file, content: next }], message: `Set ${key} to ${value}` };
  };
}

describe('createGitWriteBack when the branch moves between fetch and push', () => {
  let server: GitHttpServer;
  let scratch: string;
  let mirrors: string;

  beforeAll(async () => {
    server = await startGitHttpServer();
    scratch = await mkdtemp(join(tmpdir(), 'write-back-conflicts-'));
    mirrors = await mkdtemp(join(tmpdir(), 'write-back-conflicts-mirrors-'));
  });
  afterEach(() => {
    server.onRequest = undefined;
  });
  afterAll(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
    await rm(mirrors, { recursive: true, force: true });
  });

  it.each([
    ['before the push starts (caught by the lease)', 'discover'],
    ['during the push (refused by the server)', 'rpc'],
  ] as const)('re-applies the edit on the new head when another commit lands %s', async (_, phase) => {
    const repo = `conflict-${phase}`;
    const url = await server.createRepo(repo, { 'images.yaml': 'web: 1.0.0\napi: 1.0.0\n' });
    let injected = false;
    server.onRequest = async (info) => {
      if (!injected && info.repo === repo && info.service === 'git-receive-pack' && info.phase === phase) {
        injected = true;
        await server.commitFiles(repo, 'main', { 'images.yaml': 'web: 1.0.0\napi: 2.0.0\n' }, 'human edit');
      }
    };
    const logs: string[] = [];
    const sleeps: number[] = [];
    const { writeBack } = createGitWriteBack({
      http: testHttpClient(),
      tmpDir: scratch,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
      log: (line) => logs.push(line),
    });

    const result = await writeBack(
      { url, branch: 'main', author, eventId: 'evt-7' },
      setKey('images.yaml', 'web', '1.1.0'),
    );

    expect(result).toMatchObject({ outcome: 'committed', branch: 'main', attempts: 2 });
    expect((await server.readFile(repo, 'main', 'images.yaml')).toString()).toBe('web: 1.1.0\napi: 2.0.0\n');
    const commits = await server.listCommits(repo, 'main');
    expect(commits.map((c) => c.message.trim())).toEqual(['Set web to 1.1.0', 'human edit', 'seed']);
    expect(commits[0]?.parents).toEqual([commits[1]?.oid]);
    expect(sleeps).toEqual([125]);
    expect(logs[0]).toMatch(/^git write-back \[evt-7\]: main (moved to|was updated by another writer)/);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('gives up with a retryable UpstreamError after maxAttempts lost races, backing off exponentially', async () => {
    const repo = 'always-moving';
    const url = await server.createRepo(repo, { 'images.yaml': 'web: 1.0.0\nn: 0\n' });
    let n = 0;
    server.onRequest = async (info) => {
      if (info.repo === repo && info.service === 'git-receive-pack' && info.phase === 'discover') {
        n += 1;
        await server.commitFiles(repo, 'main', { 'images.yaml': `web: 1.0.0\nn: ${n}\n` });
      }
    };
    const sleeps: number[] = [];
    const { writeBack } = createGitWriteBack({
      http: testHttpClient(),
      tmpDir: scratch,
      maxAttempts: 4,
      random: () => 1,
      sleep: async (ms) => void sleeps.push(ms),
    });

    const error = await writeBack(
      { url, branch: 'main', author },
      setKey('images.yaml', 'web', '2.0.0'),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
    expect((error as Error).message).toMatch(
      /^push to main of http:\/\/127\.0\.0\.1:\d+\/always-moving\.git lost the race 4 times/,
    );
    expect(sleeps).toEqual([250, 500, 1000]);
    expect((await server.readFile(repo, 'main', 'images.yaml')).toString()).toBe('web: 1.0.0\nn: 4\n');
    expect(await readdir(scratch)).toEqual([]);
  });

  it.each([
    { instances: 1, maxPushes: 4 },
    { instances: 5, maxPushes: 50 + 60 },
  ])(
    'loses no update when 50 writers on $instances instance(s) change different keys of one file at once',
    async ({ instances, maxPushes }) => {
      const repo = `fifty-writers-${instances}`;
      const keys = Array.from({ length: 50 }, (_, i) => `image-${String(i).padStart(2, '0')}`);
      const url = await server.createRepo(repo, {
        'values.yaml': keys.map((key) => `${key}: old`).join('\n') + '\n',
        'other.yaml': 'untouched: true\n',
      });
      // Separate adapters stand for separate Function instances: they share nothing but the git server
      // (each has its own warm mirror).
      const adapters = Array.from({ length: instances }, (_, i) =>
        createGitWriteBack({
          http: testHttpClient(),
          tmpDir: scratch,
          mirrorDir: join(mirrors, String(i)),
          backoff: { baseMs: 50, maxMs: 800 },
        }),
      );
      let redeliveries = 0;
      // What the pin-requests queue does with a retryable error: deliver the message again.
      const deliver = async (key: string, i: number) => {
        const { writeBack } = adapters[i % instances] as (typeof adapters)[number];
        for (;;) {
          try {
            return await writeBack({ url, branch: 'main', author }, setKey('values.yaml', key, `new-${key}`));
          } catch (error) {
            if (!(error instanceof UpstreamError)) throw error;
            redeliveries += 1;
          }
        }
      };
      const before = server.requests.length;
      const started = performance.now();

      const results = await Promise.all(keys.map(deliver));

      const elapsed = performance.now() - started;
      const finalText = (await server.readFile(repo, 'main', 'values.yaml')).toString();
      expect(finalText).toBe(keys.map((key) => `${key}: new-${key}`).join('\n') + '\n');
      expect(results.every((r) => r.outcome === 'committed')).toBe(true);
      const commits = await server.listCommits(repo, 'main');
      expect(commits).toHaveLength(51);
      // A straight line of 50 bot commits, one per writer: every push fast-forwarded the one before.
      commits.slice(0, -1).forEach((commit, i) => expect(commit.parents).toEqual([commits[i + 1]?.oid]));
      const pushes = server.requests
        .slice(before)
        .filter((r) => r.service === 'git-receive-pack' && r.phase === 'rpc').length;
      expect(pushes).toBeLessThanOrEqual(maxPushes);
      const attempts = results.map((r) => r.attempts);
      console.info(
        `50 writers on ${instances} instance(s): ${Math.round(elapsed)} ms, ${pushes} pushes, ` +
          `max attempts ${Math.max(...attempts)}, queue redeliveries ${redeliveries}`,
      );
      expect(await readdir(scratch)).toEqual([]);
    },
    60_000,
  );

  it('rejects only the call whose edit throws; the others in the same round commit', async () => {
    const repo = 'one-bad-edit';
    const url = await server.createRepo(repo, { 'images.yaml': 'web: 1\napi: 1\n' });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
    const input = { url, branch: 'main', author };

    const [web, bad, api] = await Promise.allSettled([
      writeBack(input, setKey('images.yaml', 'web', '2')),
      writeBack(input, async () => {
        throw new Error('edit failed');
      }),
      writeBack(input, setKey('images.yaml', 'api', '2')),
    ]);

    expect(web).toMatchObject({ status: 'fulfilled', value: { outcome: 'committed', attempts: 1 } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'edit failed' } });
    expect(api).toMatchObject({ status: 'fulfilled', value: { outcome: 'committed', attempts: 1 } });
    expect((await server.readFile(repo, 'main', 'images.yaml')).toString()).toBe('web: 2\napi: 2\n');
    const [apiCommit, webCommit] = await server.listCommits(repo, 'main');
    expect([apiCommit?.message, webCommit?.message]).toEqual(['Set api to 2\n', 'Set web to 2\n']);
  });
});
