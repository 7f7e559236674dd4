import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { GitObject, ObjectType } from './git-objects';

const TYPE_CODE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/** A pack of whole (undeltified) objects and its version 2 index, as git and isomorphic-git read them. */
export interface PackFile {
  pack: Buffer;
  idx: Buffer;
  /** The pack's trailing SHA-1, which names it: `pack-<checksum>.pack`. */
  checksum: string;
}

/**
 * Packs `objects` (each once, no deltas: they are the few objects one pin writes). The index lets the
 * pack be kept in a local repository after it was pushed.
 */
export function buildPack(objects: ReadonlyMap<string, GitObject>): PackFile {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.size, 8);
  const parts: Buffer[] = [header];
  const entries: { oid: string; offset: number; crc: number }[] = [];
  let offset = header.length;
  for (const [oid, object] of objects) {
    const entry = Buffer.concat([
      entryHeader(TYPE_CODE[object.type], object.body.byteLength),
      deflateSync(object.body, { level: 1 }),
    ]);
    entries.push({ oid, offset, crc: crc32(entry) });
    parts.push(entry);
    offset += entry.length;
  }
  const trailer = createHash('sha1');
  for (const part of parts) trailer.update(part);
  const checksum = trailer.digest();
  if (offset > 0x7fffffff) throw new Error('pack too large for a 32-bit index (more than 2 GiB of changes)');
  const pack = Buffer.concat([...parts, checksum]);
  return { pack, idx: buildIndex(entries, checksum), checksum: checksum.toString('hex') };
}

/** Type and size, 4 bits then 7 bits per byte, high bit = more follows. */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

function buildIndex(entries: { oid: string; offset: number; crc: number }[], packChecksum: Buffer): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const count = sorted.length;
  // Header, fan-out, ids, CRCs, offsets, then the pack's checksum and the index's own.
  const buffer = Buffer.alloc(8 + 256 * 4 + count * (20 + 4 + 4) + 20 + 20);
  buffer.writeUInt32BE(0xff744f63, 0);
  buffer.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const { oid } of sorted) fanout[parseInt(oid.slice(0, 2), 16)]! += 1;
  let total = 0;
  for (let i = 0; i < 256; i++) {
    total += fanout[i]!;
    buffer.writeUInt32BE(total, 8 + i * 4);
  }
  let at = 8 + 256 * 4;
  for (const { oid } of sorted) at += buffer.write(oid, at, 'hex');
  for (const { crc } of sorted) at = buffer.writeUInt32BE(crc, at);
  for (const { offset } of sorted) at = buffer.writeUInt32BE(offset, at);
  at += packChecksum.copy(buffer, at);
  createHash('sha1').update(buffer.subarray(0, at)).digest().copy(buffer, at);
  return buffer;
}
