import { createHash, randomBytes } from 'node:crypto';
import type * as nodeFs from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type TreeEntry } from 'isomorphic-git';
import { buildPack, type PackFile } from './pack-file';

export type { TreeEntry } from 'isomorphic-git';

export type ObjectType = 'blob' | 'tree' | 'commit';

/** A git object's type and its content (without the `<type> <size>\0` header). */
export interface GitObject {
  type: ObjectType;
  body: Uint8Array;
}

/** An object as kept in memory: trees also parsed, once. */
interface StoredObject extends GitObject {
  tree?: TreeEntry[];
}

/**
 * The objects of one local repository as the write-back uses them: reads go through an in-memory cache
 * (objects are content-addressed, so a cached object never goes stale) and then the repository on disk;
 * writes stay in memory (`pending`) until they are pushed, then `pending` becomes a pack on disk.
 */
export interface ObjectStore {
  readonly fs: typeof nodeFs;
  readonly gitdir: string;
  /** isomorphic-git's cache (pack indexes); kept as long as the repository directory is. */
  readonly cache: object;
  readTree(oid: string): Promise<readonly TreeEntry[]>;
  readBlob(oid: string): Promise<Uint8Array>;
  readCommit(oid: string): Promise<{ tree: string; parents: string[] }>;
  /** Any object with its type, as stored (for repacking). */
  readObject(oid: string): Promise<GitObject>;
  /** Whether the repository has the object (pending or on disk); never counts as a failure. */
  has(oid: string): Promise<boolean>;
  /** Hashes `body` and keeps it as pending; returns the object id. */
  write(type: ObjectType, body: Uint8Array): string;
  /** Objects written since the store was created (or last kept), oldest first. */
  pending(): ReadonlyMap<string, GitObject>;
  /** The first object read that failed, if any (kept even when the caller caught the error). */
  failure(): ObjectStoreError | undefined;
  /** The pending objects as one pack (empty when nothing is pending). */
  pack(): PackFile;
  /**
   * Stores `pack` (from `pack()`, after the push took it) in the repository, so later rounds read the
   * pushed commit locally, and remembers its objects; pending is empty afterwards.
   */
  keep(pack: PackFile): Promise<void>;
}

/**
 * A local object could not be read: the repository on disk is broken (a truncated pack, a missing
 * object). Callers holding a reusable mirror drop it and start again from a fresh clone.
 */
export class ObjectStoreError extends Error {
  constructor(oid: string, cause: unknown) {
    super(
      `git object ${oid} cannot be read from the local repository: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ObjectStoreError';
    this.cause = cause;
  }
}

/**
 * Objects read recently, shared by every repository of one writer, bounded by the bytes held. Two
 * generations: an object used while in the older one moves to the newer; when the newer holds half the
 * budget it becomes the older and the old one is dropped. (A map reordered on every hit, a strict LRU,
 * costs more than the reads it saves on a 10,000-file tree.)
 */
export class ObjectMemory {
  private young = new Map<string, StoredObject>();
  private old = new Map<string, StoredObject>();
  private youngBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(oid: string): StoredObject | undefined {
    const hit = this.young.get(oid);
    if (hit) return hit;
    const old = this.old.get(oid);
    if (old) {
      this.old.delete(oid);
      this.add(oid, old);
    }
    return old;
  }

  set(oid: string, entry: StoredObject): void {
    // One object larger than a quarter of the budget would push out everything else; read it again instead.
    if (this.young.has(oid) || sizeOf(entry) > this.maxBytes / 4) return;
    this.old.delete(oid);
    this.add(oid, entry);
  }

  private add(oid: string, entry: StoredObject): void {
    this.young.set(oid, entry);
    this.youngBytes += sizeOf(entry);
    if (this.youngBytes > this.maxBytes / 2) {
      this.old = this.young;
      this.young = new Map();
      this.youngBytes = 0;
    }
  }
}

/** Bytes an object holds in memory, roughly: its content, its parsed entries and the map's overhead. */
function sizeOf(entry: StoredObject): number {
  return entry.body.byteLength + 100 + (entry.tree ? entry.tree.length * 150 : 0);
}

/** An object store over `gitdir`, reading through `memory` (a fresh, unshared one when absent). */
export function createObjectStore(
  repo: { fs: typeof nodeFs; gitdir: string; cache: object },
  memory: ObjectMemory = new ObjectMemory(16 * 1024 * 1024),
): ObjectStore {
  const pending = new Map<string, StoredObject>();
  let failure: ObjectStoreError | undefined;

  async function read(oid: string, want?: ObjectType) {
    let entry = memory.get(oid) ?? pending.get(oid);
    if (!entry) {
      let result;
      try {
        result = await git.readObject({ ...repo, oid, format: 'content' });
      } catch (error) {
        throw fail(oid, error);
      }
      entry = { type: result.type as ObjectType, body: result.object as Uint8Array };
      parsed(oid, entry);
      memory.set(oid, entry);
    }
    parsed(oid, entry);
    if (want !== undefined && entry.type !== want) {
      throw fail(oid, new Error(`expected a ${want}, found a ${entry.type}`));
    }
    return entry;
  }

  function parsed(oid: string, entry: StoredObject): void {
    if (entry.type !== 'tree' || entry.tree) return;
    try {
      entry.tree = parseTree(entry.body);
    } catch (error) {
      throw fail(oid, error);
    }
  }

  function fail(oid: string, cause: unknown): ObjectStoreError {
    const error = new ObjectStoreError(oid, cause);
    failure ??= error;
    return error;
  }

  return {
    fs: repo.fs,
    gitdir: repo.gitdir,
    cache: repo.cache,
    async readTree(oid) {
      return (await read(oid, 'tree')).tree ?? [];
    },
    async readBlob(oid) {
      return (await read(oid, 'blob')).body;
    },
    async readCommit(oid) {
      return parseCommit((await read(oid, 'commit')).body);
    },
    async readObject(oid) {
      const { type, body } = await read(oid);
      return { type, body };
    },
    async has(oid) {
      // Not the memory: it outlives a mirror that was cloned afresh, and callers ask about this repository.
      if (pending.has(oid)) return true;
      try {
        await git.readObject({ ...repo, oid, format: 'deflated' });
        return true;
      } catch {
        return false;
      }
    },
    write(type, body) {
      const oid = objectId(type, body);
      if (!pending.has(oid)) pending.set(oid, { type, body });
      return oid;
    },
    pending: () => pending,
    failure: () => failure,
    pack: () => buildPack(pending),
    async keep(pack) {
      if (pending.size === 0) return;
      await writePack(repo, pack);
      for (const [oid, object] of pending) memory.set(oid, object);
      pending.clear();
    },
  };
}

/**
 * Writes `pack` and its index under objects/pack, each under a temporary name first and renamed into
 * place (the index last: readers look for indexes), so a crash never leaves a half-written pack behind.
 */
export async function writePack(repo: { gitdir: string }, pack: PackFile): Promise<void> {
  const dir = join(repo.gitdir, 'objects', 'pack');
  await mkdir(dir, { recursive: true });
  const name = join(dir, `pack-${pack.checksum}`);
  const suffix = `.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(`${name}.pack${suffix}`, pack.pack);
  await rename(`${name}.pack${suffix}`, `${name}.pack`);
  await writeFile(`${name}.idx${suffix}`, pack.idx);
  await rename(`${name}.idx${suffix}`, `${name}.idx`);
}

/** The SHA-1 object id git gives `body` stored as a `type`. */
function objectId(type: ObjectType, body: Uint8Array): string {
  return createHash('sha1').update(`${type} ${body.byteLength}\0`).update(body).digest('hex');
}

/** Tree entries as isomorphic-git reports them (directories as mode `040000`). */
function parseTree(body: Uint8Array): TreeEntry[] {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > bytes.length) throw new Error('malformed git tree object');
    const raw = bytes.toString('latin1', at, space);
    const mode = raw.padStart(6, '0');
    const path = bytes.toString('utf8', space + 1, nul);
    const oid = bytes.toString('hex', nul + 1, nul + 21);
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({ mode, path, oid, type });
    at = nul + 21;
  }
  return entries;
}

/** A tree object's bytes, entries in git's order (a directory sorts as if its name ended in `/`). */
export function serializeTree(entries: readonly TreeEntry[]): Uint8Array {
  const keyed = entries.map((entry) => ({
    entry,
    key: Buffer.from(entry.type === 'tree' ? `${entry.path}/` : entry.path, 'utf8'),
  }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return Buffer.concat(
    keyed.flatMap(({ entry }) => [
      Buffer.from(`${entry.mode.replace(/^0+/, '')} ${entry.path}\0`, 'utf8'),
      Buffer.from(entry.oid, 'hex'),
    ]),
  );
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  author: { name: string; email: string; timestamp: number };
  committer: { name: string; email: string; timestamp: number };
  message: string;
}

/** A commit object's bytes; times are written in UTC (`+0000`). */
export function serializeCommit(commit: CommitFields): Uint8Array {
  const person = (p: CommitFields['author']) =>
    `${clean(p.name)} <${clean(p.email)}> ${Math.floor(p.timestamp)} +0000`;
  const lines = [
    `tree ${commit.tree}`,
    ...commit.parents.map((parent) => `parent ${parent}`),
    `author ${person(commit.author)}`,
    `committer ${person(commit.committer)}`,
  ];
  return Buffer.from(`${lines.join('\n')}\n\n${commit.message}`, 'utf8');
}

function parseCommit(body: Uint8Array): { tree: string; parents: string[] } {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const end = text.indexOf('\n\n');
  const headers = end < 0 ? text : text.slice(0, end);
  let tree: string | undefined;
  const parents: string[] = [];
  for (const line of headers.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5, 45);
    else if (line.startsWith('parent ')) parents.push(line.slice(7, 47));
  }
  if (!tree) throw new Error('malformed git commit object: no tree');
  return { tree, parents };
}

/** Git identities cannot hold angle brackets or line breaks. */
function clean(value: string): string {
  return value.replace(/[<>\n\r]/g, '').trim();
}
