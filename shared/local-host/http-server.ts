import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { Registration } from './function-registry';
import type { HostLog } from './host-log';
import { invoke } from './invoke';
import { handleEventGridRequest } from './event-grid-endpoint';

/** Requests above this are refused by the host itself; functions apply their own, smaller limits. */
const hostBodyLimit = 4 * 1024 * 1024;

interface Route {
  registration: Registration;
  methods: string[];
  pattern: RegExp;
  paramNames: string[];
}

export interface HttpHostOptions {
  registrations: Registration[];
  routePrefix: string;
  log: HostLog;
  /** Runs a non-HTTP function once (Core Tools' `POST /admin/functions/{name}`). */
  runFunction: (name: string, input: unknown) => Promise<void>;
  /**
   * The key `/runtime/webhooks/eventgrid` requires (`?code=` or `x-functions-key`), standing in for
   * Azure's `eventgrid_extension` system key; undefined = the endpoint refuses every delivery.
   */
  eventGridKey: string | undefined;
}

/**
 * Serves HTTP triggers at `/{routePrefix}/{route}`, the Event Grid extension endpoint
 * `/runtime/webhooks/eventgrid?functionName=…` and `/admin/functions/{name}`, like the Functions host.
 */
export function createHttpHost(options: HttpHostOptions): Server {
  const routes = options.registrations
    .filter((registration) => registration.trigger.type === 'httpTrigger')
    .map((registration) => toRoute(registration, options.routePrefix));

  return createServer((req, res) => {
    const started = process.hrtime.bigint();
    void handle(req, res, routes, options)
      .catch((error: unknown) => {
        options.log(
          'error',
          'host',
          `request failed: ${error instanceof Error ? error.stack : String(error)}`,
        );
        if (!res.headersSent) send(res, 500, { error: 'local host error; see its log' });
      })
      .finally(() => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Path only: query strings can carry function keys.
        options.log(
          'debug',
          'host',
          `${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${ms.toFixed(1)}ms`,
        );
      });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: Route[], options: HttpHostOptions) {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const body = await readBody(req);
  if (body === 'too-large')
    return send(res, 413, { error: `request body larger than ${hostBodyLimit} bytes` });

  if (url.pathname === '/runtime/webhooks/eventgrid') {
    return handleEventGridRequest(req, res, url, body, options);
  }
  const admin = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname);
  if (admin && req.method === 'POST') {
    const name = decodeURIComponent(admin[1] ?? '');
    if (!options.registrations.some((registration) => registration.name === name)) {
      return send(res, 404, { error: `no function named ${name}` });
    }
    await options.runFunction(name, parseJson(body));
    return send(res, 202, { ran: name });
  }
  for (const route of routes) {
    const match = route.pattern.exec(url.pathname);
    if (!match) continue;
    if (!route.methods.includes(req.method ?? 'GET')) {
      res.setHeader('Allow', route.methods.join(', '));
      return send(res, 405, { error: `${req.method} not allowed; use ${route.methods.join(' or ')}` });
    }
    const params = Object.fromEntries(
      route.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
    );
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: url.toString(),
      headers: flattenHeaders(req),
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const result = await invoke(route.registration, request, options.log);
    return writeResponse(res, result);
  }
  return send(res, 404, { error: `no function serves ${req.method} ${url.pathname}` });
}

function toRoute(registration: Registration, prefix: string): Route {
  const route = String(registration.trigger.route ?? registration.name).replace(/^\/+/, '');
  const paramNames: string[] = [];
  const source = `/${prefix ? `${prefix}/` : ''}${route}`
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)(?::[^}]*)?(\?)?\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1] ?? '');
      return '([^/]+)';
    })
    .join('/');
  const methods = ((registration.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) =>
    m.toUpperCase(),
  );
  return { registration, methods, pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function writeResponse(res: ServerResponse, result: unknown): Promise<void> {
  if (result instanceof HttpResponse) {
    result.headers.forEach((value, name) => res.setHeader(name, value));
    res.statusCode = result.status;
    res.end(Buffer.from(await result.arrayBuffer()));
    return;
  }
  const init = (result ?? {}) as HttpResponseInit;
  // Most answers set no headers: no Headers object to build for them.
  const headers =
    init.headers === undefined
      ? undefined
      : new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  headers?.forEach((value, name) => res.setHeader(name, value));
  res.statusCode = init.status ?? 200;
  if (init.jsonBody !== undefined) {
    if (!headers?.has('content-type')) res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(init.jsonBody));
  } else if (typeof init.body === 'string' || init.body instanceof Uint8Array) {
    res.end(init.body);
  } else {
    res.end();
  }
}

export function send(res: ServerResponse, status: number, json: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(json));
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > hostBodyLimit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}
