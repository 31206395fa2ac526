import { ByteReader, ByteWriter, Truncated } from './bytes';
import { Header, Kind, readHeader, writeHeader } from './header';
import { HEADER_BYTES } from './limits';

/**
 * Datagrams between clients (forwarded by the relay):
 *
 *   PEER_HELLO      header | 80-byte handshake hello (src/crypto/peerHandshake.ts), clear
 *   PEER_SEALED     header | epoch u32 | pn u64 | ChaCha20-Poly1305(frames) | tag(16)
 *   PEER_BROADCAST  header | keyId u32 | seq u64 | ChaCha20-Poly1305(broadcast) | tag(16)
 *
 * The AEAD's associated data is the 12 bytes after the header (epoch/keyId and pn/seq) plus
 * the kind byte, never src/dst: the relay may renumber sessions (after a restart) without
 * breaking authentication, and it cannot move a sealed packet between kinds.
 */
export const SEAL_HEADER_BYTES = 12;
export const SEALED_PREFIX_BYTES = HEADER_BYTES + SEAL_HEADER_BYTES;

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

/** Parses a PEER_SEALED or PEER_BROADCAST datagram's clear parts. Never throws. */
export function readSealedPacket(buf: Buffer): SealedPacket | null {
  const h = readHeader(buf);
  if (!h.ok) return null;
  if (h.header.kind !== Kind.PEER_SEALED && h.header.kind !== Kind.PEER_BROADCAST) return null;
  if (buf.length < SEALED_PREFIX_BYTES + 16) return null;
  const hi = buf.readUInt32BE(HEADER_BYTES + 4);
  if (hi > 0x1f_ffff) return null;
  return {
    header: h.header,
    keyId: buf.readUInt32BE(HEADER_BYTES),
    pn: hi * 0x1_0000_0000 + buf.readUInt32BE(HEADER_BYTES + 8),
    aad: sealedAad(h.header.kind, buf.subarray(HEADER_BYTES, SEALED_PREFIX_BYTES)),
    sealed: buf.subarray(SEALED_PREFIX_BYTES),
  };
}

/** Client-layer frame types inside a sealed payload (0x20–0x3F; transport owns 0x01–0x1F). */
export const ClientFrame = {
  /** Acknowledges a sender's broadcasts: every seq < next under keyId has been delivered. */
  BCAST_ACK: 0x20,
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
