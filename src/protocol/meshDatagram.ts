import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { FIRST_PEER_KIND, Kind, LAST_PEER_KIND, writeHeader } from './header';
import { HEADER_BYTES, MAX_DATAGRAM_BYTES } from './limits';

/**
 * MESH (kind 0x30, relay → relay of one cluster): peer datagrams a relay hands to another relay
 * of its cluster for that relay's clients (docs/protocol.md "Several relays"):
 *
 *   header(12: kind MESH, src 0, dst 0) | relay id(8) | counter u64
 *     | n × ( length u16 | peer datagram ) | tag(16)
 *
 *   tag = HMAC-SHA-256(mesh key, every byte before it)[:16]
 *   mesh key = HKDF-SHA-256(cluster secret, salt "peerchat mesh", info "v2")
 *
 * Each inner datagram is a peer datagram (kinds 0x40–0x7F) exactly as its sender's client sent it,
 * header included: its dst names a session of the receiving relay, or DST_BROADCAST (every client
 * of the receiving relay but its src). The relay id is the sender's (random per relay process);
 * the counter grows by one per MESH datagram, and the receiver keeps a replay window per sender,
 * so a MESH datagram captured on the way cannot be played again. Only relays that know the
 * cluster secret can make one: the receiver checks the tag before it reads anything else.
 *
 * Rules the decoder enforces (any violation: the whole datagram is invalid): the tag matches; at
 * least one inner datagram and nothing between the last one and the tag; every inner length ≥
 * HEADER_BYTES and within the datagram; every inner datagram a peer kind.
 */

export const MESH_RELAY_ID_BYTES = 8;
export const MESH_TAG_BYTES = 16;
const COUNTER_OFFSET = HEADER_BYTES + MESH_RELAY_ID_BYTES;
/** Bytes before the first inner datagram. */
export const MESH_PREFIX_BYTES = COUNTER_OFFSET + 8;
/** Bytes of a MESH datagram besides its inner datagrams and their length prefixes. */
export const MESH_FIXED_BYTES = MESH_PREFIX_BYTES + MESH_TAG_BYTES;
export const MESH_LENGTH_BYTES = 2;
/** Largest peer datagram that fits a MESH datagram alone (UDP's limit minus the wrapping). */
export const MAX_MESH_INNER_BYTES = MAX_DATAGRAM_BYTES - MESH_FIXED_BYTES - MESH_LENGTH_BYTES;

/** The key every relay of a cluster derives from the cluster secret. */
export function meshKey(clusterSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(clusterSecret, 'utf8'), 'peerchat mesh', 'v2', 32));
}

/** Bytes of a MESH datagram carrying items[from..to). */
export function meshBytes(items: readonly Buffer[], from: number, to: number): number {
  let n = MESH_FIXED_BYTES;
  for (let i = from; i < to; i++) n += MESH_LENGTH_BYTES + items[i].length;
  return n;
}

/** Writes the prefix (header, relay id, counter) at the start of `out`. */
export function writeMeshPrefix(out: Buffer, relayId: Buffer, counter: number): void {
  writeHeader(out, { kind: Kind.MESH, flags: 0, src: 0, dst: 0 });
  relayId.copy(out, HEADER_BYTES, 0, MESH_RELAY_ID_BYTES);
  out.writeUInt32BE(Math.floor(counter / 0x1_0000_0000) >>> 0, COUNTER_OFFSET);
  out.writeUInt32BE(counter >>> 0, COUNTER_OFFSET + 4);
}

/**
 * Packs items[from..to) into `out` (from offset 0) with the tag; returns the bytes written.
 * The caller checked that they fit (meshBytes).
 */
export function encodeMeshInto(
  out: Buffer,
  key: Buffer,
  relayId: Buffer,
  counter: number,
  items: readonly Buffer[],
  from: number,
  to: number,
): number {
  writeMeshPrefix(out, relayId, counter);
  let o = MESH_PREFIX_BYTES;
  for (let i = from; i < to; i++) {
    const d = items[i];
    out.writeUInt16BE(d.length, o);
    o += MESH_LENGTH_BYTES;
    o += d.copy(out, o);
  }
  createHmac('sha256', key).update(out.subarray(0, o)).digest().copy(out, o, 0, MESH_TAG_BYTES);
  return o + MESH_TAG_BYTES;
}

/**
 * One datagram as a MESH of one item, in three pieces for a scatter/gather send (no copy of the
 * datagram, which may be 64 KB of file data): prefix with the length, the datagram, the tag.
 */
export function meshOfOne(key: Buffer, relayId: Buffer, counter: number, d: Buffer): Buffer[] {
  const prefix = Buffer.allocUnsafe(MESH_PREFIX_BYTES + MESH_LENGTH_BYTES);
  writeMeshPrefix(prefix, relayId, counter);
  prefix.writeUInt16BE(d.length, MESH_PREFIX_BYTES);
  const tag = createHmac('sha256', key).update(prefix).update(d).digest().subarray(0, MESH_TAG_BYTES);
  return [prefix, d, tag];
}

export interface OpenedMesh {
  /** The sender's relay id (hex). */
  relayId: string;
  counter: number;
  /** The inner peer datagrams (views into the datagram). */
  items: Buffer[];
}

/** Checks a MESH datagram's tag and layout; null if anything is wrong. */
export function openMesh(buf: Buffer, key: Buffer): OpenedMesh | null {
  if (buf.length < MESH_FIXED_BYTES + MESH_LENGTH_BYTES + HEADER_BYTES || buf[2] !== Kind.MESH) return null;
  const end = buf.length - MESH_TAG_BYTES;
  const tag = createHmac('sha256', key).update(buf.subarray(0, end)).digest().subarray(0, MESH_TAG_BYTES);
  if (!timingSafeEqual(tag, buf.subarray(end))) return null;
  const items: Buffer[] = [];
  let o = MESH_PREFIX_BYTES;
  while (o < end) {
    if (o + MESH_LENGTH_BYTES > end) return null;
    const len = buf.readUInt16BE(o);
    o += MESH_LENGTH_BYTES;
    if (len < HEADER_BYTES || o + len > end) return null;
    const kind = buf[o + 2];
    if (kind < FIRST_PEER_KIND || kind > LAST_PEER_KIND) return null;
    items.push(buf.subarray(o, o + len));
    o += len;
  }
  if (items.length === 0) return null;
  const counter = buf.readUInt32BE(COUNTER_OFFSET) * 0x1_0000_0000 + buf.readUInt32BE(COUNTER_OFFSET + 4);
  return { relayId: buf.toString('hex', HEADER_BYTES, HEADER_BYTES + MESH_RELAY_ID_BYTES), counter, items };
}
