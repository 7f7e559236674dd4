import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { mirrorKey } from '../../../../shared/adapters/git/git-mirror';
import { createGitWriteBack, type GitWriteBackDeps } from '../../../../shared/adapters/git/git-write-back';
import type { OutboundClient } from '../../../../shared/adapters/http/outbound-client';
import { UpstreamError } from '../../../../shared/domain/errors';
import type { GitEdit as Edit, GitWriteInput } from '../../../../shared/domain/ports';
import { startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const author = { name: 'acr-autopilot', email: 'acr-autopilot@example.test' };
const token = 'mirror-test-token-0123456789';
const auth = { username: 'x-access-token', password: token };

/** An edit like the pinning engine's: replace one image reference in one file. */
function pin(file: string, from: string, to: string): Edit {
  return async (tree) => {
    const text = await tree.read(file);
    const next = text.replace(from, to);
    return next === text ? null : { files: [{ file, content: next }], message: `Pin ${to}` };
  };
}

/** Appends `line` to `file` unless it is there: a pure re-application, as a lost race needs. */
function appendOnce(file: string, line: string): Edit {
  return async (tree) => {
    const text = await tree.read(file);
    if (text.split('\n').includes(line)) return null;
    return { files: [{ file, content: `${text}${line}\n` }], message: `Add ${line}` };
  };
}

/** A fleet of `count` values files, each with 1.5 kB of noise so a fetch of the whole tree is large. */
function fleet(count: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `apps/app-${i}/values.yaml`,
      `image: ghcr.io/org/app-${i}:1.0.0\nnoise: ${randomBytes(750).toString('hex')}\n`,
    ]),
  );
}

/** The app's outbound client, counting the bytes of every git response body by request. */
function countingClient(): { client: OutboundClient; fetchedBytes: () => number } {
  const inner = testHttpClient();
  let fetched = 0;
  const client: OutboundClient = {
    request: (request) => inner.request(request),
    async stream(request) {
      const response = await inner.stream(request);
      const counts = request.method === 'POST' && request.url.endsWith('/git-upload-pack');
      async function* counted() {
        for await (const chunk of response.body) {
          if (counts) fetched += chunk.byteLength;
          yield chunk;
        }
      }
      return { ...response, body: counted() };
    },
  };
  return { client, fetchedBytes: () => fetched };
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('createGitWriteBack with a warm mirror', () => {
  let server: GitHttpServer;
  let scratch: string;
  let mirrors: string;
  let logs: string[];

  const writer = (deps: Partial<GitWriteBackDeps> = {}) =>
    createGitWriteBack({
      http: testHttpClient(),
      tmpDir: scratch,
      mirrorDir: mirrors,
      log: (line) => logs.push(line),
      ...deps,
    });
  const mirrorOf = (repo: string) => join(mirrors, mirrorKey(server.repoUrl(repo), 'main'));

  beforeAll(async () => {
    server = await startGitHttpServer({ tokens: { [token]: 'write' } });
    scratch = await mkdtemp(join(tmpdir(), 'git-mirror-test-'));
  });
  // Each test gets its own mirror root and log.
  beforeEach(async () => {
    mirrors = await mkdtemp(join(tmpdir(), 'git-mirrors-'));
    logs = [];
  });
  afterEach(async () => {
    server.onRequest = undefined;
    // Rounds that could not use a mirror cleaned up after themselves.
    expect(await readdir(scratch)).toEqual([]);
    await rm(mirrors, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('fetches only what changed since the last pin, and keeps no credential on disk', async () => {
    const url = await server.createRepo('warm', fleet(200));
    const counting = countingClient();
    const { writeBack } = writer({ http: counting.client });
    const input: GitWriteInput = { url, branch: 'main', author, auth };

    await writeBack(input, pin('apps/app-0/values.yaml', 'app-0:1.0.0', 'app-0:1.1.0'));
    const cold = counting.fetchedBytes();
    await server.commitFiles('warm', 'main', {
      'apps/app-7/values.yaml': 'image: ghcr.io/org/app-7:2.0.0\n',
    });
    const before = server.requests.length;
    const result = await writeBack(input, pin('apps/app-1/values.yaml', 'app-1:1.0.0', 'app-1:1.1.0'));
    const warm = counting.fetchedBytes() - cold;

    expect(result).toMatchObject({ outcome: 'committed', attempts: 1 });
    // The whole tree is ~300 kB; the second fetch carries one commit, one changed file and its trees.
    expect(cold).toBeGreaterThan(200_000);
    expect(warm).toBeLessThan(cold / 10);
    expect(
      server.requests.slice(before).map((r) => `${r.method} ${r.service} ${r.phase} ${r.password === token}`),
    ).toEqual([
      'GET git-upload-pack discover true',
      'POST git-upload-pack rpc true',
      'GET git-receive-pack discover true',
      'POST git-receive-pack rpc true',
    ]);
    // The commit sits on top of the human's, holding both changes and every other file as it was.
    const [pinned, human] = await server.listCommits('warm', 'main');
    expect(pinned?.parents).toEqual([human?.oid]);
    expect((await server.readFile('warm', 'main', 'apps/app-1/values.yaml')).toString()).toMatch(
      /^image: ghcr.io\/org\/app-1:1.1.0\n/,
    );
    expect((await server.readFile('warm', 'main', 'apps/app-7/values.yaml')).toString()).toBe(
      'image: ghcr.io/org/app-7:2.0.0\n',
    );
    expect(await server.listFiles('warm', 'main')).toHaveLength(200);
    expect(await server.git('warm', ['fsck', '--strict']).then(String)).toBe('');

    // One mirror, named by a hash, no lock left behind, and neither the token nor its Basic header on disk.
    expect(await readdir(mirrors)).toEqual([mirrorKey(url, 'main')]);
    const basic = Buffer.from(`${auth.username}:${token}`).toString('base64');
    for (const file of await filesUnder(mirrors)) {
      const bytes = await readFile(file);
      expect(bytes.includes(token), file).toBe(false);
      expect(bytes.includes(basic), file).toBe(false);
    }
    expect(logs.filter((line) => /mirror/.test(line))).toEqual([]);
  });

  it('writes trees git accepts: names sorted as git sorts them, new directories, non-ASCII names', async () => {
    const url = await server.createRepo('tree-order', {
      'a.yaml': 'a: 1\n',
      'a/b.yaml': 'b: 1\n',
      'a-b/c.yaml': 'c: 1\n',
      a0: 'zero\n',
      'ä.yaml': 'umlaut: 1\n',
    });
    const { writeBack } = writer();
    const change: Edit = async (tree) => ({
      files: [
        { file: 'a/b.yaml', content: (await tree.read('a/b.yaml')).replace('1', '2') },
        { file: 'a.yaml', content: 'a: 2\n' },
        { file: 'a-b/c.yaml', content: 'c: 2\n' },
        { file: 'ä.yaml', content: 'umlaut: 2\n' },
        { file: 'a.b/new.yaml', content: 'new: 1\n' },
      ],
      message: 'Touch every tree',
    });

    await writeBack({ url, branch: 'main', author, auth }, change);
    await writeBack({ url, branch: 'main', author, auth }, pin('a.b/new.yaml', 'new: 1', 'new: 2'));

    expect(await server.git('tree-order', ['fsck', '--strict']).then(String)).toBe('');
    expect(await server.listFiles('tree-order', 'main')).toEqual([
      'a-b/c.yaml',
      'a.b/new.yaml',
      'a.yaml',
      'a/b.yaml',
      'a0',
      'ä.yaml',
    ]);
    for (const [file, text] of [
      ['a/b.yaml', 'b: 2\n'],
      ['a.b/new.yaml', 'new: 2\n'],
      ['ä.yaml', 'umlaut: 2\n'],
      ['a0', 'zero\n'],
    ]) {
      expect((await server.readFile('tree-order', 'main', file as string)).toString()).toBe(text);
    }
  });

  it('lists only the files the paths can select', async () => {
    const url = await server.createRepo('paths', {
      ...fleet(5),
      'clusters/prod/web.yaml': 'image: web:1\n',
      'README.md': '# fleet\n',
    });
    const { writeBack } = writer();
    const seen: string[][] = [];
    const list: Edit = async (tree) => {
      seen.push(await tree.list());
      return null;
    };

    await writeBack({ url, branch: 'main', author, auth, paths: ['apps/app-3/**', 'README.md'] }, list);
    await writeBack({ url, branch: 'main', author, auth, paths: ['**/*.yaml'] }, list);

    expect(seen[0]).toEqual(['README.md', 'apps/app-3/values.yaml']);
    expect(seen[1]).toHaveLength(7);
  });

  it('loses no update when 50 pins change one file at once on warm mirrors (two workers)', async () => {
    const url = await server.createRepo('fifty', { 'pins.yaml': 'pins:\n', 'other.yaml': 'x: 1\n' });
    const input: GitWriteInput = { url, branch: 'main', author, auth };
    // Two writers on one mirror (one worker), and one on its own mirror (another worker).
    const backoff = { baseMs: 20, maxMs: 400 };
    // Another worker's mirrors live elsewhere (a mirror root holds mirrors only).
    const second = `${mirrors}-second-worker`;
    onTestFinished(() => rm(second, { recursive: true, force: true }));
    const writers = [writer({ backoff }), writer({ backoff }), writer({ backoff, mirrorDir: second })];
    for (const { writeBack } of writers) await writeBack(input, async () => null);
    const seed = await server.head('fifty', 'main');
    let redeliveries = 0;
    const deliver = async (i: number) => {
      const { writeBack } = writers[i % writers.length] as (typeof writers)[number];
      for (;;) {
        try {
          return await writeBack(input, appendOnce('pins.yaml', `  - pin-${String(i).padStart(2, '0')}`));
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error;
          redeliveries += 1;
        }
      }
    };

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(i)));

    expect(results.every((result) => result.outcome === 'committed')).toBe(true);
    const lines = (await server.readFile('fifty', 'main', 'pins.yaml')).toString().split('\n');
    for (let i = 0; i < 50; i++) {
      expect(lines.filter((line) => line === `  - pin-${String(i).padStart(2, '0')}`)).toHaveLength(1);
    }
    expect(lines).toHaveLength(52);
    const commits = await server.listCommits('fifty', 'main');
    expect(commits).toHaveLength(51);
    commits.slice(0, -1).forEach((commit, i) => expect(commit.parents).toEqual([commits[i + 1]?.oid]));
    expect(commits[50]?.oid).toBe(seed);
    // The two workers raced (lost rounds were fetched again on the same warm mirror), never rebuilt it.
    expect(results.some((result) => result.attempts > 1) || redeliveries > 0).toBe(true);
    expect(logs.filter((line) => /cloning/.test(line))).toEqual([]);
    // Lost pushes leave dangling objects on the server, as they do with git; nothing is broken.
    expect(await server.git('fifty', ['fsck', '--strict', '--no-dangling']).then(String)).toBe('');
  }, 60_000);

  it('recovers after a force-push on the remote: the pin lands on the new head', async () => {
    const url = await server.createRepo('rewritten', { 'app.yaml': 'image: web:1.0.0\n', 'old.yaml': 'x\n' });
    const { writeBack } = writer();
    const input: GitWriteInput = { url, branch: 'main', author, auth };
    await writeBack(input, pin('app.yaml', 'web:1.0.0', 'web:1.0.0@sha256:aaa'));
    const old = await server.head('rewritten', 'main');

    // Someone rewrites main with unrelated history, and the old commits are pruned from the server.
    const rewritten = await server.commitFiles(
      'rewritten',
      'rewrite',
      { 'app.yaml': 'image: web:2.0.0\n', 'new.yaml': 'y\n' },
      'rewritten history',
    );
    await server.git('rewritten', ['update-ref', 'refs/heads/main', rewritten]);
    await server.git('rewritten', ['update-ref', '-d', 'refs/heads/rewrite']);
    await server.git('rewritten', ['reflog', 'expire', '--expire=now', '--all']);
    await server.git('rewritten', ['gc', '--prune=now', '--quiet']);
    await expect(server.git('rewritten', ['cat-file', '-e', `${old}^{commit}`])).rejects.toThrow();

    const result = await writeBack(input, pin('app.yaml', 'web:2.0.0', 'web:2.0.0@sha256:bbb'));
    const again = await writeBack(input, pin('new.yaml', 'y', 'z'));

    expect(result).toMatchObject({ outcome: 'committed', attempts: 1 });
    expect(again).toMatchObject({ outcome: 'committed', attempts: 1 });
    const [second, first, base] = await server.listCommits('rewritten', 'main');
    expect(first?.parents).toEqual([rewritten]);
    expect(second?.parents).toEqual([first?.oid]);
    expect(base?.oid).toBe(rewritten);
    expect(await server.listFiles('rewritten', 'main')).toEqual(['app.yaml', 'new.yaml']);
    expect((await server.readFile('rewritten', 'main', 'app.yaml')).toString()).toBe(
      'image: web:2.0.0@sha256:bbb\n',
    );
    expect(await server.git('rewritten', ['fsck', '--strict']).then(String)).toBe('');
  });

  it.each([
    ['removed', async (dir: string) => rm(dir, { recursive: true, force: true })],
    [
      'packs overwritten with garbage',
      async (dir: string) => {
        const pack = join(dir, '.git', 'objects', 'pack');
        for (const name of await readdir(pack)) {
          if (name.endsWith('.pack'))
            await writeFile(join(pack, name), randomBytes((await stat(join(pack, name))).size));
        }
      },
    ],
    ['objects deleted', async (dir: string) => rm(join(dir, '.git', 'objects'), { recursive: true })],
    [
      'refs garbled',
      async (dir: string) => writeFile(join(dir, '.git', 'refs', 'heads', 'main'), 'not a ref\n'),
    ],
    ['shallow file garbled', async (dir: string) => writeFile(join(dir, '.git', 'shallow'), 'zzzz\n')],
  ])('falls back to a fresh clone when the mirror is %s, and rebuilds it', async (_, damage) => {
    const repo = `damaged-${randomBytes(4).toString('hex')}`;
    const url = await server.createRepo(repo, fleet(50));
    const counting = countingClient();
    const input: GitWriteInput = { url, branch: 'main', author, auth };
    await writer({ http: counting.client }).writeBack(
      input,
      pin('apps/app-0/values.yaml', 'app-0:1.0.0', 'app-0:1.1.0'),
    );
    const clone = counting.fetchedBytes();

    // A worker that starts later finds the damaged mirror (nothing of it in its memory yet), and someone
    // else committed meanwhile, so there is something to fetch.
    await damage(mirrorOf(repo));
    await server.commitFiles(repo, 'main', { 'apps/app-9/values.yaml': 'image: ghcr.io/org/app-9:2.0.0\n' });
    const { writeBack } = writer({ http: counting.client });
    const fallback = await writeBack(input, pin('apps/app-1/values.yaml', 'app-1:1.0.0', 'app-1:1.1.0'));
    const afterFallback = counting.fetchedBytes();
    const warm = await writeBack(input, pin('apps/app-2/values.yaml', 'app-2:1.0.0', 'app-2:1.1.0'));

    expect(fallback).toMatchObject({ outcome: 'committed', attempts: 1 });
    expect(warm).toMatchObject({ outcome: 'committed', attempts: 1 });
    for (const i of [0, 1, 2]) {
      expect((await server.readFile(repo, 'main', `apps/app-${i}/values.yaml`)).toString()).toMatch(
        new RegExp(`^image: ghcr.io/org/app-${i}:1.1.0\\n`),
      );
    }
    expect(await server.listCommits(repo, 'main')).toHaveLength(5);
    // The fallback cloned the whole tree again; the round after it was warm again.
    expect(afterFallback - clone).toBeGreaterThan(clone / 2);
    expect(counting.fetchedBytes() - afterFallback).toBeLessThan(clone / 10);
    expect(await server.git(repo, ['fsck', '--strict']).then(String)).toBe('');
  });

  it('repacks a mirror that collected more than maxMirrorPacks packs, and stays warm', async () => {
    const url = await server.createRepo('repack', fleet(30));
    const counting = countingClient();
    const { writeBack } = writer({ http: counting.client, maxMirrorPacks: 2 });
    const input: GitWriteInput = { url, branch: 'main', author, auth };
    const packDir = join(mirrorOf('repack'), '.git', 'objects', 'pack');
    const fetched: number[] = [];

    for (let i = 0; i < 4; i++) {
      const before = counting.fetchedBytes();
      await server.commitFiles('repack', 'main', { [`apps/app-${i + 10}/values.yaml`]: `image: x:${i}\n` });
      await writeBack(input, pin(`apps/app-${i}/values.yaml`, `app-${i}:1.0.0`, `app-${i}:1.1.0`));
      fetched.push(counting.fetchedBytes() - before);
      expect((await readdir(packDir)).filter((name) => name.endsWith('.idx')).length).toBeLessThanOrEqual(2);
    }

    // Each round after the first adds a fetched and a pushed pack: 1 + 2 > 2, so each repacks.
    expect(logs.filter((line) => /repacked/.test(line))).toHaveLength(3);
    expect(logs.filter((line) => /cloning|could not/.test(line))).toEqual([]);
    // After the first clone every fetch (also right after a repack) carried only the human's commit.
    for (const bytes of fetched.slice(1)) expect(bytes).toBeLessThan((fetched[0] ?? 0) / 5);
    for (let i = 0; i < 4; i++) {
      expect((await server.readFile('repack', 'main', `apps/app-${i}/values.yaml`)).toString()).toMatch(
        new RegExp(`^image: ghcr.io/org/app-${i}:1.1.0\\n`),
      );
    }
    expect(await server.listCommits('repack', 'main')).toHaveLength(9);
    expect(await server.git('repack', ['fsck', '--strict']).then(String)).toBe('');
  });

  it('clones into a temporary directory while another live process holds the mirror', async () => {
    const url = await server.createRepo('locked', { 'app.yaml': 'image: web:1.0.0\n' });
    const lock = `${mirrorOf('locked')}.lock`;
    await mkdir(mirrors, { recursive: true });
    await writeFile(lock, `${process.ppid}\n`);
    const { writeBack } = writer();

    const result = await writeBack({ url, branch: 'main', author, auth }, pin('app.yaml', '1.0.0', '1.1.0'));

    expect(result).toMatchObject({ outcome: 'committed', attempts: 1 });
    expect(logs.some((line) => /in use by another process/.test(line))).toBe(true);
    expect(await readdir(mirrors)).toEqual([`${mirrorKey(url, 'main')}.lock`]);
    expect(await readFile(lock, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const url = await server.createRepo('stale-lock', { 'app.yaml': 'image: web:1.0.0\n' });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await mkdir(mirrors, { recursive: true });
    await writeFile(`${mirrorOf('stale-lock')}.lock`, `${gone}\n`);
    const { writeBack } = writer();

    await writeBack({ url, branch: 'main', author, auth }, pin('app.yaml', '1.0.0', '1.1.0'));

    expect(logs.filter((line) => /mirror/.test(line))).toEqual([]);
    expect(await readdir(mirrors)).toEqual([mirrorKey(url, 'main')]);
  });

  it('keeps at most maxMirrors mirrors, deleting the least recently used', async () => {
    const { writeBack } = writer({ maxMirrors: 2 });
    const urls: string[] = [];
    for (const name of ['lru-a', 'lru-b', 'lru-c']) {
      const url = await server.createRepo(name, { 'app.yaml': 'image: web:1.0.0\n' });
      urls.push(url);
      await writeBack({ url, branch: 'main', author, auth }, pin('app.yaml', '1.0.0', '1.1.0'));
    }
    const [a, b, c] = urls as [string, string, string];
    expect((await readdir(mirrors)).sort()).toEqual([mirrorKey(b, 'main'), mirrorKey(c, 'main')].sort());

    // Using b again makes c the least recently used.
    await writeBack({ url: b, branch: 'main', author, auth }, pin('app.yaml', '1.1.0', '1.2.0'));
    await writeBack({ url: a, branch: 'main', author, auth }, pin('app.yaml', '1.1.0', '1.2.0'));
    expect((await readdir(mirrors)).sort()).toEqual([mirrorKey(a, 'main'), mirrorKey(b, 'main')].sort());
  });

  it('uses no mirror when mirrorDir is false', async () => {
    const url = await server.createRepo('no-mirror', { 'app.yaml': 'image: web:1.0.0\n' });
    const { writeBack } = writer({ mirrorDir: false });

    await writeBack({ url, branch: 'main', author, auth }, pin('app.yaml', '1.0.0', '1.1.0'));

    await expect(readdir(mirrors)).resolves.toEqual([]);
  });
});
