import { Errors, type HttpClient } from 'isomorphic-git';

/**
 * Git's smart HTTP: the POST to a service, the pkt-line framing (4 hex digits of length, then the
 * payload) and the side-band it carries.
 */

export function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}

/** Each pkt-line in `bytes` with the offset after it; `payload` is undefined for flush and delimiter. */
export function* pktLines(bytes: Buffer): Generator<{ payload: Buffer | undefined; end: number }> {
  let at = 0;
  while (at + 4 <= bytes.length) {
    const hex = bytes.toString('latin1', at, at + 4);
    const length = Number.parseInt(hex, 16);
    if (!/^[0-9a-f]{4}$/i.test(hex) || length === 3) {
      throw new Error('the git server sent a malformed answer (bad pkt-line length)');
    }
    // 0000 flush, 0001 delimiter, 0002 response end.
    if (length < 4) {
      at += 4;
      yield { payload: undefined, end: at };
      continue;
    }
    if (at + length > bytes.length) throw new Error('the git server sent a truncated answer');
    yield { payload: bytes.subarray(at + 4, at + length), end: at + length };
    at += length;
  }
}

/**
 * The data of side band 1 in `bytes` (side-band-64k); band 2 (progress) is dropped.
 * @throws Error with the server's message when it sent band 3 (a fatal error).
 */
export function demuxSideBand(bytes: Buffer, action: 'fetch' | 'push'): Buffer {
  const data: Buffer[] = [];
  for (const { payload } of pktLines(bytes)) {
    if (payload === undefined) continue;
    if (payload[0] === 1) data.push(payload.subarray(1));
    else if (payload[0] === 3) {
      throw new Error(`the git server aborted the ${action}: ${payload.toString('utf8', 1).trim()}`);
    }
  }
  return Buffer.concat(data);
}

/** Where a smart HTTP request goes: the remote as the adapter sees it. */
export interface ServiceRemote {
  http: HttpClient;
  url: string;
  headers: Record<string, string>;
}

/**
 * POSTs `body` to `<url>/<service>` and reads the whole answer; undefined (and the answer cancelled) once
 * it is longer than `maxBytes`.
 * @throws Errors.HttpError when the server answered with another status than 200.
 */
export function postService(remote: ServiceRemote, service: GitService, body: Buffer): Promise<Buffer>;
export function postService(
  remote: ServiceRemote,
  service: GitService,
  body: Buffer,
  maxBytes: number,
): Promise<Buffer | undefined>;
export async function postService(
  remote: ServiceRemote,
  service: GitService,
  body: Buffer,
  maxBytes = Infinity,
): Promise<Buffer | undefined> {
  const response = await remote.http.request({
    method: 'POST',
    url: `${remote.url}/${service}`,
    headers: {
      ...remote.headers,
      'content-type': `application/x-${service}-request`,
      accept: `application/x-${service}-result`,
    },
    body: once(body),
  });
  const bytes = await collect(response.body, maxBytes);
  if (bytes !== undefined && response.statusCode !== 200) {
    throw new Errors.HttpError(response.statusCode, response.statusMessage, bytes.toString('utf8', 0, 2000));
  }
  return bytes;
}

type GitService = 'git-upload-pack' | 'git-receive-pack';

async function* once(body: Uint8Array): AsyncIterableIterator<Uint8Array> {
  yield body;
}

async function collect(
  body: AsyncIterableIterator<Uint8Array> | undefined,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!body) return Buffer.alloc(0);
  for await (const chunk of body) {
    total += chunk.byteLength;
    // Leaving the loop cancels the body.
    if (total > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
