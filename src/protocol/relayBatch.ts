import { Kind, writeHeader } from './header';
import { HEADER_BYTES, MAGIC, MAX_DATAGRAM_BYTES, PROTOCOL_VERSION } from './limits';

/**
 * BATCH (kind 0x0F, relay → client): several whole datagrams the relay would otherwise have sent
 * to one client one by one, packed into one datagram (docs/protocol.md "Coalescing"):
 *
 *   header(12: kind BATCH, src 0, dst the recipient's session) | n × ( length u16 | datagram )
 *
 * Each inner datagram is exactly the bytes the relay would have sent alone (a forwarded
 * PEER_BROADCAST, a PRESENCE, a small forward, an answer), starting with its own 12-byte header,
 * and the client processes it as if it had arrived alone from the relay. Why: per datagram, a
 * send or receive costs far more than the bytes it carries (a syscall and, in Node, several µs of
 * JavaScript), so a broadcast fanned out to a busy room is cheaper as a few full datagrams per
 * recipient than as one datagram per message (as TCP would coalesce them into one segment).
 *
 * Rules the decoder enforces (any violation: the whole batch is invalid, nothing in it is used):
 *   - at least one inner datagram, and nothing after the last one;
 *   - every length ≥ HEADER_BYTES (an inner datagram carries its own header) and within the batch;
 *   - no inner datagram is itself a BATCH: batches never nest, so unpacking is one flat loop and
 *     one datagram can never expand into more than it holds.
 * An inner datagram's magic, version and body are not checked here: the normal path does that
 * and counts what it drops, exactly as for a datagram that arrived alone.
 */

/** Bytes of the length prefix before each inner datagram (u16: any UDP payload fits). */
export const BATCH_LENGTH_BYTES = 2;

/** Largest inner datagram a length prefix can describe (and no datagram is larger anyway). */
const MAX_INNER_BYTES = Math.min(0xffff, MAX_DATAGRAM_BYTES - HEADER_BYTES - BATCH_LENGTH_BYTES);

/** Bytes of a BATCH carrying `items[from..to)`: header plus, per item, prefix and bytes. */
export function batchBytes(items: readonly Buffer[], from = 0, to = items.length): number {
  let n = HEADER_BYTES;
  for (let i = from; i < to; i++) n += BATCH_LENGTH_BYTES + items[i].length;
  return n;
}

/** Whether `d` may travel inside a BATCH: a whole datagram (≥ one header), not a BATCH itself. */
export function isBatchable(d: Buffer): boolean {
  return d.length >= HEADER_BYTES && d.length <= MAX_INNER_BYTES && d[2] !== Kind.BATCH;
}

/**
 * Packs `items[from..to)` into one BATCH datagram addressed to session `dst` (one allocation, one
 * copy of each item). Returns null, instead of throwing, when the range is empty, an item may
 * not travel in a batch (isBatchable), or the result would exceed MAX_DATAGRAM_BYTES. The caller
 * picks the range to fit its own size limit (the relay: BATCH_MAX_BYTES).
 */
export function encodeBatch(items: readonly Buffer[], dst: number, from = 0, to = items.length): Buffer | null {
  if (!(from >= 0 && to <= items.length && from < to)) return null;
  const bytes = batchBytes(items, from, to);
  if (bytes > MAX_DATAGRAM_BYTES) return null;
  const out = Buffer.allocUnsafe(bytes);
  return encodeBatchInto(out, items, dst, from, to) === bytes ? out : null;
}

/**
 * encodeBatch into `out` from offset 0, for a caller that reuses one buffer (the relay sends
 * several batches a turn; a fresh buffer each is garbage to collect). Returns the bytes written,
 * or -1, instead of throwing, for what encodeBatch refuses or when the batch does not fit `out`.
 */
export function encodeBatchInto(out: Buffer, items: readonly Buffer[], dst: number, from = 0, to = items.length): number {
  if (!(from >= 0 && to <= items.length && from < to)) return -1;
  let bytes = HEADER_BYTES;
  for (let i = from; i < to; i++) {
    if (!isBatchable(items[i])) return -1;
    bytes += BATCH_LENGTH_BYTES + items[i].length;
  }
  if (bytes > MAX_DATAGRAM_BYTES || bytes > out.length) return -1;
  writeHeader(out, { kind: Kind.BATCH, flags: 0, src: 0, dst: dst >>> 0 });
  let o = HEADER_BYTES;
  for (let i = from; i < to; i++) {
    const d = items[i];
    const len = d.length;
    out[o] = len >>> 8;
    out[o + 1] = len & 0xff;
    o += BATCH_LENGTH_BYTES;
    // TypedArray#set, not Buffer#copy: the same memmove without copy()'s argument handling,
    // which costs more than the copy for datagrams this small.
    out.set(d, o);
    o += len;
  }
  return o;
}

/**
 * The inner datagrams of a BATCH, in order, as views into `buf` (no copies). Null for anything
 * that is not a well-formed BATCH (see the rules above). Never throws.
 */
export function decodeBatch(buf: Buffer): Buffer[] | null {
  if (batchCount(buf) < 0) return null;
  const out: Buffer[] = [];
  forEachUnchecked(buf, (b, offset, length) => out.push(b.subarray(offset, offset + length)));
  return out;
}

/**
 * Calls `visit(buf, offset, length)` for each inner datagram of a well-formed BATCH, in order,
 * without a Buffer per datagram (for a reader that looks at a few fields of thousands of them,
 * such as bench/capacityClients.ts). Returns how many it visited, or -1 and visits none if `buf`
 * is not a well-formed BATCH: never part of a malformed one. Never throws (unless `visit` does).
 */
export function forEachInBatch(buf: Buffer, visit: (buf: Buffer, offset: number, length: number) => void): number {
  const n = batchCount(buf);
  if (n > 0) forEachUnchecked(buf, visit);
  return n;
}

/** Checks every rule; the number of inner datagrams, or -1. */
function batchCount(buf: Buffer): number {
  if (buf.length < HEADER_BYTES || buf[0] !== MAGIC || buf[1] !== PROTOCOL_VERSION || buf[2] !== Kind.BATCH) return -1;
  let n = 0;
  let o = HEADER_BYTES;
  while (o < buf.length) {
    if (buf.length - o < BATCH_LENGTH_BYTES) return -1;
    const len = (buf[o] << 8) | buf[o + 1];
    o += BATCH_LENGTH_BYTES;
    if (len < HEADER_BYTES || len > buf.length - o) return -1;
    if (buf[o + 2] === Kind.BATCH) return -1;
    o += len;
    n++;
  }
  return n === 0 ? -1 : n;
}

/** Walks a batch batchCount accepted. */
function forEachUnchecked(buf: Buffer, visit: (buf: Buffer, offset: number, length: number) => void): void {
  for (let o = HEADER_BYTES; o < buf.length; ) {
    const len = (buf[o] << 8) | buf[o + 1];
    visit(buf, o + BATCH_LENGTH_BYTES, len);
    o += BATCH_LENGTH_BYTES + len;
  }
}
