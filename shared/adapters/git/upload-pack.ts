import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import type { ObjectStore } from './git-objects';
import { demuxSideBand, pktLine, pktLines, postService } from './pkt-line';
import { writeBranchRefs } from './shallow-clone';

/** The fetch from the remote failed (HTTP status, transport, a bad answer); `reason` is the error. */
export class RemoteFetchError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'RemoteFetchError';
  }
}

export interface FetchChangesInput {
  http: HttpClient;
  url: string;
  headers: Record<string, string>;
  store: ObjectStore;
  /** The repository's work dir (`gitdir` is `<dir>/.git`). */
  dir: string;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** Commits the repository has, newest first: the server leaves out everything they already hold. */
  haves: readonly string[];
  /** A pack larger than this is not taken (a fresh shallow clone is cheaper); the answer is `too-large`. */
  maxBytes: number;
}

export type FetchChangesResult =
  | { kind: 'fetched'; head: string; bytes: number }
  | { kind: 'missing' }
  | { kind: 'too-large' }
  | { kind: 'unsupported' };

/**
 * Fetches `ref` into a repository that already has `haves`, without deepening: the server sends only the
 * commits after them and the objects those commits added. (isomorphic-git's fetch always asks for a depth,
 * and git's upload-pack then sends the whole tree again.) Nothing is fetched when the remote ref is
 * already one of `haves`. Commits whose parents are not local are added to the shallow list, so a
 * force-pushed branch stays a consistent shallow history.
 *
 * @throws RemoteFetchError when the remote refused or could not be reached; local errors (disk) as they are.
 */
export async function fetchChanges(input: FetchChangesInput): Promise<FetchChangesResult> {
  const { store } = input;
  let remote;
  try {
    remote = await git.getRemoteInfo2({
      http: input.http,
      url: input.url,
      headers: { ...input.headers },
      protocolVersion: 1,
    });
  } catch (error) {
    throw new RemoteFetchError(error);
  }
  const head = remote.refs?.find((r) => r.ref === input.ref)?.oid;
  if (!head) return { kind: 'missing' };
  if (input.haves.includes(head) && (await store.has(head))) {
    await writeBranchRefs(store, input.ref, head);
    return { kind: 'fetched', head, bytes: 0 };
  }
  const offered = new Set(Object.keys(remote.capabilities));
  if (!offered.has('side-band-64k')) return { kind: 'unsupported' };

  const capabilities = ['side-band-64k', 'ofs-delta', 'no-progress'].filter((c) => offered.has(c));
  const shallow = await readShallow(store.gitdir);
  const body = Buffer.concat([
    pktLine(`want ${head} ${capabilities.join(' ')}\n`),
    ...(offered.has('shallow') ? [...shallow].map((oid) => pktLine(`shallow ${oid}\n`)) : []),
    Buffer.from('0000', 'latin1'),
    ...input.haves.map((oid) => pktLine(`have ${oid}\n`)),
    pktLine('done\n'),
  ]);

  let bytes: Buffer | undefined;
  try {
    bytes = await postService(input, 'git-upload-pack', body, input.maxBytes);
  } catch (error) {
    throw new RemoteFetchError(error);
  }
  if (bytes === undefined) return { kind: 'too-large' };

  let pack: Buffer;
  try {
    pack = packOf(bytes);
  } catch (error) {
    throw new RemoteFetchError(error);
  }
  if (pack.length > 32 && pack.readUInt32BE(8) > 0) await storePack(input, pack);
  if (!(await store.has(head))) {
    throw new RemoteFetchError(
      new Error(`the git server sent no commit ${head.slice(0, 12)} for ${input.ref}`),
    );
  }
  await markShallow(store, head, input.haves, shallow);
  await writeBranchRefs(store, input.ref, head);
  return { kind: 'fetched', head, bytes: bytes.length };
}

/** The pack in an upload-pack answer: negotiation lines (ACK, NAK, shallow) first, then side band 1. */
function packOf(bytes: Buffer): Buffer {
  let at = 0;
  for (const { payload, end } of pktLines(bytes)) {
    if (payload !== undefined && payload[0] !== undefined && payload[0] <= 3) break;
    if (payload?.toString('latin1', 0, 4) === 'ERR ') {
      throw new Error(`the git server refused the fetch: ${payload.toString('utf8', 4).trim()}`);
    }
    at = end;
  }
  const pack = demuxSideBand(bytes.subarray(at), 'fetch');
  if (pack.length === 0) return pack;
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') {
    throw new Error('the git server did not send a pack');
  }
  const checksum = createHash('sha1')
    .update(pack.subarray(0, pack.length - 20))
    .digest();
  if (!checksum.equals(pack.subarray(pack.length - 20))) {
    throw new Error('the pack from the git server is damaged (checksum mismatch)');
  }
  return pack;
}

/** Writes the pack under its checksum (renamed into place) and has isomorphic-git index it. */
async function storePack(input: FetchChangesInput, pack: Buffer): Promise<void> {
  const name = `pack-${pack.subarray(pack.length - 20).toString('hex')}.pack`;
  const path = join(input.store.gitdir, 'objects', 'pack', name);
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temp, pack);
  await rename(temp, path);
  await git.indexPack({
    fs: input.store.fs,
    dir: input.dir,
    gitdir: input.store.gitdir,
    filepath: join('.git', 'objects', 'pack', name),
    cache: input.store.cache,
  });
}

/**
 * Walks the new commits from `head` back to what the repository had; a commit whose parent is not local
 * (the branch was rewritten) becomes shallow, as git records a shallow fetch.
 */
async function markShallow(
  store: ObjectStore,
  head: string,
  haves: readonly string[],
  shallow: Set<string>,
): Promise<void> {
  const known = new Set(haves);
  const queue = [head];
  const seen = new Set<string>();
  let changed = false;
  while (queue.length > 0) {
    const oid = queue.pop() as string;
    if (seen.has(oid) || known.has(oid) || shallow.has(oid)) continue;
    seen.add(oid);
    const { parents } = await store.readCommit(oid);
    const present = await Promise.all(parents.map((parent) => store.has(parent)));
    if (present.every(Boolean)) {
      queue.push(...parents);
    } else {
      shallow.add(oid);
      changed = true;
    }
  }
  if (changed) await writeFile(join(store.gitdir, 'shallow'), [...shallow].map((oid) => `${oid}\n`).join(''));
}

async function readShallow(gitdir: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(gitdir, 'shallow'), 'utf8');
    const lines = text.split('\n').filter((line) => line !== '');
    if (!lines.every((line) => /^[0-9a-f]{40}$/.test(line))) {
      throw new Error(`${join(gitdir, 'shallow')} is not a list of commit ids`);
    }
    return new Set(lines);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
