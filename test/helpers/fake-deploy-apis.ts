import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeArm, type FakeArm } from './fake-arm-container-apps';

/**
 * One loopback HTTP server shaped like every deploy API the app calls, each under its own prefix:
 *
 * - `/github`: `POST /repos/{o}/{r}/actions/workflows/{wf}/dispatches` (204, or 200 with the run when
 *   `return_run_details`; 422 "No ref found for: x" for an unknown ref; an "old GHES" mode that refuses
 *   `return_run_details` with 422), `GET …/workflows/{wf}/runs` (the runs dispatches created), `POST
 *   /repos/{o}/{r}/dispatches` (204);
 * - `/ado`: Runs – Run Pipeline (`POST /{org}/{project}/_apis/pipelines/{id}/runs?api-version=7.1`,
 *   Basic PAT or Bearer), answering the run with `_links.web.href`, Azure DevOps' JSON errors;
 * - `/argocd`: `GET /api/v1/applications/{name}?refresh=normal` and `POST …/{name}/sync` with a bearer
 *   token whose RBAC the test sets (403 "permission denied" otherwise);
 * - `/arm`: Container Apps (see fake-arm-container-apps.ts);
 * - `/hooks/{name}`: a webhook receiver that records the raw body and headers.
 *
 * Every request is recorded; every deviation from the documented contract (paths, headers, bodies,
 * limits) lands in `violations`, which tests expect to stay empty. `script` answers the next matching
 * request(s) instead (429, 503, slow, any error body).
 */

export interface RecordedRequest {
  api: 'github' | 'ado' | 'argocd' | 'arm' | 'hooks' | 'unknown';
  method: string;
  /** Path below the API prefix. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  text: string;
  body: unknown;
  /** `performance.now()` when the request had been read (benchmarks measure up to here). */
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  delayMs?: number;
  /** How many matching requests get it; default 1. */
  times?: number;
  match?: (request: RecordedRequest) => boolean;
}

export interface GithubRun {
  id: number;
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  created_at: string;
  html_url: string;
}

export interface FakeDeployApis {
  readonly url: string;
  readonly githubApiUrl: string;
  readonly adoApiUrl: string;
  readonly argocdUrl: string;
  readonly armUrl: string;
  /** `{url}/hooks/{name}` */
  hookUrl(name: string): string;
  readonly requests: RecordedRequest[];
  readonly violations: string[];
  /** Runs the workflow dispatches started. */
  readonly runs: GithubRun[];
  /** Accepted repository_dispatch bodies. */
  readonly dispatches: { repo: string; event_type: string; client_payload: unknown }[];
  /** Azure DevOps runs started. */
  readonly pipelineRuns: { org: string; project: string; pipelineId: number; body: unknown }[];
  /** Argo CD refreshes and syncs, as `refresh:<app>` / `sync:<app>`. */
  readonly argocdCalls: string[];
  readonly arm: FakeArm;
  options: FakeDeployApiOptions;
  script(answer: ScriptedAnswer): void;
  /** Requests to one API (excluding nothing else). */
  to(api: RecordedRequest['api']): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

export interface FakeDeployApiOptions {
  githubToken: string;
  /** Refs a workflow can run on; default main. */
  githubRefs?: string[];
  /** `old`: a GitHub Enterprise Server that refuses `return_run_details` with 422. */
  githubVersion?: 'current' | 'old';
  adoPat: string;
  /** A bearer token Azure DevOps accepts (an Entra token). */
  adoBearer?: string;
  /** Pipelines that exist, as `org/project/id`. */
  adoPipelines?: string[];
  /** Argo CD token → the actions it may take (`get`, `sync`). */
  argocdTokens: Record<string, ('get' | 'sync')[]>;
  armToken: string;
}

export async function startFakeDeployApis(options: FakeDeployApiOptions): Promise<FakeDeployApis> {
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const runs: GithubRun[] = [];
  const dispatches: FakeDeployApis['dispatches'] = [];
  const pipelineRuns: FakeDeployApis['pipelineRuns'] = [];
  const argocdCalls: string[] = [];
  const scripts: (ScriptedAnswer & { left: number })[] = [];
  let base = '';
  let nextRun = 9001;
  const arm = createFakeArm({ token: () => api.options.armToken, base: () => `${base}/arm`, violations });

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
        body = text;
      }
    }
    const prefix = /^\/(github|ado|argocd|arm|hooks)(\/.*)?$/.exec(url.pathname);
    const request: RecordedRequest = {
      api: (prefix?.[1] as RecordedRequest['api'] | undefined) ?? 'unknown',
      method: req.method ?? 'GET',
      path: prefix?.[2] ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      text,
      body,
      at: performance.now(),
    };
    requests.push(request);
    const scripted = scripts.find((s) => s.left > 0 && (s.match?.(request) ?? true));
    if (scripted) {
      scripted.left -= 1;
      if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      if (!res.destroyed) send(res, scripted.status, scripted.body, scripted.headers);
      return;
    }
    switch (request.api) {
      case 'github':
        return github(request, res);
      case 'ado':
        return ado(request, res);
      case 'argocd':
        return argocd(request, res);
      case 'arm':
        return arm.handle(request, res, send);
      case 'hooks':
        send(res, 204, undefined);
        return;
      default:
        violations.push(`unexpected ${request.method} ${url.pathname}`);
        send(res, 404, { message: 'Not Found' });
    }
  }

  function github(request: RecordedRequest, res: ServerResponse): void {
    const { headers, method, path } = request;
    if (headers.authorization !== `Bearer ${api.options.githubToken}`) {
      send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      return;
    }
    check(
      headers.accept === 'application/vnd.github+json',
      'GitHub: Accept must be application/vnd.github+json',
    );
    check(
      headers['x-github-api-version'] === '2022-11-28',
      'GitHub: X-GitHub-Api-Version must be 2022-11-28',
    );
    check(Boolean(headers['user-agent']), 'GitHub: a User-Agent header is required');
    const workflow = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/(dispatches|runs)$/.exec(path);
    if (workflow) {
      const [, owner = '', name = '', id = '', what] = workflow;
      const repo = `${owner}/${name}`;
      const workflowId = decodeURIComponent(id);
      if (what === 'runs' && method === 'GET') {
        const branch = request.query.branch;
        const listed = runs.filter(
          (run) => run.repo === repo && run.workflow === workflowId && (!branch || run.ref === branch),
        );
        check(
          request.query.event === 'workflow_dispatch',
          'GitHub: list runs filters by event=workflow_dispatch',
        );
        send(res, 200, {
          total_count: listed.length,
          workflow_runs: listed.map((run) => ({
            id: run.id,
            html_url: run.html_url,
            created_at: run.created_at,
            event: 'workflow_dispatch',
            head_branch: run.ref,
          })),
        });
        return;
      }
      if (what === 'dispatches' && method === 'POST') {
        const input = request.body as { ref?: unknown; inputs?: unknown; return_run_details?: unknown };
        check(
          headers['content-type']?.startsWith('application/json') === true,
          'GitHub: dispatch needs JSON',
        );
        check(typeof input?.ref === 'string', 'GitHub: workflow_dispatch needs a string ref');
        const inputs = (input?.inputs ?? {}) as Record<string, unknown>;
        check(Object.keys(inputs).length <= 25, 'GitHub: at most 25 inputs');
        check(
          Object.values(inputs).every((value) => typeof value === 'string'),
          'GitHub: inputs are strings',
        );
        if (input?.return_run_details !== undefined && api.options.githubVersion === 'old') {
          send(res, 422, {
            message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
            documentation_url: 'https://docs.github.com/enterprise-server@3.14/rest',
            status: '422',
          });
          return;
        }
        const ref = String(input?.ref).replace(/^refs\/(heads|tags)\//, '');
        if (!(api.options.githubRefs ?? ['main']).includes(ref)) {
          send(res, 422, {
            message: `No ref found for: ${String(input?.ref)}`,
            documentation_url:
              'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
            status: '422',
          });
          return;
        }
        const id = nextRun++;
        const run: GithubRun = {
          id,
          repo,
          workflow: workflowId,
          ref,
          inputs: inputs as Record<string, string>,
          created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          html_url: `https://github.com/${repo}/actions/runs/${id}`,
        };
        runs.push(run);
        if (input?.return_run_details === true) {
          send(res, 200, {
            workflow_run_id: id,
            run_url: `https://api.github.com/repos/${repo}/actions/runs/${id}`,
            html_url: run.html_url,
          });
        } else send(res, 204, undefined);
        return;
      }
    }
    const dispatch = /^\/repos\/([^/]+)\/([^/]+)\/dispatches$/.exec(path);
    if (dispatch && method === 'POST') {
      const input = request.body as { event_type?: unknown; client_payload?: unknown };
      check(typeof input?.event_type === 'string', 'GitHub: repository_dispatch needs event_type');
      check(String(input?.event_type).length <= 100, 'GitHub: event_type is at most 100 characters');
      const payload = input?.client_payload;
      check(
        payload === undefined || (typeof payload === 'object' && Object.keys(payload as object).length <= 10),
        'GitHub: client_payload has at most 10 top-level keys',
      );
      dispatches.push({
        repo: `${dispatch[1]}/${dispatch[2]}`,
        event_type: String(input?.event_type),
        client_payload: payload,
      });
      send(res, 204, undefined);
      return;
    }
    violations.push(`GitHub: unexpected ${method} ${path}`);
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  function ado(request: RecordedRequest, res: ServerResponse): void {
    const { headers, method, path, query } = request;
    const pat = `Basic ${Buffer.from(`:${api.options.adoPat}`).toString('base64')}`;
    const bearer = api.options.adoBearer ? `Bearer ${api.options.adoBearer}` : undefined;
    if (headers.authorization !== pat && (bearer === undefined || headers.authorization !== bearer)) {
      send(res, 401, undefined);
      return;
    }
    check(query['api-version'] === '7.1', 'Azure DevOps: api-version=7.1 is required');
    const match = /^\/([^/]+)\/([^/]+)\/_apis\/pipelines\/(\d+)\/runs$/.exec(path);
    if (!match || method !== 'POST') {
      violations.push(`Azure DevOps: unexpected ${method} ${path}`);
      send(res, 404, undefined);
      return;
    }
    const [, org = '', project = '', id = ''] = match.map((part) => decodeURIComponent(part));
    check(headers['content-type']?.startsWith('application/json') === true, 'Azure DevOps: JSON body');
    const known = api.options.adoPipelines ?? [];
    if (!known.includes(`${org}/${project}/${id}`)) {
      send(res, 404, {
        $id: '1',
        innerException: null,
        message: `Pipeline with id ${id} not found.`,
        typeName:
          'Microsoft.Azure.Pipelines.WebApi.PipelineNotFoundException, Microsoft.Azure.Pipelines.WebApi',
        typeKey: 'PipelineNotFoundException',
        errorCode: 0,
        eventId: 3000,
      });
      return;
    }
    const input = (request.body ?? {}) as Record<string, unknown>;
    const allowed = new Set([
      'resources',
      'templateParameters',
      'variables',
      'stagesToSkip',
      'previewRun',
      'yamlOverride',
    ]);
    for (const key of Object.keys(input))
      check(allowed.has(key), `Azure DevOps: unknown RunPipelineParameters field ${key}`);
    const variables = (input.variables ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(variables)) {
      check(
        typeof value === 'object' &&
          value !== null &&
          typeof (value as { value?: unknown }).value === 'string',
        `Azure DevOps: variables.${name} must be { value: string }`,
      );
    }
    pipelineRuns.push({ org, project, pipelineId: Number(id), body: request.body });
    const runId = 100 + pipelineRuns.length;
    send(res, 200, {
      id: runId,
      name: `20261125.${pipelineRuns.length}`,
      state: 'inProgress',
      url: `https://dev.azure.com/${org}/${project}/_apis/pipelines/${id}/runs/${runId}`,
      _links: {
        self: { href: `https://dev.azure.com/${org}/${project}/_apis/pipelines/${id}/runs/${runId}` },
        web: { href: `https://dev.azure.com/${org}/${project}/_build/results?buildId=${runId}` },
      },
      pipeline: { id: Number(id) },
    });
  }

  function argocd(request: RecordedRequest, res: ServerResponse): void {
    const { headers, method, path, query } = request;
    const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const rights = token === undefined ? undefined : api.options.argocdTokens[token];
    if (!rights) {
      send(res, 401, {
        error: 'invalid session: token is invalid',
        code: 16,
        message: 'invalid session: token is invalid',
      });
      return;
    }
    const match = /^\/api\/v1\/applications\/([^/]+)(\/sync)?$/.exec(path);
    if (!match) {
      violations.push(`Argo CD: unexpected ${method} ${path}`);
      send(res, 404, undefined);
      return;
    }
    const [, name = '', sync] = match;
    const action = sync ? 'sync' : 'get';
    if (sync ? method !== 'POST' : method !== 'GET') violations.push(`Argo CD: ${method} ${path}`);
    if (!sync) check(query.refresh === 'normal' || query.refresh === 'hard', 'Argo CD: refresh=normal|hard');
    if (!rights.includes(action)) {
      send(res, 403, { error: 'permission denied', code: 7, message: 'permission denied' });
      return;
    }
    argocdCalls.push(`${sync ? 'sync' : 'refresh'}:${decodeURIComponent(name)}`);
    send(res, 200, {
      metadata: { name: decodeURIComponent(name), namespace: 'argocd' },
      status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } },
    });
  }

  function check(condition: boolean, violation: string): void {
    if (!condition) violations.push(violation);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: FakeDeployApis = {
    url: base,
    githubApiUrl: `${base}/github`,
    adoApiUrl: `${base}/ado`,
    argocdUrl: `${base}/argocd`,
    armUrl: `${base}/arm`,
    hookUrl: (name) => `${base}/hooks/${name}`,
    requests,
    violations,
    runs,
    dispatches,
    pipelineRuns,
    argocdCalls,
    arm,
    options,
    script: (answer) => void scripts.push({ ...answer, left: answer.times ?? 1 }),
    to: (which) => requests.filter((request) => request.api === which),
    reset() {
      for (const list of [requests, violations, runs, dispatches, pipelineRuns, argocdCalls, scripts])
        list.length = 0;
      nextRun = 9001;
      arm.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return api;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, { ...(text ? { 'content-type': type } : {}), ...headers });
  res.end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
