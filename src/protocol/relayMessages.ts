import { ByteReader, ByteWriter, Truncated } from './bytes';
import { CHECK_BYTES, FLAG_CHECKED, Header, Kind, datagram, readHeader } from './header';
import { crc32c } from './crc32c';
import type { DeviceCertificate } from '../crypto/deviceCertificate';
import {
  COOKIE_MAC_BYTES,
  DEVICE_TAG_BYTES,
  DST_RELAY,
  HEADER_BYTES,
  MAX_ERROR_MESSAGE_BYTES,
  MIN_HELLO_BYTES,
  NICK_MAX_BYTES,
} from './limits';

/** Bytes of a relay cookie: u32 issue time (seconds) + truncated HMAC. */
export const COOKIE_BYTES = 4 + COOKIE_MAC_BYTES;
export const HELLO_TOKEN_BYTES = 8;
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const SECRET_PROOF_BYTES = 16;
/** Longest IP address text: an IPv6 address with an embedded IPv4 one is 45 characters. */
export const MAX_ADDRESS_TEXT_BYTES = 45;

/** Messages between a client and the relay (kinds 0x01–0x3F). See docs/protocol.md. */
export type RelayMessage =
  | { kind: typeof Kind.HELLO; token: Buffer }
  | { kind: typeof Kind.COOKIE; token: Buffer; cookie: Buffer }
  | {
      kind: typeof Kind.REGISTER;
      cookie: Buffer;
      /** The device's keys and the identity's certificate for them (deviceCertificate.ts). */
      cert: DeviceCertificate;
      secretProof: Buffer;
      nick: string;
      signature: Buffer;
      /** The device key's signature; it covers the whole datagram up to the signature. */
      signed: Buffer;
    }
  | {
      kind: typeof Kind.REGISTERED;
      session: number;
      rosterVersion: number;
      keepaliveMs: number;
      idleTimeoutMs: number;
      /** Devices of the registering identity online now, this one included. */
      devices: number;
      /**
       * The address and port the relay sees this client at (as a STUN server tells, RFC 8489
       * XOR-MAPPED-ADDRESS): behind a NAT, its public mapping. Clients offer it to peers as a
       * candidate for a direct path (docs/protocol.md "Direct paths").
       */
      observed: { address: string; port: number };
      nick: string;
    }
  | { kind: typeof Kind.ERROR; code: number; refKind: number; refId: number; message: string }
  | { kind: typeof Kind.PING; token: number }
  | { kind: typeof Kind.PONG; token: number; rosterVersion: number }
  | { kind: typeof Kind.ROSTER_REQ; offset: number }
  | { kind: typeof Kind.ROSTER; version: number; total: number; offset: number; entries: RosterEntry[] }
  | { kind: typeof Kind.PRESENCE; version: number; changes: PresenceChange[] }
  | { kind: typeof Kind.LEAVE }
  | { kind: typeof Kind.BYE; code: number }
  | { kind: typeof Kind.KEY_REQ; id: number; nick: string }
  | { kind: typeof Kind.KEY_INFO; id: number; cert: DeviceCertificate; nick: string };

export interface RosterEntry {
  id: number;
  /**
   * The device's tag: the first DEVICE_TAG_BYTES of its Ed25519 key. It names a device across
   * relay sessions (a relay restart renumbers sessions, the device stays), so a client keeps its
   * end-to-end session with that device; its keys still come from KEY_INFO and are checked there.
   */
  device: Buffer;
  nick: string;
}

export interface PresenceChange extends RosterEntry {
  online: boolean;
}

export type Decoded<T> = { ok: true; header: Header; msg: T } | { ok: false; reason: string };

/** Encodes the body of a relay message (without header). */
export function encodeRelayBody(m: RelayMessage): Buffer {
  const w = new ByteWriter(64);
  switch (m.kind) {
    case Kind.HELLO:
      w.bytes(fixed(m.token, HELLO_TOKEN_BYTES));
      // Padding: the COOKIE answer must stay under 3x the bytes of an unvalidated HELLO.
      w.bytes(Buffer.alloc(MIN_HELLO_BYTES - HEADER_BYTES - HELLO_TOKEN_BYTES));
      break;
    case Kind.COOKIE:
      w.bytes(fixed(m.token, HELLO_TOKEN_BYTES)).bytes(fixed(m.cookie, COOKIE_BYTES));
      break;
    case Kind.REGISTER:
      writeCertificate(w.bytes(fixed(m.cookie, COOKIE_BYTES)), m.cert)
        .bytes(fixed(m.secretProof, SECRET_PROOF_BYTES))
        .str8(m.nick, NICK_MAX_BYTES)
        .bytes(fixed(m.signature, SIGNATURE_BYTES));
      break;
    case Kind.REGISTERED:
      w.u32(m.session).u32(m.rosterVersion).u32(m.keepaliveMs).u32(m.idleTimeoutMs).u16(m.devices);
      w.str8(m.observed.address, MAX_ADDRESS_TEXT_BYTES).u16(m.observed.port).str8(m.nick, NICK_MAX_BYTES);
      break;
    case Kind.ERROR:
      w.u16(m.code).u8(m.refKind).u32(m.refId).str16(clip(m.message, MAX_ERROR_MESSAGE_BYTES), MAX_ERROR_MESSAGE_BYTES);
      break;
    case Kind.PING:
      w.u32(m.token);
      break;
    case Kind.PONG:
      w.u32(m.token).u32(m.rosterVersion);
      break;
    case Kind.ROSTER_REQ:
      w.u32(m.offset);
      break;
    case Kind.ROSTER:
      w.u32(m.version).u32(m.total).u32(m.offset).u16(m.entries.length);
      for (const e of m.entries) w.u32(e.id).bytes(fixed(e.device, DEVICE_TAG_BYTES)).str8(e.nick, NICK_MAX_BYTES);
      break;
    case Kind.PRESENCE:
      w.u32(m.version).u16(m.changes.length);
      for (const c of m.changes) w.u8(c.online ? 1 : 0).u32(c.id).bytes(fixed(c.device, DEVICE_TAG_BYTES)).str8(c.nick, NICK_MAX_BYTES);
      break;
    case Kind.LEAVE:
      break;
    case Kind.BYE:
      w.u16(m.code);
      break;
    case Kind.KEY_REQ:
      w.u32(m.id).str8(m.nick, NICK_MAX_BYTES);
      break;
    case Kind.KEY_INFO:
      writeCertificate(w.u32(m.id), m.cert).str8(m.nick, NICK_MAX_BYTES);
      break;
  }
  return w.finish();
}

/**
 * A whole datagram: header + body. `src`/`dst` default to 0 (unregistered client → relay).
 * `checked`: with FLAG_CHECKED and the CRC-32C trailer (docs/protocol.md "Checked relay messages").
 */
export function encodeRelayMessage(m: RelayMessage, src = 0, dst = DST_RELAY, checked = false): Buffer {
  const plain = datagram({ kind: m.kind, flags: checked ? FLAG_CHECKED : 0, src, dst }, encodeRelayBody(m));
  return checked ? appendCheck(plain) : plain;
}

/** `buf`, a whole datagram whose header has FLAG_CHECKED already, with its CRC-32C appended. */
export function appendCheck(buf: Buffer): Buffer {
  return checkedCopy(buf, false);
}

/** A copy of `buf` with FLAG_CHECKED (set here if `setFlag`) and the CRC-32C of it all appended. */
function checkedCopy(buf: Buffer, setFlag: boolean): Buffer {
  const out = Buffer.allocUnsafe(buf.length + CHECK_BYTES);
  buf.copy(out);
  if (setFlag) out[3] |= FLAG_CHECKED;
  out.writeUInt32BE(crc32c(out, 0, buf.length), buf.length);
  return out;
}

/**
 * The checked form of a relay message encoded without the flag: what the relay sends a client
 * that asked for checks (a presence datagram is built once for every client). A copy; a datagram
 * that is checked already, or a peer datagram (kind 0x40 and up, sealed), comes back as it is.
 */
export function withCheck(buf: Buffer): Buffer {
  if (buf.length < HEADER_BYTES || buf[2] >= 0x40 || (buf[3] & FLAG_CHECKED) !== 0) return buf;
  return checkedCopy(buf, true);
}

/**
 * Bytes of a REGISTER datagram that its signature covers: everything before the signature, the
 * header's flags included. The client signs these, then appends the signature (and, `checked`,
 * the CRC-32C: appendCheck); the relay verifies `signed` from the decoded message.
 */
export function registerSignedBytes(m: Omit<Extract<RelayMessage, { kind: 3 }>, 'signature' | 'signed'>, checked = false): Buffer {
  const full = encodeRelayMessage({ ...m, signature: Buffer.alloc(SIGNATURE_BYTES), signed: Buffer.alloc(0) }, 0, DST_RELAY, checked);
  return full.subarray(0, full.length - SIGNATURE_BYTES - (checked ? CHECK_BYTES : 0));
}

/** Decodes a relay-control datagram. Never throws: malformed input gives `{ ok: false }`. */
export function decodeRelayMessage(buf: Buffer): Decoded<RelayMessage> {
  const h = readHeader(buf);
  if (!h.ok) return { ok: false, reason: h.reason };
  if ((h.header.flags & FLAG_CHECKED) !== 0) {
    // A flipped bit anywhere makes the message invalid instead of wrong (the flag's own bit too:
    // without it the trailer is trailing bytes, refused below).
    if (buf.length < HEADER_BYTES + CHECK_BYTES) return { ok: false, reason: 'truncated' };
    const end = buf.length - CHECK_BYTES;
    if (crc32c(buf, 0, end) !== buf.readUInt32BE(end)) return { ok: false, reason: 'checksum' };
    buf = buf.subarray(0, end);
  }
  const r = new ByteReader(buf, HEADER_BYTES);
  try {
    const msg = decodeBody(h.header.kind, r, buf);
    if (!msg) return { ok: false, reason: 'kind' };
    if (r.remaining !== 0 && h.header.kind !== Kind.HELLO) return { ok: false, reason: 'trailing' };
    return { ok: true, header: h.header, msg };
  } catch (e) {
    if (e instanceof Truncated) return { ok: false, reason: 'truncated' };
    throw e;
  }
}

function decodeBody(kind: number, r: ByteReader, buf: Buffer): RelayMessage | null {
  switch (kind) {
    case Kind.HELLO: {
      if (buf.length < MIN_HELLO_BYTES) throw new Truncated();
      const token = r.bytes(HELLO_TOKEN_BYTES);
      r.rest();
      return { kind, token };
    }
    case Kind.COOKIE:
      return { kind, token: r.bytes(HELLO_TOKEN_BYTES), cookie: r.bytes(COOKIE_BYTES) };
    case Kind.REGISTER: {
      const cookie = r.bytes(COOKIE_BYTES);
      const cert = readCertificate(r);
      const secretProof = r.bytes(SECRET_PROOF_BYTES);
      const nick = r.str8(NICK_MAX_BYTES);
      const signedEnd = r.offset;
      const signature = r.bytes(SIGNATURE_BYTES);
      return { kind, cookie, cert, secretProof, nick, signature, signed: buf.subarray(0, signedEnd) };
    }
    case Kind.REGISTERED:
      return {
        kind,
        session: r.u32(),
        rosterVersion: r.u32(),
        keepaliveMs: r.u32(),
        idleTimeoutMs: r.u32(),
        devices: r.u16(),
        observed: { address: r.str8(MAX_ADDRESS_TEXT_BYTES), port: r.u16() },
        nick: r.str8(NICK_MAX_BYTES),
      };
    case Kind.ERROR:
      return { kind, code: r.u16(), refKind: r.u8(), refId: r.u32(), message: r.str16(MAX_ERROR_MESSAGE_BYTES) };
    case Kind.PING:
      return { kind, token: r.u32() };
    case Kind.PONG:
      return { kind, token: r.u32(), rosterVersion: r.u32() };
    case Kind.ROSTER_REQ:
      return { kind, offset: r.u32() };
    case Kind.ROSTER: {
      const version = r.u32();
      const total = r.u32();
      const offset = r.u32();
      const n = r.u16();
      const entries: RosterEntry[] = [];
      for (let i = 0; i < n; i++) entries.push({ id: r.u32(), device: r.bytes(DEVICE_TAG_BYTES), nick: r.str8(NICK_MAX_BYTES) });
      return { kind, version, total, offset, entries };
    }
    case Kind.PRESENCE: {
      const version = r.u32();
      const n = r.u16();
      const changes: PresenceChange[] = [];
      for (let i = 0; i < n; i++) {
        const online = r.u8();
        if (online > 1) throw new Truncated();
        changes.push({ online: online === 1, id: r.u32(), device: r.bytes(DEVICE_TAG_BYTES), nick: r.str8(NICK_MAX_BYTES) });
      }
      return { kind, version, changes };
    }
    case Kind.LEAVE:
      return { kind };
    case Kind.BYE:
      return { kind, code: r.u16() };
    case Kind.KEY_REQ:
      return { kind, id: r.u32(), nick: r.str8(NICK_MAX_BYTES) };
    case Kind.KEY_INFO:
      return { kind, id: r.u32(), cert: readCertificate(r), nick: r.str8(NICK_MAX_BYTES) };
    default:
      return null;
  }
}

/** Bytes of a device certificate on the wire: four keys, expiry u32, signature. */
export const CERTIFICATE_BYTES = 4 * KEY_BYTES + 4 + SIGNATURE_BYTES;

/** A certificate alone, as on the wire (the cluster's directory stores it so). */
export function encodeCertificate(c: DeviceCertificate): Buffer {
  return writeCertificate(new ByteWriter(CERTIFICATE_BYTES), c).finish();
}

/** The inverse of encodeCertificate; null unless exactly CERTIFICATE_BYTES. */
export function decodeCertificate(b: Buffer): DeviceCertificate | null {
  if (b.length !== CERTIFICATE_BYTES) return null;
  // Copies, so the certificate does not keep a larger buffer alive.
  return readCertificate(new ByteReader(Buffer.from(b)));
}

/** identity sign(32) ‖ identity dh(32) ‖ device sign(32) ‖ device dh(32) ‖ expiry u32 ‖ signature(64). */
function writeCertificate(w: ByteWriter, c: DeviceCertificate): ByteWriter {
  return w
    .bytes(fixed(c.identitySign, KEY_BYTES))
    .bytes(fixed(c.identityDh, KEY_BYTES))
    .bytes(fixed(c.deviceSign, KEY_BYTES))
    .bytes(fixed(c.deviceDh, KEY_BYTES))
    .u32(c.expiry)
    .bytes(fixed(c.signature, SIGNATURE_BYTES));
}

function readCertificate(r: ByteReader): DeviceCertificate {
  return {
    identitySign: r.bytes(KEY_BYTES),
    identityDh: r.bytes(KEY_BYTES),
    deviceSign: r.bytes(KEY_BYTES),
    deviceDh: r.bytes(KEY_BYTES),
    expiry: r.u32(),
    signature: r.bytes(SIGNATURE_BYTES),
  };
}

function fixed(b: Buffer, n: number): Buffer {
  if (b.length !== n) throw new RangeError(`expected ${n} bytes, got ${b.length}`);
  return b;
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function clip(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}
