import { HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from './limits';

/**
 * Datagram kinds. 0x01–0x3F are between a client and the relay (the relay reads them);
 * 0x40–0x7F are between clients (the relay checks src/dst and forwards the bytes untouched).
 */
export const Kind = {
  HELLO: 0x01,
  COOKIE: 0x02,
  REGISTER: 0x03,
  REGISTERED: 0x04,
  ERROR: 0x05,
  PING: 0x06,
  PONG: 0x07,
  ROSTER_REQ: 0x08,
  ROSTER: 0x09,
  PRESENCE: 0x0a,
  LEAVE: 0x0b,
  BYE: 0x0c,
  KEY_REQ: 0x0d,
  KEY_INFO: 0x0e,
  /** Relay → client: several datagrams for one client in one (relayBatch.ts). */
  BATCH: 0x0f,
  /** Relay → relay of one cluster: peer datagrams for the other relay's clients (meshDatagram.ts). */
  MESH: 0x30,
  PEER_HELLO: 0x40,
  PEER_SEALED: 0x41,
  PEER_BROADCAST: 0x42,
  /** One fragment of a record of file chunks sealed together (peerPackets.ts). */
  PEER_RECORD: 0x43,
} as const;
export type KindValue = (typeof Kind)[keyof typeof Kind];

export const FIRST_PEER_KIND = 0x40;
export const LAST_PEER_KIND = 0x7f;

export function isPeerKind(kind: number): boolean {
  return kind >= FIRST_PEER_KIND && kind <= LAST_PEER_KIND;
}

/**
 * The clear header every datagram starts with (12 bytes, big-endian):
 *
 *   0      1        2     3      4            8            12
 *   magic  version  kind  flags  src (u32)    dst (u32)    body…
 *
 * src is the sender's session id (0 = unregistered client, or the relay); dst is the
 * destination session id (0 = the relay, 0xFFFFFFFF = broadcast). The relay routes on this
 * header only; everything between peers after it is sealed end to end.
 */
/**
 * Header flag: a relay message (kinds 0x01–0x3F) that ends with a CRC-32C of every byte before it
 * (docs/protocol.md "Checked relay messages"). Peer datagrams are sealed and never carry it.
 */
export const FLAG_CHECKED = 0x01;
/** Bytes of the CRC-32C trailer of a checked relay message. */
export const CHECK_BYTES = 4;

export interface Header {
  kind: number;
  flags: number;
  src: number;
  dst: number;
}

export type HeaderResult = { ok: true; header: Header } | { ok: false; reason: 'short' | 'magic' | 'version' };

export function readHeader(buf: Buffer): HeaderResult {
  if (buf.length < HEADER_BYTES) return { ok: false, reason: 'short' };
  if (buf[0] !== MAGIC) return { ok: false, reason: 'magic' };
  if (buf[1] !== PROTOCOL_VERSION) return { ok: false, reason: 'version' };
  return {
    ok: true,
    header: { kind: buf[2], flags: buf[3], src: buf.readUInt32BE(4), dst: buf.readUInt32BE(8) },
  };
}

export function writeHeader(out: Buffer, h: Header, offset = 0): void {
  out[offset] = MAGIC;
  out[offset + 1] = PROTOCOL_VERSION;
  out[offset + 2] = h.kind;
  out[offset + 3] = h.flags;
  out.writeUInt32BE(h.src >>> 0, offset + 4);
  out.writeUInt32BE(h.dst >>> 0, offset + 8);
}

/** Builds a datagram from a header and a body (one copy). */
export function datagram(h: Header, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  writeHeader(out, h);
  out.set(body, HEADER_BYTES);
  return out;
}
