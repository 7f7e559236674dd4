import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A local server shaped like the GitHub and Azure DevOps pull-request APIs. It keeps pull requests in
 * memory, answers duplicates the way the real services do (GitHub 422 "A pull request already exists",
 * Azure DevOps 409 TF401179), records every request, and lists every deviation from the documented
 * paths, headers and bodies in `violations` (tests expect it to stay empty).
 *
 * GitHub is served under `/github` (use `githubApiUrl`), Azure DevOps under `/ado` (`azureDevOpsApiUrl`).
 */

export interface RecordedRequest {
  api: 'github' | 'azure-devops' | 'unknown';
  method: string;
  /** Path below the API base, e.g. `/repos/org/fleet/pulls`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakePullRequest {
  api: 'github' | 'azure-devops';
  /** `owner/repo` or `org/project/repo`. */
  repo: string;
  number: number;
  /** Branch names without `refs/heads/`. */
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
}

/** A scripted answer for the next request(s) that `match`, instead of the normal behaviour. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (to trigger client timeouts). */
  delayMs?: number;
  /** How many matching requests get it. Default 1. */
  times?: number;
  match?: (request: RecordedRequest) => boolean;
}

export interface FakePrApi {
  readonly url: string;
  readonly githubApiUrl: string;
  readonly azureDevOpsApiUrl: string;
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  readonly pulls: FakePullRequest[];
  /** Queues a scripted answer; scripts are consumed in order. */
  script(answer: ScriptedAnswer): void;
  /** Forgets requests, violations, scripts and pull requests. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakePrApiOptions {
  /** The only GitHub token accepted (`Authorization: Bearer …`). */
  githubToken: string;
  /** The only Azure DevOps PAT accepted (`Authorization: Basic base64(":" + pat)`). */
  azureDevOpsToken: string;
}

export async function startFakePrApi(options: FakePrApiOptions): Promise<FakePrApi> {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const pulls: FakePullRequest[] = [];
  const scripts: (ScriptedAnswer & { left: number })[] = [];
  let nextNumber = 1;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(`server error: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { message: 'fake server error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = await readText(req);
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        violations.push(`${req.method} ${url.pathname}: body is not JSON`);
      }
    }
    const api = url.pathname.startsWith('/github/')
      ? 'github'
      : url.pathname.startsWith('/ado/')
        ? 'azure-devops'
        : 'unknown';
    const request: RecordedRequest = {
      api,
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/(github|ado)/, ''),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    };
    requests.push(request);

    const scripted = scripts.find((s) => s.left > 0 && (s.match?.(request) ?? true));
    if (scripted) {
      scripted.left -= 1;
      if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      if (res.destroyed) return;
      send(res, scripted.status, scripted.body ?? {}, scripted.headers);
      return;
    }
    if (api === 'github') return github(request, res);
    if (api === 'azure-devops') return azureDevOps(request, res);
    send(res, 404, { message: 'Not Found' });
  }

  function github(request: RecordedRequest, res: ServerResponse): void {
    const { headers, method, path, query } = request;
    if (headers.authorization !== `Bearer ${options.githubToken}`) {
      send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      return;
    }
    expect(
      headers.accept === 'application/vnd.github+json',
      'GitHub: Accept must be application/vnd.github+json',
    );
    expect(
      headers['x-github-api-version'] === '2022-11-28',
      'GitHub: X-GitHub-Api-Version must be 2022-11-28',
    );
    expect(Boolean(headers['user-agent']), 'GitHub: a User-Agent header is required');
    const match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(path);
    if (!match) {
      violations.push(`GitHub: unexpected path ${method} ${path}`);
      send(res, 404, { message: 'Not Found' });
      return;
    }
    const [, owner = '', name = '', number] = match;
    const repo = `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`;
    const view = (pull: FakePullRequest) => ({
      number: pull.number,
      html_url: `https://github.com/${repo}/pull/${pull.number}`,
      url: `https://api.github.com/repos/${repo}/pulls/${pull.number}`,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      head: { ref: pull.head, label: `${owner}:${pull.head}` },
      base: { ref: pull.base },
    });
    if (method === 'POST' && number === undefined) {
      const input = request.body as Record<string, unknown> | undefined;
      for (const field of ['title', 'head', 'base', 'body']) {
        expect(typeof input?.[field] === 'string', `GitHub: POST pulls needs a string ${field}`);
      }
      expect(
        headers['content-type']?.startsWith('application/json') === true,
        'GitHub: POST needs a JSON body',
      );
      const head = String(input?.head);
      const base = String(input?.base);
      if (
        pulls.some(
          (p) =>
            p.api === 'github' && p.repo === repo && p.head === head && p.base === base && p.state === 'open',
        )
      ) {
        send(res, 422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${owner}:${head}.`,
            },
          ],
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
          status: '422',
        });
        return;
      }
      const pull: FakePullRequest = {
        api: 'github',
        repo,
        number: nextNumber++,
        head,
        base,
        title: String(input?.title),
        body: String(input?.body),
        state: 'open',
      };
      pulls.push(pull);
      send(res, 201, view(pull));
      return;
    }
    if (method === 'GET' && number === undefined) {
      expect(/^[^:]+:.+$/.test(query.head ?? ''), 'GitHub: GET pulls filters by head=owner:branch');
      const [, branch] = /^[^:]+:(.+)$/.exec(query.head ?? '') ?? [];
      const state = query.state ?? 'open';
      send(
        res,
        200,
        pulls
          .filter((p) => p.api === 'github' && p.repo === repo && p.head === branch && p.state === state)
          .map(view),
      );
      return;
    }
    if (method === 'PATCH' && number !== undefined) {
      const pull = pulls.find((p) => p.api === 'github' && p.repo === repo && p.number === Number(number));
      if (!pull) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      const input = (request.body ?? {}) as { title?: unknown; body?: unknown };
      if (typeof input.title === 'string') pull.title = input.title;
      if (typeof input.body === 'string') pull.body = input.body;
      send(res, 200, view(pull));
      return;
    }
    violations.push(`GitHub: unexpected ${method} ${path}`);
    send(res, 404, { message: 'Not Found' });
  }

  function azureDevOps(request: RecordedRequest, res: ServerResponse): void {
    const { headers, method, path, query } = request;
    const expected = `Basic ${Buffer.from(`:${options.azureDevOpsToken}`).toString('base64')}`;
    if (headers.authorization !== expected) {
      // Azure DevOps answers a rejected PAT with 401 and no JSON body.
      send(res, 401, undefined);
      return;
    }
    expect(query['api-version'] === '7.1', 'Azure DevOps: api-version=7.1 is required');
    const match = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests(?:\/(\d+))?$/.exec(
      path,
    );
    if (!match) {
      violations.push(`Azure DevOps: unexpected path ${method} ${path}`);
      send(res, 404, { message: 'TF200016: The following project does not exist' });
      return;
    }
    const [, org = '', project = '', name = '', id] = match;
    const repo = [org, project, name].map(decodeURIComponent).join('/');
    const webUrl = `https://dev.azure.com/${org}/${project}/_git/${name}`;
    const view = (pull: FakePullRequest) => ({
      pullRequestId: pull.number,
      status: pull.state === 'open' ? 'active' : 'completed',
      title: pull.title,
      description: pull.body,
      sourceRefName: `refs/heads/${pull.head}`,
      targetRefName: `refs/heads/${pull.base}`,
      url: `https://dev.azure.com/${org}/${project}/_apis/git/repositories/${name}/pullRequests/${pull.number}`,
      repository: { id: 'b3f5c2a1-0000-4000-8000-000000000001', name: decodeURIComponent(name), webUrl },
    });
    if (method === 'POST' && id === undefined) {
      const input = request.body as Record<string, unknown> | undefined;
      for (const field of ['sourceRefName', 'targetRefName', 'title', 'description']) {
        expect(typeof input?.[field] === 'string', `Azure DevOps: POST pullrequests needs a string ${field}`);
      }
      expect(
        String(input?.sourceRefName).startsWith('refs/heads/'),
        'Azure DevOps: sourceRefName starts with refs/heads/',
      );
      expect(
        String(input?.targetRefName).startsWith('refs/heads/'),
        'Azure DevOps: targetRefName starts with refs/heads/',
      );
      expect(
        String(input?.description).length <= 4000,
        'Azure DevOps: description is at most 4000 characters',
      );
      const head = String(input?.sourceRefName).replace(/^refs\/heads\//, '');
      const base = String(input?.targetRefName).replace(/^refs\/heads\//, '');
      if (
        pulls.some(
          (p) =>
            p.api === 'azure-devops' &&
            p.repo === repo &&
            p.head === head &&
            p.base === base &&
            p.state === 'open',
        )
      ) {
        send(res, 409, {
          $id: '1',
          innerException: null,
          message: 'TF401179: An active pull request for the source and target branch already exists.',
          typeName:
            'Microsoft.TeamFoundation.Git.Server.GitPullRequestExistsException, Microsoft.TeamFoundation.Git.Server',
          typeKey: 'GitPullRequestExistsException',
          errorCode: 0,
          eventId: 3000,
        });
        return;
      }
      const pull: FakePullRequest = {
        api: 'azure-devops',
        repo,
        number: nextNumber++,
        head,
        base,
        title: String(input?.title),
        body: String(input?.description),
        state: 'open',
      };
      pulls.push(pull);
      send(res, 201, view(pull));
      return;
    }
    if (method === 'GET' && id === undefined) {
      const source = query['searchCriteria.sourceRefName'];
      expect(
        Boolean(source?.startsWith('refs/heads/')),
        'Azure DevOps: GET filters by searchCriteria.sourceRefName',
      );
      const target = query['searchCriteria.targetRefName'];
      const status = query['searchCriteria.status'] ?? 'active';
      const value = pulls
        .filter((p) => p.api === 'azure-devops' && p.repo === repo)
        .filter((p) => `refs/heads/${p.head}` === source && (!target || `refs/heads/${p.base}` === target))
        .filter((p) => (status === 'active' ? p.state === 'open' : true))
        .map(view);
      send(res, 200, { value, count: value.length });
      return;
    }
    if (method === 'PATCH' && id !== undefined) {
      const pull = pulls.find((p) => p.api === 'azure-devops' && p.repo === repo && p.number === Number(id));
      if (!pull) {
        send(res, 404, { message: `TF401180: The requested pull request was not found.` });
        return;
      }
      const input = (request.body ?? {}) as { title?: unknown; description?: unknown };
      if (typeof input.title === 'string') pull.title = input.title;
      if (typeof input.description === 'string') pull.body = input.description;
      send(res, 200, view(pull));
      return;
    }
    violations.push(`Azure DevOps: unexpected ${method} ${path}`);
    send(res, 404, { message: 'not found' });
  }

  function expect(condition: boolean, violation: string): void {
    if (!condition) violations.push(violation);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    githubApiUrl: `${base}/github`,
    azureDevOpsApiUrl: `${base}/ado`,
    requests,
    violations,
    pulls,
    script: (answer) => scripts.push({ ...answer, left: answer.times ?? 1 }),
    reset: () => {
      requests.length = 0;
      violations.length = 0;
      scripts.length = 0;
      pulls.length = 0;
      nextNumber = 1;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...headers,
  });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
