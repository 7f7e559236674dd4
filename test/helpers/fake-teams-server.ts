import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a Teams Workflows trigger: an HTTP server on 127.0.0.1 with a free port that
 * records every request and answers from a script (status, Retry-After, slowness, a broken response).
 * Unscripted requests get 202 with an empty body, as Workflows do.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. `/workflows/…/invoke?api-version=2016-06-01&sig=…`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeReply =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Answers after `delayMs` (or never, when the client gives up first). */
  | { delayMs: number; then?: FakeReply }
  /** Writes bytes that are not HTTP and closes the connection. */
  | { malformed: true }
  /** Sends the status line and part of a promised body, then cuts the connection. */
  | { brokenBody: number }
  | { redirectTo: string };

export interface FakeTeamsServer {
  /** Origin, `http://127.0.0.1:<port>`. */
  origin: string;
  /** A Workflows-shaped URL on this server; its `sig` is `secret`. */
  workflowUrl(secret?: string): string;
  requests: RecordedRequest[];
  /** Queues replies, used one per request in order; then back to 202. */
  reply(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

export const fakeSignature = 'Zm9vYmFyU2VjcmV0U2lnbmF0dXJlVmFsdWU';

export async function startFakeTeamsServer(): Promise<FakeTeamsServer> {
  const requests: RecordedRequest[] = [];
  const script: FakeReply[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(response, script.shift() ?? { status: 202 });
    });
  });

  function answer(response: ServerResponse, reply: FakeReply): void {
    if ('delayMs' in reply) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) answer(response, reply.then ?? { status: 202 });
      }, reply.delayMs);
      timers.add(timer);
    } else if ('malformed' in reply) {
      response.socket?.end('NOT-HTTP garbage\r\n\r\n');
    } else if ('brokenBody' in reply) {
      response.writeHead(reply.brokenBody, { 'content-length': '1000' });
      response.write('partial', () => response.destroy());
    } else if ('redirectTo' in reply) {
      response.writeHead(302, { location: reply.redirectTo }).end();
    } else {
      response
        .writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers })
        .end(reply.body ?? '');
    }
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    workflowUrl: (secret = fakeSignature) =>
      `${origin}/workflows/5f1c0e2a9b7d4e3f8a6c1b2d3e4f5a6b/triggers/manual/paths/invoke` +
      `?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${secret}`,
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
