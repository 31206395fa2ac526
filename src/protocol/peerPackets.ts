import { ByteReader, ByteWriter, Truncated } from './bytes';
import { Header, Kind, readHeader, writeHeader } from './header';
import { HEADER_BYTES } from './limits';

/**
 * Datagrams between clients (forwarded by the relay):
 *
 *   PEER_HELLO      header | 80-byte handshake hello (src/crypto/peerHandshake.ts), clear
 *   PEER_SEALED     header | epoch u32 | pn u64 | ChaCha20-Poly1305(frames) | tag(16)
 *   PEER_BROADCAST  header | keyId u32 | seq u64 | ChaCha20-Poly1305(broadcast) | tag(16) | signature(64)
 *   PEER_RECORD     header | epoch u32 | record u64 | fragment u8 | transferId u32 | pn u32 | chunk u32
 *                   | ciphertext of the chunk | tag(16), in the record's last fragment only
 *
 * The AEAD's associated data is the 12 bytes after the header (epoch/keyId and pn/seq) plus
 * the kind byte, never src/dst: the relay may renumber sessions (after a restart) without
 * breaking authentication, and it cannot move a sealed packet between kinds.
 *
 * A broadcast's AEAD key is shared by every recipient, so it proves only that a member sealed
 * it. The Ed25519 signature at the end, by the sender key's own signing key
 * (src/crypto/senderKey.ts), proves which member: it covers every byte before it, with src and
 * dst read as zero for the same reason the AEAD leaves them out (and so that a broadcast can be
 * resent unicast, only dst rewritten, without signing again).
 */
export const SEAL_HEADER_BYTES = 12;
export const SEALED_PREFIX_BYTES = HEADER_BYTES + SEAL_HEADER_BYTES;
/** Poly1305 tag after the ciphertext (RFC 8439 §2.8; the same as crypto/aead's AEAD_TAG_BYTES). */
export const SEAL_TAG_BYTES = 16;
/** Ed25519 signature closing a PEER_BROADCAST (RFC 8032 §5.1.6). */
export const BROADCAST_SIGNATURE_BYTES = 64;
/** What a PEER_BROADCAST adds to its plaintext: header, keyId, seq, tag and signature (104 bytes). */
export const BROADCAST_OVERHEAD_BYTES = SEALED_PREFIX_BYTES + SEAL_TAG_BYTES + BROADCAST_SIGNATURE_BYTES;
/** Offset of src and dst in the header: not signed (see above). */
const HEADER_IDS_OFFSET = 4;

export interface SealedPacket {
  header: Header;
  /** PEER_SEALED: the key epoch; PEER_BROADCAST: the sender-key id. */
  keyId: number;
  /** PEER_SEALED: the packet number; PEER_BROADCAST: the broadcast sequence number. */
  pn: number;
  /** Associated data to authenticate (kind + sealing header). */
  aad: Buffer;
  /** Ciphertext and tag. */
  sealed: Buffer;
}

/** Writes header + sealing header into `out` and returns the AAD view (13 bytes, copied). */
export function writeSealedPrefix(out: Buffer, h: Header, keyId: number, pn: number): Buffer {
  writeHeader(out, h);
  out.writeUInt32BE(keyId >>> 0, HEADER_BYTES);
  out.writeUInt32BE(Math.floor(pn / 0x1_0000_0000), HEADER_BYTES + 4);
  out.writeUInt32BE(pn % 0x1_0000_0000, HEADER_BYTES + 8);
  return sealedAad(h.kind, out.subarray(HEADER_BYTES, SEALED_PREFIX_BYTES));
}

export function sealedAad(kind: number, sealHeader: Buffer): Buffer {
  const aad = Buffer.allocUnsafe(1 + SEAL_HEADER_BYTES);
  aad[0] = kind;
  sealHeader.copy(aad, 1, 0, SEAL_HEADER_BYTES);
  return aad;
}

/** Parses a PEER_SEALED datagram's clear parts. Never throws. */
export function readSealedPacket(buf: Buffer): SealedPacket | null {
  return readSealedParts(buf, Kind.PEER_SEALED, buf.length);
}

export interface BroadcastPacket extends SealedPacket {
  /** The last BROADCAST_SIGNATURE_BYTES of the datagram. */
  signature: Buffer;
  /** What the signature covers (a copy): see broadcastSignedBytes. */
  signed: Buffer;
}

/** Parses a PEER_BROADCAST datagram's clear parts and splits off its signature. Never throws. */
export function readBroadcastPacket(buf: Buffer): BroadcastPacket | null {
  const end = buf.length - BROADCAST_SIGNATURE_BYTES;
  const p = readSealedParts(buf, Kind.PEER_BROADCAST, end);
  if (!p) return null;
  return { ...p, signature: buf.subarray(end), signed: broadcastSignedBytes(buf.subarray(0, end)) };
}

/**
 * The bytes a broadcast's signature covers: `unsigned`, the datagram up to the signature
 * (header, keyId, seq, ciphertext, tag), copied with src and dst set to zero.
 */
export function broadcastSignedBytes(unsigned: Buffer): Buffer {
  const signed = Buffer.from(unsigned);
  signed.fill(0, HEADER_IDS_OFFSET, Math.min(HEADER_BYTES, signed.length));
  return signed;
}

/** Signs a PEER_BROADCAST whose last BROADCAST_SIGNATURE_BYTES are room for the signature. */
export function signBroadcast(datagram: Buffer, sign: (signed: Buffer) => Buffer): void {
  const end = datagram.length - BROADCAST_SIGNATURE_BYTES;
  const signature = sign(broadcastSignedBytes(datagram.subarray(0, end)));
  if (signature.length !== BROADCAST_SIGNATURE_BYTES) throw new RangeError('broadcast signature size');
  signature.copy(datagram, end);
}

/** Header, sealing header, and ciphertext + tag up to `end`. */
function readSealedParts(buf: Buffer, kind: number, end: number): SealedPacket | null {
  const h = readHeader(buf);
  if (!h.ok || h.header.kind !== kind) return null;
  if (end < SEALED_PREFIX_BYTES + SEAL_TAG_BYTES) return null;
  const hi = buf.readUInt32BE(HEADER_BYTES + 4);
  if (hi > 0x1f_ffff) return null;
  return {
    header: h.header,
    keyId: buf.readUInt32BE(HEADER_BYTES),
    pn: hi * 0x1_0000_0000 + buf.readUInt32BE(HEADER_BYTES + 8),
    aad: sealedAad(h.header.kind, buf.subarray(HEADER_BYTES, SEALED_PREFIX_BYTES)),
    sealed: buf.subarray(SEALED_PREFIX_BYTES, end),
  };
}

// ---------------------------------------------------------------------------------------------
// Records: file chunks sealed several at a time
// ---------------------------------------------------------------------------------------------
//
// At small datagram sizes the cipher object Node creates per sealed packet costs more than the
// cipher itself, so a sender seals up to MAX_RECORD_FRAGMENTS chunks of one transfer as one
// AEAD message (a record) and sends each chunk's ciphertext in its own datagram (a fragment).
// The record number is the nonce, drawn from the same packet number space as PEER_SEALED.
// The fragment byte is index << 4 | (fragments − 1). The transfer header (transferId, the
// transfer packet number that acks refer to, the chunk index) is clear, as in TCP under TLS:
// the AAD binds the record to its transferId and to the chunk of every fragment, so no chunk
// is written before its whole record authenticates. The transfer packet number is not bound
// (a lost fragment is resent unchanged in a new transfer packet); see docs/security.md.

/** Most fragments (chunks) in one record: the fragment byte holds index and count in 4 bits each. */
export const MAX_RECORD_FRAGMENTS = 16;
/**
 * Plaintext bytes a record of file chunks aims at (TLS's largest record, 2^14): chunks of
 * `chunkSize` bytes are sealed up to floor(RECORD_TARGET_BYTES / chunkSize) at a time (at most
 * MAX_RECORD_FRAGMENTS). Node builds a new cipher object per sealed message, which at 1200-byte
 * datagrams cost more CPU than the cipher: 14 chunks per record cut seal + open from about 12 to
 * 2 µs per chunk (bench/aeadMicro.ts). Larger datagrams (16 KiB and up) keep one per packet.
 */
export const RECORD_TARGET_BYTES = 16 * 1024;

/** Chunks per record for this chunk size; below 2, chunks are sealed one per packet. */
export function recordChunksFor(chunkSize: number): number {
  return Math.min(MAX_RECORD_FRAGMENTS, Math.floor(RECORD_TARGET_BYTES / chunkSize));
}

/** Fragment byte, transferId, pn and chunk: the same size as XFER_DATA's header. */
export const RECORD_FRAGMENT_HEADER_BYTES = 1 + 4 + 4 + 4;
/** Bytes before a fragment's ciphertext. */
export const RECORD_PREFIX_BYTES = SEALED_PREFIX_BYTES + RECORD_FRAGMENT_HEADER_BYTES;

export interface RecordFragment {
  header: Header;
  epoch: number;
  record: number;
  index: number;
  count: number;
  transferId: number;
  pn: number;
  chunk: number;
  /** This chunk's ciphertext (a view into the datagram). */
  ciphertext: Buffer;
  /** The record's tag: in the last fragment only, else null. */
  tag: Buffer | null;
}

/**
 * Writes one fragment into `out` (header, sealing header, fragment header, ciphertext and, for
 * the last fragment, the tag) and returns its length. Throws RangeError if it does not fit or a
 * field is out of range (a programming error).
 */
export function writeRecordFragment(
  out: Buffer,
  h: Header,
  f: Omit<RecordFragment, 'header'>,
): number {
  if (f.count < 1 || f.count > MAX_RECORD_FRAGMENTS || f.index < 0 || f.index >= f.count) {
    throw new RangeError(`fragment ${f.index} of ${f.count}`);
  }
  const last = f.index === f.count - 1;
  if ((f.tag !== null) !== last || (f.tag !== null && f.tag.length !== SEAL_TAG_BYTES)) throw new RangeError('the tag goes in the last fragment only');
  const length = RECORD_PREFIX_BYTES + f.ciphertext.length + (last ? SEAL_TAG_BYTES : 0);
  if (length > out.length) throw new RangeError(`fragment needs ${length} bytes`);
  writeSealedPrefix(out, h, f.epoch, f.record);
  let o = SEALED_PREFIX_BYTES;
  out[o] = (f.index << 4) | (f.count - 1);
  out.writeUInt32BE(f.transferId, o + 1);
  out.writeUInt32BE(f.pn, o + 5);
  out.writeUInt32BE(f.chunk, o + 9);
  o += RECORD_FRAGMENT_HEADER_BYTES;
  f.ciphertext.copy(out, o);
  if (f.tag) f.tag.copy(out, o + f.ciphertext.length);
  return length;
}

/** Parses a PEER_RECORD datagram. Never throws; null if it is malformed. */
export function readRecordFragment(buf: Buffer): RecordFragment | null {
  const h = readHeader(buf);
  if (!h.ok || h.header.kind !== Kind.PEER_RECORD || buf.length < RECORD_PREFIX_BYTES) return null;
  const hi = buf.readUInt32BE(HEADER_BYTES + 4);
  if (hi > 0x1f_ffff) return null;
  const fb = buf[SEALED_PREFIX_BYTES];
  const index = fb >> 4;
  const count = (fb & 0x0f) + 1;
  if (index >= count) return null;
  const last = index === count - 1;
  const end = buf.length - (last ? SEAL_TAG_BYTES : 0);
  if (end < RECORD_PREFIX_BYTES) return null;
  return {
    header: h.header,
    epoch: buf.readUInt32BE(HEADER_BYTES),
    record: hi * 0x1_0000_0000 + buf.readUInt32BE(HEADER_BYTES + 8),
    index,
    count,
    transferId: buf.readUInt32BE(SEALED_PREFIX_BYTES + 1),
    pn: buf.readUInt32BE(SEALED_PREFIX_BYTES + 5),
    chunk: buf.readUInt32BE(SEALED_PREFIX_BYTES + 9),
    ciphertext: buf.subarray(RECORD_PREFIX_BYTES, end),
    tag: last ? buf.subarray(end) : null,
  };
}

/**
 * A record's associated data: kind, epoch, record number, fragment count, transferId, and the
 * chunk index and length of every fragment in order. Binding the chunks means a fragment cannot
 * be moved to another chunk, record or transfer, and binding the lengths means the ciphertext
 * cannot be cut at other boundaries, without the record failing to authenticate.
 * `parts`: the fragments' plaintexts or ciphertexts (only their lengths are read).
 */
export function recordAad(
  epoch: number,
  record: number,
  transferId: number,
  chunks: readonly number[],
  parts: readonly { length: number }[],
): Buffer {
  if (parts.length !== chunks.length) throw new RangeError('one length per chunk');
  const aad = Buffer.allocUnsafe(1 + 4 + 8 + 1 + 4 + 8 * chunks.length);
  aad[0] = Kind.PEER_RECORD;
  aad.writeUInt32BE(epoch >>> 0, 1);
  aad.writeUInt32BE(Math.floor(record / 0x1_0000_0000), 5);
  aad.writeUInt32BE(record % 0x1_0000_0000, 9);
  aad[13] = chunks.length;
  aad.writeUInt32BE(transferId >>> 0, 14);
  for (let i = 0; i < chunks.length; i++) {
    aad.writeUInt32BE(chunks[i] >>> 0, 18 + 8 * i);
    aad.writeUInt32BE(parts[i].length >>> 0, 22 + 8 * i);
  }
  return aad;
}

/** Client-layer frame types inside a sealed payload (0x20–0x3F; transport owns 0x01–0x1F). */
export const ClientFrame = {
  /** Acknowledges a sender's broadcasts: every seq < next under keyId has been delivered. */
  BCAST_ACK: 0x20,
  /**
   * Path validation (RFC 9000 §8.2, docs/protocol.md "Direct paths"): 8 random bytes, sent
   * sealed to one candidate address; the answer echoes them, sealed, to the address the challenge
   * came from, and is exactly as long.
   */
  PATH_CHALLENGE: 0x21,
  PATH_RESPONSE: 0x22,
} as const;

export interface BroadcastAck {
  keyId: number;
  next: number;
}

export function encodeBroadcastAck(a: BroadcastAck): Buffer {
  return new ByteWriter(12).u32(a.keyId).u64(a.next).finish();
}

export function decodeBroadcastAck(body: Buffer): BroadcastAck | null {
  try {
    const r = new ByteReader(body);
    const a = { keyId: r.u32(), next: r.u64() };
    return r.remaining === 0 ? a : null;
  } catch (e) {
    if (e instanceof Truncated) return null;
    throw e;
  }
}
