import picomatch from 'picomatch';
import { type ObjectStore, serializeTree, type TreeEntry } from './git-objects';

/** What the caller's `edit` sees: the tracked files of one commit, read straight from git objects. */
export interface TreeView {
  /** Paths of all tracked regular files, `/`-separated, sorted. */
  list(): Promise<string[]>;
  /** The file's text, decoded as UTF-8 with a byte order mark kept (so writing it back is byte-exact). */
  read(path: string): Promise<string>;
}

/** A file to write: text is written as UTF-8 exactly as given; bytes are written as they are. */
export interface FileWrite {
  file: string;
  content: string | Uint8Array;
}

const REGULAR_FILE = /^100(644|755)$/;

/**
 * A read-only view of the tree `treeOid`. With `paths` (globs), `list` walks only the directories those
 * globs can reach (their static prefixes: `apps/**` → `apps/`), so a large repository's other
 * directories are never read; callers still match each listed path against their globs.
 */
export function createTreeView(
  store: ObjectStore,
  treeOid: string,
  options: { paths?: readonly string[] } = {},
): TreeView {
  const prefixes = staticPrefixes(options.paths);
  return {
    async list() {
      const paths: string[] = [];
      const walk = async (oid: string, prefix: string): Promise<void> => {
        for (const entry of await store.readTree(oid)) {
          const path = `${prefix}${entry.path}`;
          if (entry.type === 'tree') {
            if (reaches(prefixes, `${path}/`)) await walk(entry.oid, `${path}/`);
          } else if (entry.type === 'blob' && REGULAR_FILE.test(entry.mode) && reaches(prefixes, path)) {
            paths.push(path);
          }
        }
      };
      await walk(treeOid, '');
      return paths.sort();
    },
    async read(path) {
      const segments = splitPath(path);
      let oid = treeOid;
      for (const [index, name] of segments.entries()) {
        const entry = byName(await store.readTree(oid)).get(name);
        const last = index === segments.length - 1;
        const fits = last ? entry?.type === 'blob' && REGULAR_FILE.test(entry.mode) : entry?.type === 'tree';
        if (!entry || !fits) {
          throw new Error(`${path} is not a file in the gitops repository`);
        }
        oid = entry.oid;
      }
      const blob = await store.readBlob(oid);
      // Buffer#toString keeps a leading U+FEFF, unlike TextDecoder's default, so a BOM survives a rewrite.
      return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('utf8');
    },
  };
}

/** Tree entries by name, built once per tree (a chart directory can hold thousands of entries). */
const indexes = new WeakMap<readonly TreeEntry[], Map<string, TreeEntry>>();

function byName(entries: readonly TreeEntry[]): Map<string, TreeEntry> {
  let index = indexes.get(entries);
  if (!index) {
    index = new Map(entries.map((entry) => [entry.path, entry]));
    indexes.set(entries, index);
  }
  return index;
}

/**
 * The directories (ending in `/`) or files the globs start with; undefined = the whole tree (no globs,
 * or one that starts with a wildcard, like the default `**` globs).
 */
function staticPrefixes(globs: readonly string[] | undefined): string[] | undefined {
  if (!globs || globs.length === 0) return undefined;
  const prefixes: string[] = [];
  for (const glob of globs) {
    const scan = picomatch.scan(glob.replace(/^\.\//, ''));
    if (scan.negated || glob.includes('\\')) return undefined;
    if (!scan.isGlob) {
      prefixes.push(scan.input);
      continue;
    }
    if (scan.base === '' || scan.base === '.') return undefined;
    prefixes.push(`${scan.base.replace(/\/+$/, '')}/`);
  }
  return prefixes;
}

/** Whether `path` (a directory ending in `/`, or a file) is under or on the way to one of `prefixes`. */
function reaches(prefixes: readonly string[] | undefined, path: string): boolean {
  if (!prefixes) return true;
  return prefixes.some((prefix) =>
    prefix.endsWith('/')
      ? path.startsWith(prefix) || prefix.startsWith(path)
      : prefix === path || prefix.startsWith(path),
  );
}

interface DirChanges {
  files: Map<string, Uint8Array>;
  dirs: Map<string, DirChanges>;
}

/**
 * Writes `files` on top of the tree `baseTree` and returns the new root tree id. Unchanged subtrees keep
 * their ids, so the result equals `baseTree` exactly when every file already had the given bytes.
 * Existing files keep their mode (an executable stays executable); new files are `100644`.
 */
export async function writeFiles(
  store: ObjectStore,
  baseTree: string,
  files: readonly FileWrite[],
): Promise<string> {
  const root: DirChanges = { files: new Map(), dirs: new Map() };
  for (const { file, content } of files) {
    const segments = splitPath(file);
    const name = segments.pop() as string;
    let dir = root;
    for (const segment of segments) {
      let next = dir.dirs.get(segment);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        dir.dirs.set(segment, next);
      }
      dir = next;
    }
    dir.files.set(name, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  }
  return rewriteTree(store, baseTree, root, '');
}

async function rewriteTree(
  store: ObjectStore,
  treeOid: string | undefined,
  changes: DirChanges,
  prefix: string,
): Promise<string> {
  const entries = treeOid ? await store.readTree(treeOid) : [];
  const byName = new Map(entries.map((entry) => [entry.path, entry]));
  for (const [name, bytes] of changes.files) {
    const existing = byName.get(name);
    if (existing && !(existing.type === 'blob' && REGULAR_FILE.test(existing.mode))) {
      throw new Error(
        `cannot write ${prefix}${name}: it is a ${describe(existing)} in the gitops repository`,
      );
    }
    const oid = store.write('blob', bytes);
    byName.set(name, { mode: existing?.mode ?? '100644', path: name, oid, type: 'blob' });
  }
  for (const [name, child] of changes.dirs) {
    const existing = byName.get(name);
    if (existing && existing.type !== 'tree') {
      throw new Error(
        `cannot write below ${prefix}${name}: it is a ${describe(existing)} in the gitops repository`,
      );
    }
    const oid = await rewriteTree(store, existing?.oid, child, `${prefix}${name}/`);
    byName.set(name, { mode: '040000', path: name, oid, type: 'tree' });
  }
  return store.write('tree', serializeTree([...byName.values()]));
}

function describe(entry: TreeEntry): string {
  if (entry.type === 'tree') return 'directory';
  if (entry.type === 'commit') return 'submodule';
  return entry.mode === '120000' ? 'symbolic link' : 'file';
}

/** Splits a repository-relative path, refusing anything that could escape the tree or touch `.git`. */
function splitPath(path: string): string[] {
  const segments = path.replace(/^\.\//, '').split('/');
  const bad = segments.find(
    (s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git' || s.includes('\0'),
  );
  if (bad !== undefined) {
    throw new Error(
      `invalid path ${JSON.stringify(path)}: use a relative path like apps/web/deployment.yaml`,
    );
  }
  return segments;
}
