import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP server on 127.0.0.1 that records every request and answers from a script, for testing
 * what a client does with statuses, headers, redirects, slowness and error bodies. Unscripted requests
 * get `200 ok`.
 */

export interface ScriptedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is (text/plain unless headers say otherwise); anything else as JSON. */
  body?: unknown;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Never answers (the client has to give up). */
  hang?: boolean;
  /** Sends the status and headers and this much of the body, then stalls (a body that never ends). */
  stallAfter?: string;
}

/** An answer, or a function of the request (to echo parts of it back, as some APIs do in errors). */
export type ScriptedReply = ScriptedAnswer | ((request: ScriptedRequest) => ScriptedAnswer);

export interface ScriptedHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: ScriptedRequest[];
  /** Queues replies, used one per request in order; then `200 ok` again. */
  reply(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, on `port` when given (e.g. one a test made sure was closed) or a free one. */
export async function startScriptedHttpServer(options: { port?: number } = {}): Promise<ScriptedHttpServer> {
  const requests: ScriptedRequest[] = [];
  const script: ScriptedReply[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: ScriptedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const next = script.shift() ?? {};
      const answer = typeof next === 'function' ? next(recorded) : next;
      if (answer.hang) return;
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) send(response, answer);
        }, answer.delayMs);
        timers.add(timer);
      } else send(response, answer);
    });
  });

  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    reply: (...replies) => void script.push(...replies),
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function send(response: ServerResponse, answer: ScriptedAnswer): void {
  const { body = 'ok' } = answer;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  response.writeHead(answer.status ?? 200, { 'content-type': type, ...answer.headers });
  if (answer.stallAfter !== undefined) response.write(answer.stallAfter);
  else response.end(text);
}
