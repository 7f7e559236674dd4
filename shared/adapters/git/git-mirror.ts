import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git, { Errors, type HttpClient } from 'isomorphic-git';
import { scrubSecrets } from '../../domain/redact';
import {
  createObjectStore,
  type GitObject,
  type ObjectMemory,
  type ObjectStore,
  ObjectStoreError,
  writePack,
} from './git-objects';
import { buildPack } from './pack-file';
import type { GitRemote } from './git-remote';
import { cloneBranch, readBase, type CloneTarget, writeBranchRefs } from './shallow-clone';
import { fetchChanges, RemoteFetchError } from './upload-pack';

/** A local repository holding `branch` at the remote's head, ready for one round. */
export interface BranchCheckout {
  store: ObjectStore;
  /** The remote branch head as just fetched. */
  base: { commit: string; tree: string };
  /** For further fetches and pushes from this repository. */
  net: CloneTarget;
}

export interface RepoPoolOptions {
  http: HttpClient;
  /** Parent of the temporary repositories used when no mirror can be (each deleted after its round). */
  tmpRoot: string;
  memory: ObjectMemory;
  /**
   * Where the warm mirrors live, one folder per remote and branch (named by a hash of the URL without
   * credentials and the branch); undefined = no mirrors, every round clones into a temporary directory.
   */
  mirrorRoot?: string;
  /** Mirrors kept on disk; beyond it the least recently used are deleted. Default 8. */
  maxMirrors?: number;
  /** Packs a mirror may collect (each fetch and push adds one) before it is repacked into one. Default 32. */
  maxPacks?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

export interface RepoPool {
  /**
   * Runs `round` on `branch` of `remote`, fetched into a local repository: a warm mirror when there is one
   * (fetching only what changed since its last round), else a fresh shallow clone. A mirror that is
   * missing, broken or in use by another process never fails the round: the round clones instead, and a
   * broken mirror is replaced. Rounds on the same mirror run one at a time in this process.
   *
   * @throws RemoteFetchError when the remote could not be fetched; errors from `round` are passed through.
   */
  withBranch<T>(
    remote: GitRemote,
    branch: string,
    round: (checkout: BranchCheckout) => Promise<T>,
  ): Promise<T>;
}

/** A lock older than this was left by a process that died (a round takes minutes at most). */
const STALE_LOCK_MS = 10 * 60_000;

/** Mirrors in use in this process, whichever pool uses them: rounds on one mirror queue here. */
const busy = new Map<string, Promise<unknown>>();

export function createRepoPool(options: RepoPoolOptions): RepoPool {
  const maxMirrors = Math.max(1, options.maxMirrors ?? 8);
  const maxPacks = Math.max(1, options.maxPacks ?? 32);
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  /** isomorphic-git's caches (pack indexes) per mirror directory, kept while the mirror is. */
  const caches = new Map<string, object>();

  async function withBranch<T>(
    remote: GitRemote,
    branch: string,
    round: (checkout: BranchCheckout) => Promise<T>,
  ): Promise<T> {
    const root = options.mirrorRoot;
    if (root === undefined) return inTempDir(remote, branch, round);
    const dir = join(root, mirrorKey(remote.url, branch));
    return exclusive(dir, async () => {
      await mkdir(root, { recursive: true });
      const lock = `${dir}.lock`;
      if (!(await acquireLock(lock, now()))) {
        log(
          `git mirror of ${branch} of ${remote.label} is in use by another process; cloning into a temporary directory`,
        );
        return inTempDir(remote, branch, round);
      }
      try {
        const warm = await openWarm(dir, remote, branch);
        if (warm) {
          try {
            return await round(warm);
          } catch (error) {
            if (!(error instanceof ObjectStoreError)) throw error;
            log(
              `git mirror of ${branch} of ${remote.label} is broken (${describe(error, remote)}); cloning it again`,
            );
          }
        }
        const cold = await cloneInto(dir, remote, branch);
        try {
          return await round(cold);
        } catch (error) {
          if (error instanceof ObjectStoreError) await discard(dir);
          throw error;
        }
      } finally {
        await compact(dir, remote, branch);
        await utimes(dir, now(), now()).catch(() => undefined);
        await rm(lock, { force: true });
        await evict(root, dir);
      }
    });
  }

  /** The mirror, fetched up to the remote head; undefined when there is none or it is broken. */
  async function openWarm(
    dir: string,
    remote: GitRemote,
    branch: string,
  ): Promise<BranchCheckout | undefined> {
    const gitdir = join(dir, '.git');
    let packBytes = 0;
    let local: string;
    try {
      const packDir = join(gitdir, 'objects', 'pack');
      const packs = (await readdir(packDir)).filter((name) => name.endsWith('.pack'));
      for (const name of packs) packBytes += (await stat(join(packDir, name))).size;
      local = await git.resolveRef({ fs, gitdir, ref: `refs/heads/${branch}` });
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing)
        log(
          `git mirror of ${branch} of ${remote.label} is broken (${describe(error, remote)}); cloning it again`,
        );
      return undefined;
    }
    const cache = caches.get(dir) ?? {};
    caches.set(dir, cache);
    const net = target(dir, cache, remote);
    const store = createObjectStore({ fs, gitdir, cache }, options.memory);
    let fetched;
    try {
      fetched = await fetchChanges({
        ...net,
        store,
        ref: `refs/heads/${branch}`,
        haves: [local],
        // More than a fresh shallow clone would bring: clone instead (the branch was rewritten).
        maxBytes: Math.max(1024 * 1024, packBytes),
      });
    } catch (error) {
      if (error instanceof RemoteFetchError) throw error;
      log(
        `git mirror of ${branch} of ${remote.label} could not be updated (${describe(error, remote)}); cloning it again`,
      );
      return undefined;
    }
    if (fetched.kind === 'missing')
      throw new RemoteFetchError(new Errors.NotFoundError(`refs/heads/${branch}`));
    if (fetched.kind !== 'fetched') {
      log(
        `git mirror of ${branch} of ${remote.label} is not worth updating ` +
          `(${fetched.kind === 'too-large' ? 'the changes are larger than a fresh clone' : 'the server sends no side band'}); cloning it afresh`,
      );
      return undefined;
    }
    try {
      return { store, base: await readBase(store, branch), net };
    } catch (error) {
      log(
        `git mirror of ${branch} of ${remote.label} is broken (${describe(error, remote)}); cloning it again`,
      );
      return undefined;
    }
  }

  /**
   * Rewrites a mirror holding more than `maxPacks` packs as one pack of the branch head, its tree and
   * nothing else (the head becomes the shallow boundary), so object lookups stay fast and the disk
   * bounded. A mirror that cannot be repacked is deleted (the next round clones).
   */
  async function compact(dir: string, remote: GitRemote, branch: string): Promise<void> {
    const gitdir = join(dir, '.git');
    const packDir = join(gitdir, 'objects', 'pack');
    const names = await readdir(packDir).catch(() => [] as string[]);
    const packs = names.filter((name) => name.endsWith('.idx')).length;
    if (packs <= maxPacks) return;
    try {
      const store = createObjectStore({ fs, gitdir, cache: caches.get(dir) ?? {} }, options.memory);
      const head = await git.resolveRef({ fs, gitdir, ref: `refs/heads/${branch}` });
      const objects = new Map<string, GitObject>([[head, await store.readObject(head)]]);
      const walk = async (tree: string): Promise<void> => {
        objects.set(tree, await store.readObject(tree));
        for (const entry of await store.readTree(tree)) {
          if (objects.has(entry.oid)) continue;
          if (entry.type === 'tree') await walk(entry.oid);
          else if (entry.type === 'blob') objects.set(entry.oid, await store.readObject(entry.oid));
        }
      };
      await walk((await store.readCommit(head)).tree);
      const pack = buildPack(objects);
      await writePack({ gitdir }, pack);
      for (const name of names) {
        if (!name.startsWith(`pack-${pack.checksum}.`)) await rm(join(packDir, name), { force: true });
      }
      await writeFile(join(gitdir, 'shallow'), `${head}\n`);
      caches.set(dir, {});
      log(
        `git mirror of ${branch} of ${remote.label}: repacked ${packs} packs into one (${objects.size} objects)`,
      );
    } catch (error) {
      log(
        `git mirror of ${branch} of ${remote.label} could not be repacked (${describe(error, remote)}); it is cloned again next round`,
      );
      await discard(dir);
    }
  }

  async function cloneInto(dir: string, remote: GitRemote, branch: string): Promise<BranchCheckout> {
    await discard(dir);
    const cache = {};
    caches.set(dir, cache);
    const checkout = await clone(dir, cache, remote, branch).catch(async (error: unknown) => {
      await discard(dir);
      throw error;
    });
    await writeBranchRefs(checkout.store, `refs/heads/${branch}`, checkout.base.commit);
    return checkout;
  }

  async function inTempDir<T>(
    remote: GitRemote,
    branch: string,
    round: (checkout: BranchCheckout) => Promise<T>,
  ): Promise<T> {
    const dir = await mkdtemp(join(options.tmpRoot, 'acr-autopilot-git-'));
    try {
      return await round(await clone(dir, {}, remote, branch));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function clone(
    dir: string,
    cache: object,
    remote: GitRemote,
    branch: string,
  ): Promise<BranchCheckout> {
    const net = target(dir, cache, remote);
    try {
      await cloneBranch(net, branch);
    } catch (error) {
      throw new RemoteFetchError(error);
    }
    const store = createObjectStore({ fs, gitdir: join(dir, '.git'), cache }, options.memory);
    return { store, base: await readBase(store, branch), net };
  }

  async function discard(dir: string): Promise<void> {
    caches.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }

  /** Deletes the least recently used mirrors beyond `maxMirrors`, skipping any in use. */
  async function evict(root: string, current: string): Promise<void> {
    try {
      const names = (await readdir(root, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(root, entry.name));
      if (names.length <= maxMirrors) return;
      const aged = await Promise.all(
        names.map(async (dir) => ({ dir, used: (await stat(dir).catch(() => undefined))?.mtimeMs ?? 0 })),
      );
      aged.sort((a, b) => a.used - b.used);
      let excess = names.length - maxMirrors;
      for (const { dir } of aged) {
        if (excess <= 0) break;
        if (dir === current) continue;
        const evicted = await ifIdle(dir, async () => {
          const lock = `${dir}.lock`;
          if (!(await acquireLock(lock, now()))) return false;
          try {
            await discard(dir);
            return true;
          } finally {
            await rm(lock, { force: true });
          }
        });
        if (evicted) excess -= 1;
      }
    } catch (error) {
      log(`could not clean up git mirrors in ${root}: ${describe(error)}`);
    }
  }

  function target(dir: string, cache: object, remote: GitRemote): CloneTarget {
    return { fs, cache, http: options.http, dir, url: remote.url, headers: remote.headers };
  }

  return { withBranch };
}

/** The folder name of a mirror: a hash, so neither the URL nor anything in it is on disk by name. */
export function mirrorKey(url: string, branch: string): string {
  return createHash('sha256').update(`${url}\n${branch}`).digest('hex').slice(0, 32);
}

/** Runs `task` after every earlier task on `key` in this process has finished. */
function exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = busy.get(key) ?? Promise.resolve();
  return hold(key, before.then(task, task));
}

/** Runs `task` holding `key` if nothing in this process holds or waits for it; else returns false. */
function ifIdle(key: string, task: () => Promise<boolean>): Promise<boolean> {
  return busy.has(key) ? Promise.resolve(false) : hold(key, task());
}

/** Marks `key` busy until `run` settles; the next task on the key waits for it. */
async function hold<T>(key: string, run: Promise<T>): Promise<T> {
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  busy.set(key, settled);
  try {
    return await run;
  } finally {
    if (busy.get(key) === settled) busy.delete(key);
  }
}

/**
 * Takes the cross-process lock file `path` (holding our pid). A lock whose process is gone, that has our
 * own pid (a previous process that had it; this process only locks once per mirror, see `exclusive`) or
 * is older than a round can take is stale and taken over.
 */
async function acquireLock(path: string, now: Date): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!(await staleLock(path, now))) return false;
    await rm(path, { force: true });
  }
  return false;
}

async function staleLock(path: string, now: Date): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid === process.pid) return true;
    if (now.getTime() - info.mtimeMs > STALE_LOCK_MS) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Gone meanwhile: the next attempt takes it.
    return true;
  }
}

/** An error's message for a log line, without any of the remote's secrets. */
function describe(error: unknown, remote?: GitRemote): string {
  const message = error instanceof Error ? error.message : String(error);
  return remote ? scrubSecrets(message, remote.context.secrets) : message;
}
