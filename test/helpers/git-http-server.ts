import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real git smart-HTTP server for tests: `git http-backend` (CGI) behind node:http on 127.0.0.1, bare
 * repositories in a temp dir. The system `git` is used here only; the app itself speaks smart HTTP through
 * isomorphic-git, exactly as it would to GitHub or Azure Repos.
 */

/** What the server saw, passed to `onRequest` before the request reaches git and kept in `requests`. */
export interface GitRequestInfo {
  method: string;
  /** Repository name without `.git`, e.g. `fleet` or `org/fleet`. */
  repo: string;
  service: 'git-upload-pack' | 'git-receive-pack' | undefined;
  /** `discover` = GET info/refs, `rpc` = the POST carrying the pack negotiation or the pack itself. */
  phase: 'discover' | 'rpc' | 'other';
  /** Basic-auth password the client sent, if any (tests assert on it; the app never logs it). */
  password: string | undefined;
  /** Bytes in the request body (the pack size for a receive-pack rpc). */
  bodyBytes: number;
}

/** A canned answer that replaces git's for one request, e.g. `{ status: 503 }`. */
export interface CannedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export type RequestHook = (info: GitRequestInfo) => void | CannedResponse | Promise<void | CannedResponse>;

export interface GitHttpServerOptions {
  /** When set, every request needs Basic auth with one of these passwords; `read` tokens get 403 on push. */
  tokens?: Record<string, 'read' | 'write'>;
}

export interface GitCommitInfo {
  oid: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  committerName: string;
  message: string;
}

/** File contents for a seeded commit; `null` deletes the path; `{ content, mode: '100755' }` is executable. */
export type SeedFiles = Record<
  string,
  string | Uint8Array | null | { content: string | Uint8Array; mode: '100644' | '100755' }
>;

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Directory holding the bare repositories. */
  readonly root: string;
  /** Every request so far, oldest first. */
  readonly requests: GitRequestInfo[];
  /** Called before each request is handed to git; may delay, push a conflicting commit, or answer itself. */
  onRequest: RequestHook | undefined;
  repoUrl(name: string): string;
  /** Creates a bare repo `name` (may be nested: `org/fleet`) with one commit holding `files` on `branch`. */
  createRepo(
    name: string,
    files: SeedFiles,
    options?: { branch?: string; denyNonFastForwards?: boolean },
  ): Promise<string>;
  /** Adds a commit on top of `branch` (creating the branch from `from` when it does not exist yet). */
  commitFiles(
    name: string,
    branch: string,
    files: SeedFiles,
    message?: string,
    from?: string,
  ): Promise<string>;
  /** Exact bytes of `path` at the head of `branch`. */
  readFile(name: string, branch: string, path: string): Promise<Buffer>;
  /** Head commit of `branch`, or undefined when the branch does not exist. */
  head(name: string, branch: string): Promise<string | undefined>;
  /** Commits reachable from `branch`, newest first. */
  listCommits(name: string, branch: string): Promise<GitCommitInfo[]>;
  /** Tracked paths at the head of `branch`. */
  listFiles(name: string, branch: string): Promise<string[]>;
  /** Runs `git --git-dir=<repo> ...args` and returns stdout. */
  git(name: string, args: string[], input?: string | Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and a free port. Call `close()` to stop it and delete the repos. */
export async function startGitHttpServer(options: GitHttpServerOptions = {}): Promise<GitHttpServer> {
  const root = await mkdtemp(join(tmpdir(), 'git-http-server-'));
  const requests: GitRequestInfo[] = [];
  // Keep the user's and the system's git config out of the test: no hooks, no credential helpers.
  const gitEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'seed',
    GIT_AUTHOR_EMAIL: 'seed@example.test',
    GIT_COMMITTER_NAME: 'seed',
    GIT_COMMITTER_EMAIL: 'seed@example.test',
  };
  const dirOf = (name: string) => join(root, `${name}.git`);
  const git = (name: string, args: string[], input?: string | Buffer) =>
    run('git', [`--git-dir=${dirOf(name)}`, ...args], gitEnv, input);

  const self: GitHttpServer = {
    url: '',
    root,
    requests,
    onRequest: undefined,
    repoUrl: (name) => `${self.url}/${name}.git`,
    async createRepo(name, files, { branch = 'main', denyNonFastForwards = false } = {}) {
      await run('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dirOf(name)], gitEnv);
      await git(name, ['config', 'http.receivepack', 'true']);
      await git(name, ['config', 'receive.denyNonFastForwards', String(denyNonFastForwards)]);
      await self.commitFiles(name, branch, files, 'seed');
      return self.repoUrl(name);
    },
    async commitFiles(name, branch, files, message = 'commit from a test', from) {
      const parent = (await self.head(name, branch)) ?? from;
      await git(name, ['fast-import', '--quiet'], fastImportStream(branch, files, message, parent));
      const oid = await self.head(name, branch);
      if (!oid) throw new Error(`fast-import did not create ${branch}`);
      return oid;
    },
    readFile: (name, branch, path) => git(name, ['cat-file', 'blob', `${branch}:${path}`]),
    async head(name, branch) {
      try {
        return (await git(name, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]))
          .toString()
          .trim();
      } catch {
        return undefined;
      }
    },
    async listCommits(name, branch) {
      const out = (
        await git(name, ['log', '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%cn%x1f%B%x1e', branch])
      ).toString();
      return out
        .split('\x1e')
        .map((record) => record.replace(/^\n/, ''))
        .filter((record) => record.length > 0)
        .map((record) => {
          const [
            oid = '',
            parents = '',
            authorName = '',
            authorEmail = '',
            committerName = '',
            message = '',
          ] = record.split('\x1f');
          return {
            oid,
            parents: parents.split(' ').filter(Boolean),
            authorName,
            authorEmail,
            committerName,
            message,
          };
        });
    },
    async listFiles(name, branch) {
      const out = (await git(name, ['ls-tree', '-r', '--name-only', '-z', branch])).toString();
      return out.split('\0').filter(Boolean);
    },
    git,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(root, { recursive: true, force: true });
    },
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Nested names work too (`org/fleet.git`, Azure-Repos-shaped `org/project/_git/fleet` without `.git`):
    // http-backend finds `<name>.git` under the project root by itself.
    const match = /^\/(.+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+)$/.exec(
      url.pathname,
    );
    const body = await readBody(req);
    const service =
      url.searchParams.get('service') ?? /\/(git-(?:upload|receive)-pack)$/.exec(url.pathname)?.[1];
    const info: GitRequestInfo = {
      method: req.method ?? 'GET',
      repo: match?.[1] ?? '',
      service: service === 'git-upload-pack' || service === 'git-receive-pack' ? service : undefined,
      phase: url.pathname.endsWith('/info/refs') ? 'discover' : req.method === 'POST' ? 'rpc' : 'other',
      password: basicPassword(req.headers.authorization),
      bodyBytes: body.length,
    };
    requests.push(info);
    if (options.tokens) {
      const grant = info.password === undefined ? undefined : options.tokens[info.password];
      if (!grant) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
        res.end('authentication required');
        return;
      }
      if (grant === 'read' && info.service === 'git-receive-pack') {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end('write access denied');
        return;
      }
    }
    const canned = await self.onRequest?.(info);
    if (canned) {
      res.writeHead(canned.status, { 'content-type': 'text/plain', ...canned.headers });
      res.end(canned.body ?? '');
      return;
    }
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    await runCgi(req, res, url, body);
  }

  function runCgi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_USER: 'test',
      REMOTE_ADDR: '127.0.0.1',
    };
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    const encoding = req.headers['content-encoding'];
    if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['http-backend'], { env });
      const stderr: Buffer[] = [];
      let head = Buffer.alloc(0);
      let headersDone = false;
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdout.on('data', (chunk: Buffer) => {
        if (headersDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = headerEnd(head);
        if (!end) return;
        headersDone = true;
        const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString('latin1'));
        res.writeHead(status, headers);
        res.write(head.subarray(end.at + end.length));
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (!headersDone) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString()}`);
        } else {
          res.end();
        }
        resolve();
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (self as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}

/** A loopback port nothing listens on (bound, read, closed), for "host unreachable" tests. */
export async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function fastImportStream(
  branch: string,
  files: SeedFiles,
  message: string,
  parent: string | undefined,
): Buffer {
  const parts: Buffer[] = [];
  const text = (value: string) => parts.push(Buffer.from(value, 'utf8'));
  const data = (value: string | Uint8Array) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    text(`data ${bytes.length}\n`);
    parts.push(bytes);
    text('\n');
  };
  const when = `${Math.floor(Date.now() / 1000)} +0000`;
  text(`commit refs/heads/${branch}\n`);
  text(`author seed <seed@example.test> ${when}\ncommitter seed <seed@example.test> ${when}\n`);
  data(message);
  if (parent) text(`from ${parent}\n`);
  for (const [path, content] of Object.entries(files)) {
    if (content === null) {
      text(`D ${path}\n`);
    } else if (typeof content === 'string' || content instanceof Uint8Array) {
      text(`M 100644 inline ${path}\n`);
      data(content);
    } else {
      text(`M ${content.mode} inline ${path}\n`);
      data(content.content);
    }
  }
  text('\n');
  return Buffer.concat(parts);
}

function headerEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers };
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string | Buffer,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.toString()}`, { cause: error }));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
