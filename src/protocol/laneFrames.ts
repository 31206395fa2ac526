/**
 * Bytes of a stream lane (docs/protocol.md "Stream lanes"): the TCP connection that carries one
 * direction of file data between two devices, straight or spliced by the relay's transit port.
 *
 *   transit (client → relay, relayed lanes only):  "PCT1" || token (32)
 *   bridge (relay → relay of one cluster):          "PCB1" || token (32) || HMAC-SHA256(bridge key, token) (32)
 *   responder hello:                               "PCL1" || nonceR (16)
 *   initiator hello:                               device tag (8) || laneId u32 || nonceI (16) || proof (32)
 *   responder proof:                               proof (32)
 *   then records, initiator → responder only:      length u32 || sealed (length bytes)
 *     sealed = ChaCha20-Poly1305(plaintext), record number n as the packet number, aad = the
 *     length field; plaintext = transferId u32 || firstChunk u32 || file bytes of consecutive
 *     chunks from firstChunk on.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DEVICE_TAG_BYTES } from './limits';

export const TRANSIT_MAGIC = Buffer.from('PCT1', 'latin1');
export const LANE_MAGIC = Buffer.from('PCL1', 'latin1');
const NONCE_BYTES = 16;
const PROOF_BYTES = 32;
export const TRANSIT_HELLO_BYTES = TRANSIT_MAGIC.length + 32;
/** A relay of a cluster bringing the other end of a lane to the relay that holds its token. */
export const BRIDGE_MAGIC = Buffer.from('PCB1', 'latin1');
export const BRIDGE_HELLO_BYTES = BRIDGE_MAGIC.length + 32 + 32;
export const RESPONDER_HELLO_BYTES = LANE_MAGIC.length + NONCE_BYTES;
export const INITIATOR_HELLO_BYTES = DEVICE_TAG_BYTES + 4 + NONCE_BYTES + PROOF_BYTES;
export const RESPONDER_PROOF_BYTES = PROOF_BYTES;
export const LANE_RECORD_LENGTH_BYTES = 4;
/** transferId u32 || firstChunk u32 before the file bytes of a record. */
export const LANE_RECORD_HEADER_BYTES = 8;
/** File bytes in one record at most (a record is sealed and opened as one AEAD message). */
export const MAX_LANE_RECORD_DATA_BYTES = 64 * 1024 - LANE_RECORD_HEADER_BYTES;
/** Largest sealed record a responder accepts; a longer length field ends the lane. */
export const MAX_LANE_RECORD_BYTES = LANE_RECORD_HEADER_BYTES + MAX_LANE_RECORD_DATA_BYTES + 16;

export interface InitiatorHello {
  device: string;
  laneId: number;
  nonceI: Buffer;
  proof: Buffer;
}

export function encodeResponderHello(nonceR: Buffer): Buffer {
  return Buffer.concat([LANE_MAGIC, nonceR]);
}

/** The responder's nonce, or null if these are not a responder hello's bytes. */
export function decodeResponderHello(b: Buffer): Buffer | null {
  if (b.length !== RESPONDER_HELLO_BYTES || !b.subarray(0, 4).equals(LANE_MAGIC)) return null;
  return Buffer.from(b.subarray(4));
}

export function encodeInitiatorHello(h: InitiatorHello): Buffer {
  const out = Buffer.alloc(INITIATOR_HELLO_BYTES);
  const tag = Buffer.from(h.device, 'hex');
  if (tag.length !== DEVICE_TAG_BYTES || h.nonceI.length !== NONCE_BYTES || h.proof.length !== PROOF_BYTES) {
    throw new RangeError('initiator hello fields have wrong lengths');
  }
  tag.copy(out, 0);
  out.writeUInt32BE(h.laneId >>> 0, DEVICE_TAG_BYTES);
  h.nonceI.copy(out, DEVICE_TAG_BYTES + 4);
  h.proof.copy(out, DEVICE_TAG_BYTES + 4 + NONCE_BYTES);
  return out;
}

export function decodeInitiatorHello(b: Buffer): InitiatorHello | null {
  if (b.length !== INITIATOR_HELLO_BYTES) return null;
  return {
    device: b.subarray(0, DEVICE_TAG_BYTES).toString('hex'),
    laneId: b.readUInt32BE(DEVICE_TAG_BYTES),
    nonceI: Buffer.from(b.subarray(DEVICE_TAG_BYTES + 4, DEVICE_TAG_BYTES + 4 + NONCE_BYTES)),
    proof: Buffer.from(b.subarray(DEVICE_TAG_BYTES + 4 + NONCE_BYTES)),
  };
}

export function encodeTransitHello(token: Buffer): Buffer {
  if (token.length !== 32) throw new RangeError('transit token must be 32 bytes');
  return Buffer.concat([TRANSIT_MAGIC, token]);
}

/** The token, or null if these are not a transit hello's bytes. */
export function decodeTransitHello(b: Buffer): Buffer | null {
  if (b.length !== TRANSIT_HELLO_BYTES || !b.subarray(0, 4).equals(TRANSIT_MAGIC)) return null;
  return Buffer.from(b.subarray(4));
}

/** The key of bridge hellos between the relays of a cluster (from the cluster secret). */
export function bridgeKey(clusterSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(clusterSecret, 'utf8'), 'peerchat transit bridge', 'v1', 32));
}

function bridgeMac(key: Buffer, token: Buffer): Buffer {
  return createHmac('sha256', key).update(BRIDGE_MAGIC).update(token).digest();
}

export function encodeBridgeHello(key: Buffer, token: Buffer): Buffer {
  if (token.length !== 32) throw new RangeError('transit token must be 32 bytes');
  return Buffer.concat([BRIDGE_MAGIC, token, bridgeMac(key, token)]);
}

/** The token of a bridge hello made with `key`, or null (another key, altered, or not one). */
export function decodeBridgeHello(key: Buffer, b: Buffer): Buffer | null {
  if (b.length !== BRIDGE_HELLO_BYTES || !b.subarray(0, 4).equals(BRIDGE_MAGIC)) return null;
  const token = b.subarray(4, 36);
  return timingSafeEqual(bridgeMac(key, token), b.subarray(36)) ? Buffer.from(token) : null;
}

/**
 * Cuts a byte stream into pieces: first fixed-size messages (`expect(n)`), then length-prefixed
 * records. Bytes are copied only when a piece spans several chunks of the stream.
 */
export class StreamCutter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
  }

  /** The next `n` bytes, or null until that many have arrived. */
  take(n: number): Buffer | null {
    if (this.buffered < n) return null;
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let o = 0;
      while (o < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - o);
        c.copy(out, o, 0, k);
        o += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }

  /** Everything buffered, as one buffer (a spliced lane hands it on). */
  rest(): Buffer {
    const out = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }

  /**
   * The next record: `{ lengthField, sealed }`, null until it is whole, or 'bad' when its
   * length field exceeds `max` or is shorter than a tag (the stream is then of no further use).
   */
  record(max: number): { lengthField: Buffer; sealed: Buffer } | null | 'bad' {
    if (this.buffered < LANE_RECORD_LENGTH_BYTES) return null;
    const head = this.peek(LANE_RECORD_LENGTH_BYTES);
    const length = head.readUInt32BE(0);
    if (length > max || length < 16) return 'bad';
    if (this.buffered < LANE_RECORD_LENGTH_BYTES + length) return null;
    const lengthField = Buffer.from(this.take(LANE_RECORD_LENGTH_BYTES)!);
    return { lengthField, sealed: this.take(length)! };
  }

  /** The next `n` bytes without taking them (at least `n` must be buffered). */
  peek(n: number): Buffer {
    if (this.buffered < n) throw new RangeError(`peek(${n}) with ${this.buffered} bytes buffered`);
    const first = this.chunks[0];
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - o);
      c.copy(out, o, 0, k);
      o += k;
      if (o === n) break;
    }
    return out;
  }
}
