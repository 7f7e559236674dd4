import git, { Errors, type HttpClient, type PushResult } from 'isomorphic-git';
import { demuxSideBand, pktLine, pktLines, postService } from './pkt-line';

export const NO_COMMIT = '0000000000000000000000000000000000000000';

export interface SendPackInput {
  http: HttpClient;
  url: string;
  headers: Record<string, string>;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** The commit the ref must still have (the lease); `NO_COMMIT` = the ref must not exist yet. */
  expected: string;
  head: string;
  /** A pack holding every object of `head` the remote may not have yet. */
  pack: Uint8Array;
}

/**
 * Pushes `head` to `ref` over git smart HTTP (receive-pack), sending exactly `pack`: the objects the
 * edits wrote. isomorphic-git's push walks the whole old and new trees to find them, which costs seconds
 * on a large repository; here they are already known.
 *
 * The push is a compare-and-swap: it goes ahead only if the discovered ref value is `expected`, and
 * receive-pack updates the ref only if it still has that value.
 *
 * @throws the errors isomorphic-git's push throws, so they are classified the same way: `HttpError`,
 *   `UserCanceledError` (the lease failed; `moved` says to what), `GitPushError` (the server refused a ref
 *   or could not unpack) and transport errors.
 */
export async function sendPack(input: SendPackInput, moved: (oid: string) => void): Promise<void> {
  const remote = await git.getRemoteInfo2({
    http: input.http,
    url: input.url,
    headers: { ...input.headers },
    forPush: true,
    protocolVersion: 1,
  });
  const current = remote.refs?.find((r) => r.ref === input.ref)?.oid ?? NO_COMMIT;
  if (current !== input.expected) {
    moved(current);
    throw new Errors.UserCanceledError();
  }
  const offered = new Set(Object.keys(remote.capabilities));
  const sideBand = offered.has('side-band-64k');
  const capabilities = ['report-status', ...(sideBand ? ['side-band-64k'] : [])];
  const command = `${input.expected} ${input.head} ${input.ref}\0${capabilities.join(' ')}\n`;
  const body = Buffer.concat([pktLine(command), Buffer.from('0000', 'latin1'), input.pack]);

  const bytes = await postService(input, 'git-receive-pack', body);
  const result = parseReport(sideBand ? demuxSideBand(bytes, 'push') : bytes);
  const refused = Object.entries(result.refs).filter(([, status]) => !status.ok);
  if (!result.ok || refused.length > 0 || !result.refs[input.ref]) {
    const details = refused.map(([ref, status]) => `\n  - ${ref}: ${status.error}`).join('');
    throw new Errors.GitPushError(details || `\n  - ${input.ref}: no status`, result);
  }
}

function parseReport(bytes: Buffer): PushResult {
  const lines = [...pktLines(bytes)].flatMap(({ payload }) =>
    payload === undefined ? [] : [payload.toString('utf8').replace(/\n$/, '')],
  );
  const unpack = lines.shift();
  if (!unpack?.startsWith('unpack ')) {
    throw new Error('the git server did not report the push status (no "unpack" line)');
  }
  const ok = unpack === 'unpack ok';
  const result: PushResult = { ok, error: ok ? null : unpack.slice('unpack '.length), refs: {} };
  for (const line of lines) {
    const updated = line.startsWith('ok ');
    if (!updated && !line.startsWith('ng ')) continue;
    const rest = line.slice(3);
    const space = rest.indexOf(' ');
    const ref = space < 0 ? rest : rest.slice(0, space);
    result.refs[ref] = { ok: updated, error: space < 0 ? '' : rest.slice(space + 1) };
  }
  return result;
}
