/** Git's pkt-line framing (4 hex digits of length, then the payload) and the side-band it carries. */

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
