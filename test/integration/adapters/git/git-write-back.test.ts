import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitWriteBack } from '../../../../shared/adapters/git/git-write-back';
import type { GitEdit as Edit } from '../../../../shared/domain/ports';
import { startGitHttpServer, type GitHttpServer } from '../../../helpers/git-http-server';
import { testHttpClient } from '../../../helpers/http-client';

const author = { name: 'acr-autopilot', email: 'acr-autopilot@example.test' };
const deployment = 'spec:\r\n  image: ghcr.io/org/web:1.0.0 # {"$imagepolicy": "web"}\r\n';
const binary = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);

/** An edit like the pinning engine's: replace one image reference in one file. */
function pin(file: string, from: string, to: string): Edit {
  return async (tree) => {
    const text = await tree.read(file);
    const next = text.replace(from, to);
    return next === text ? null : { files: [{ file, content: next }], message: `Pin ${to}` };
  };
}

describe('createGitWriteBack (push mode)', () => {
  let server: GitHttpServer;
  let scratch: string;

  beforeAll(async () => {
    server = await startGitHttpServer();
    scratch = await mkdtemp(join(tmpdir(), 'write-back-test-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('commits the edit on top of the branch head and pushes it', async () => {
    const url = await server.createRepo('push-basic', {
      'apps/web/deployment.yaml': deployment,
      'README.md': '# fleet\n',
    });
    const seed = await server.head('push-basic', 'main');
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    const result = await writeBack(
      { url, branch: 'main', author },
      pin('apps/web/deployment.yaml', 'web:1.0.0', 'web:1.1.0@sha256:abc'),
    );

    expect(result).toMatchObject({ outcome: 'committed', branch: 'main', attempts: 1 });
    expect(result.commit).toBe(await server.head('push-basic', 'main'));
    const [head] = await server.listCommits('push-basic', 'main');
    expect(head).toMatchObject({
      parents: [seed],
      authorName: 'acr-autopilot',
      committerName: 'acr-autopilot',
    });
    expect(head?.authorEmail).toBe('acr-autopilot@example.test');
    expect(head?.message).toBe('Pin web:1.1.0@sha256:abc\n');
    expect((await server.readFile('push-basic', 'main', 'apps/web/deployment.yaml')).toString()).toBe(
      deployment.replace('web:1.0.0', 'web:1.1.0@sha256:abc'),
    );
    expect(await readdir(scratch)).toEqual([]);
  });

  it('lists tracked files and reads them with CRLF and BOM intact', async () => {
    const bom = '\ufeffkind: Kustomization\r\nimages: []\r\n';
    const url = await server.createRepo('read-view', {
      'a.yaml': 'a: 1\n',
      'deep/er/b.yaml': bom,
      'logo.png': binary,
    });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
    let seen: { paths: string[]; text: string } | undefined;

    const result = await writeBack({ url, branch: 'main', author }, async (tree) => {
      seen = { paths: await tree.list(), text: await tree.read('deep/er/b.yaml') };
      return null;
    });

    expect(result).toMatchObject({ outcome: 'no-change', reason: 'edit-returned-nothing', attempts: 1 });
    expect(seen).toEqual({ paths: ['a.yaml', 'deep/er/b.yaml', 'logo.png'], text: bom });
  });

  it('writes bytes exactly and leaves every other file untouched', async () => {
    const url = await server.createRepo('byte-exact', {
      'k/kustomization.yaml': '\ufeffimages:\r\n- name: web\r\n  newTag: 1.0.0\r\n',
      'logo.png': binary,
    });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    await writeBack({ url, branch: 'main', author }, async (tree) => {
      const text = await tree.read('k/kustomization.yaml');
      return {
        message: 'Pin web',
        files: [
          { file: 'k/kustomization.yaml', content: text.replace('1.0.0', '1.1.0') },
          { file: 'new/dir/values.yaml', content: 'image: web@sha256:0\n' },
          { file: 'blob.bin', content: Uint8Array.from([0, 1, 2, 255]) },
        ],
      };
    });

    const kustomization = await server.readFile('byte-exact', 'main', 'k/kustomization.yaml');
    expect(
      kustomization.equals(Buffer.from('\ufeffimages:\r\n- name: web\r\n  newTag: 1.1.0\r\n', 'utf8')),
    ).toBe(true);
    expect(kustomization.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect((await server.readFile('byte-exact', 'main', 'logo.png')).equals(Buffer.from(binary))).toBe(true);
    expect(
      (await server.readFile('byte-exact', 'main', 'blob.bin')).equals(Buffer.from([0, 1, 2, 255])),
    ).toBe(true);
    expect((await server.readFile('byte-exact', 'main', 'new/dir/values.yaml')).toString()).toBe(
      'image: web@sha256:0\n',
    );
    expect(await server.git('byte-exact', ['fsck', '--strict']).then(String)).toBe('');
  });

  it('keeps the mode of an executable file it rewrites', async () => {
    const url = await server.createRepo('modes', {
      'deploy.sh': { content: '#!/bin/sh\necho 1.0.0\n', mode: '100755' },
    });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    await writeBack({ url, branch: 'main', author }, pin('deploy.sh', '1.0.0', '1.1.0'));

    expect((await server.git('modes', ['ls-tree', 'main', 'deploy.sh'])).toString()).toMatch(/^100755 blob /);
  });

  it('makes no commit when the edit produces the content already there (redelivery)', async () => {
    const url = await server.createRepo('redelivery', { 'app.yaml': deployment });
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });
    const edit = pin('app.yaml', 'web:1.0.0', 'web:2.0.0');
    const rewrite: Edit = async (tree) => ({
      files: [{ file: 'app.yaml', content: (await tree.read('app.yaml')).replace('1.0.0', '2.0.0') }],
      message: 'Pin web:2.0.0',
    });

    const first = await writeBack({ url, branch: 'main', author }, edit);
    const head = await server.head('redelivery', 'main');
    const again = await writeBack({ url, branch: 'main', author, eventId: 'evt-1' }, rewrite);

    expect(first.outcome).toBe('committed');
    expect(again).toEqual({
      outcome: 'no-change',
      commit: head,
      branch: 'main',
      attempts: 1,
      reason: 'already-applied',
    });
    expect(await server.listCommits('redelivery', 'main')).toHaveLength(2);
  });

  it('fetches shallowly: a repository with long history costs the same four requests', async () => {
    const url = await server.createRepo('history', { 'app.yaml': 'v: 0\n' });
    for (let i = 1; i <= 30; i++)
      await server.commitFiles('history', 'main', { 'app.yaml': `v: ${i}\n`, [`f${i}`]: 'x'.repeat(2000) });
    const before = server.requests.length;
    const { writeBack } = createGitWriteBack({ http: testHttpClient(), tmpDir: scratch });

    await writeBack({ url, branch: 'main', author }, pin('app.yaml', 'v: 30', 'v: 31'));

    const requests = server.requests.slice(before).filter((r) => r.repo === 'history');
    expect(requests.map((r) => `${r.method} ${r.service} ${r.phase}`)).toEqual([
      'GET git-upload-pack discover',
      'POST git-upload-pack rpc',
      'GET git-receive-pack discover',
      'POST git-receive-pack rpc',
    ]);
    // Only the new commit, one tree and one blob travel; the 30 old 2 kB files do not.
    expect(requests[3]?.bodyBytes).toBeLessThan(1_000);
  });
});
