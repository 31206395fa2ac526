/**
 * Binary codec of the frames carried inside one sealed payload.
 *
 * A payload is a concatenation of frames. All integers are big-endian. Type bytes 0x01–0x1F
 * belong to the transport; 0x20–0x3F are reserved for the client layer and are carried as
 * opaque, u16-length-prefixed frames so a transport decoder can skip them. Any other type byte
 * makes the whole payload malformed.
 *
 * | type | frame          | layout after the type byte                                              |
 * |------|----------------|-------------------------------------------------------------------------|
 * | 0x01 | MSG            | seq u32 · len u16 · data[len]  (len ≤ MAX_MESSAGE_BYTES)                 |
 * | 0x02 | MSG_ACK        | next u32 · n u8 · n × (start u32 · end u32)  ascending, inclusive        |
 * | 0x03 | XFER_DATA      | transferId u32 · pn u32 · chunk u32 · data (to the end of the payload)   |
 * | 0x04 | XFER_ACK       | transferId u32 · largest u32 · ackDelayUs u32 · maxChunk u32 · written u32 · n u8 · [firstRange u32 · (n−1) × (gap u32 · length u32)] |
 * | 0x05 | XFER_PROBE     | transferId u32 · probeId u32 · padding (to the end of the payload)       |
 * | 0x06 | XFER_PROBE_ACK | transferId u32 · probeId u32 · size u32                                  |
 * | 0x20–0x3F | opaque    | len u16 · body[len]                                                      |
 *
 * XFER_DATA and XFER_PROBE have no length field: they run to the end of the payload and so
 * must be the last frame (like a QUIC STREAM frame without its LEN bit, RFC 9000 §19.8). This
 * lets the sender write the 13-byte header and read file bytes straight after it.
 *
 * XFER_ACK ranges use RFC 9000 §19.3.1 arithmetic: the first range covers
 * [largest − firstRange, largest]; each following range ends `gap + 2` below the previous
 * smallest and spans `length + 1` packet numbers.
 *
 * Decoding checks every length before reading and returns `null` for malformed input; it
 * never throws. Decoded `data`/`body` buffers are views into the input (no copy).
 */
import {
  MAX_MESSAGE_BYTES,
  MAX_MSG_ACK_RANGES,
  MAX_OPAQUE_BODY_BYTES,
  MAX_XFER_ACK_RANGES,
  PACKET_OVERHEAD,
} from './limits';

export const FrameType = {
  MSG: 0x01,
  MSG_ACK: 0x02,
  XFER_DATA: 0x03,
  XFER_ACK: 0x04,
  XFER_PROBE: 0x05,
  XFER_PROBE_ACK: 0x06,
} as const;

/** First and last type byte reserved for the client layer (opaque to the transport). */
export const OPAQUE_TYPE_FIRST = 0x20;
export const OPAQUE_TYPE_LAST = 0x3f;

/** Inclusive range of sequence or packet numbers. */
export type NumberRange = [start: number, end: number];

/** One message of the reliable ordered channel. */
export interface MsgFrame {
  type: 'msg';
  seq: number;
  data: Buffer;
}

/** Cumulative + selective ack of the reliable channel. */
export interface MsgAckFrame {
  type: 'msgAck';
  /** All seq < next were received. */
  next: number;
  /** Received beyond `next`: ascending, inclusive, disjoint and non-adjacent, each start > next. */
  ranges: NumberRange[];
}

/** One chunk of a file transfer. */
export interface XferDataFrame {
  type: 'xferData';
  transferId: number;
  /** Transfer packet number, never reused, also not for retransmissions (RFC 9000 §12.3). */
  pn: number;
  chunk: number;
  data: Buffer;
}

/** Acknowledgment + flow-control credit of a transfer. */
export interface XferAckFrame {
  type: 'xferAck';
  transferId: number;
  /** Largest pn acknowledged (equals ranges[0][1] when ranges is not empty). */
  largest: number;
  /** Time since `largest` arrived, in microseconds (RFC 9000 §19.3 ACK Delay). */
  ackDelayUs: number;
  /** Received pn ranges, descending, inclusive, disjoint, non-adjacent. May be empty (credit only). */
  ranges: NumberRange[];
  /** Flow-control credit: the sender may send chunks with index < maxChunk. */
  maxChunk: number;
  /** Chunks durably written, for progress. */
  written: number;
}

/** Datagram size probe (RFC 8899 style); the padding makes the datagram the probed size. */
export interface XferProbeFrame {
  type: 'xferProbe';
  transferId: number;
  probeId: number;
  /** Number of padding bytes (zeros on encode). */
  padding: number;
}

export interface XferProbeAckFrame {
  type: 'xferProbeAck';
  transferId: number;
  probeId: number;
  /** Datagram size (payload + PACKET_OVERHEAD) the probe arrived with. */
  size: number;
}

/** A client-layer frame (type 0x20–0x3F) the transport carries without interpreting. */
export interface OpaqueFrame {
  type: 'opaque';
  code: number;
  body: Buffer;
}

export type Frame =
  | MsgFrame
  | MsgAckFrame
  | XferDataFrame
  | XferAckFrame
  | XferProbeFrame
  | XferProbeAckFrame
  | OpaqueFrame;

export const MSG_HEADER_BYTES = 1 + 4 + 2;
export const MSG_ACK_FIXED_BYTES = 1 + 4 + 1;
export const MSG_ACK_RANGE_BYTES = 8;
/** Type + transferId + pn + chunk: what `encodeXferDataInto` writes before the chunk bytes. */
export const XFER_DATA_HEADER_BYTES = 1 + 4 + 4 + 4;
export const XFER_ACK_FIXED_BYTES = 1 + 4 + 4 + 4 + 4 + 4 + 1;
export const XFER_PROBE_HEADER_BYTES = 1 + 4 + 4;
export const XFER_PROBE_ACK_BYTES = 1 + 4 + 4 + 4;
export const OPAQUE_HEADER_BYTES = 1 + 2;

/**
 * Chunk size of a transfer using datagrams of `datagramBytes` on the wire: what is left after
 * the client layer's PACKET_OVERHEAD and the XFER_DATA header (1200 → 1147).
 */
export function chunkSizeForDatagram(datagramBytes: number): number {
  return datagramBytes - PACKET_OVERHEAD - XFER_DATA_HEADER_BYTES;
}

const U32_MAX = 0xffffffff;

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

function checkU32(n: number, what: string): void {
  if (!isU32(n)) throw new RangeError(`${what} must be a u32, got ${n}`);
}

/** Encoded size of one frame in bytes. Throws RangeError for frames that cannot be encoded. */
export function encodedFrameSize(frame: Frame): number {
  switch (frame.type) {
    case 'msg':
      return MSG_HEADER_BYTES + frame.data.length;
    case 'msgAck':
      return MSG_ACK_FIXED_BYTES + MSG_ACK_RANGE_BYTES * frame.ranges.length;
    case 'xferData':
      return XFER_DATA_HEADER_BYTES + frame.data.length;
    case 'xferAck':
      return XFER_ACK_FIXED_BYTES + (frame.ranges.length === 0 ? 0 : 4 + 8 * (frame.ranges.length - 1));
    case 'xferProbe':
      return XFER_PROBE_HEADER_BYTES + frame.padding;
    case 'xferProbeAck':
      return XFER_PROBE_ACK_BYTES;
    case 'opaque':
      return OPAQUE_HEADER_BYTES + frame.body.length;
  }
}

function validateMsgAckRanges(next: number, ranges: readonly NumberRange[]): boolean {
  if (ranges.length > MAX_MSG_ACK_RANGES) return false;
  // The first range must start above `next` (seq `next` itself is by definition missing);
  // each later range must leave a gap of at least one seq after the previous one.
  let floor = next + 1;
  for (const [start, end] of ranges) {
    if (!isU32(start) || !isU32(end) || start < floor || end < start) return false;
    floor = end + 2;
  }
  return true;
}

function validateXferAckRanges(largest: number, ranges: readonly NumberRange[]): boolean {
  if (ranges.length > MAX_XFER_ACK_RANGES) return false;
  if (ranges.length === 0) return true;
  if (ranges[0][1] !== largest) return false;
  let ceiling = largest;
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i];
    if (!isU32(start) || !isU32(end) || end > ceiling || start > end) return false;
    // RFC 9000 §19.3.1: consecutive ranges are separated by at least one unacknowledged pn.
    ceiling = start - 2;
  }
  return true;
}

/**
 * Write `frames` into `out` at `offset`; returns the offset after the last byte written.
 * Throws RangeError for frames that cannot be encoded (out-of-range integers, bad ranges,
 * a trailing frame that is not last, or not enough room).
 */
export function encodeFramesInto(out: Buffer, offset: number, frames: readonly Frame[]): number {
  let o = offset;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    const size = encodedFrameSize(f);
    if (o + size > out.length) throw new RangeError('frames do not fit the output buffer');
    switch (f.type) {
      case 'msg':
        checkU32(f.seq, 'MSG seq');
        if (f.data.length > MAX_MESSAGE_BYTES) throw new RangeError('MSG data exceeds MAX_MESSAGE_BYTES');
        out[o] = FrameType.MSG;
        out.writeUInt32BE(f.seq, o + 1);
        out.writeUInt16BE(f.data.length, o + 5);
        f.data.copy(out, o + MSG_HEADER_BYTES);
        break;
      case 'msgAck':
        checkU32(f.next, 'MSG_ACK next');
        if (!validateMsgAckRanges(f.next, f.ranges)) throw new RangeError('MSG_ACK ranges are invalid');
        out[o] = FrameType.MSG_ACK;
        out.writeUInt32BE(f.next, o + 1);
        out[o + 5] = f.ranges.length;
        for (let r = 0; r < f.ranges.length; r++) {
          out.writeUInt32BE(f.ranges[r][0], o + 6 + r * 8);
          out.writeUInt32BE(f.ranges[r][1], o + 10 + r * 8);
        }
        break;
      case 'xferData':
        if (i !== frames.length - 1) throw new RangeError('XFER_DATA must be the last frame');
        encodeXferDataInto(out, o, f.transferId, f.pn, f.chunk);
        f.data.copy(out, o + XFER_DATA_HEADER_BYTES);
        break;
      case 'xferAck': {
        checkU32(f.transferId, 'XFER_ACK transferId');
        checkU32(f.largest, 'XFER_ACK largest');
        checkU32(f.ackDelayUs, 'XFER_ACK ackDelayUs');
        checkU32(f.maxChunk, 'XFER_ACK maxChunk');
        checkU32(f.written, 'XFER_ACK written');
        if (!validateXferAckRanges(f.largest, f.ranges)) throw new RangeError('XFER_ACK ranges are invalid');
        out[o] = FrameType.XFER_ACK;
        out.writeUInt32BE(f.transferId, o + 1);
        out.writeUInt32BE(f.largest, o + 5);
        out.writeUInt32BE(f.ackDelayUs, o + 9);
        out.writeUInt32BE(f.maxChunk, o + 13);
        out.writeUInt32BE(f.written, o + 17);
        out[o + 21] = f.ranges.length;
        let p = o + XFER_ACK_FIXED_BYTES;
        if (f.ranges.length > 0) {
          out.writeUInt32BE(f.ranges[0][1] - f.ranges[0][0], p);
          p += 4;
          for (let r = 1; r < f.ranges.length; r++) {
            const gap = f.ranges[r - 1][0] - f.ranges[r][1] - 2;
            out.writeUInt32BE(gap, p);
            out.writeUInt32BE(f.ranges[r][1] - f.ranges[r][0], p + 4);
            p += 8;
          }
        }
        break;
      }
      case 'xferProbe':
        if (i !== frames.length - 1) throw new RangeError('XFER_PROBE must be the last frame');
        checkU32(f.transferId, 'XFER_PROBE transferId');
        checkU32(f.probeId, 'XFER_PROBE probeId');
        if (!Number.isInteger(f.padding) || f.padding < 0) throw new RangeError('XFER_PROBE padding is invalid');
        out[o] = FrameType.XFER_PROBE;
        out.writeUInt32BE(f.transferId, o + 1);
        out.writeUInt32BE(f.probeId, o + 5);
        out.fill(0, o + XFER_PROBE_HEADER_BYTES, o + size);
        break;
      case 'xferProbeAck':
        checkU32(f.transferId, 'XFER_PROBE_ACK transferId');
        checkU32(f.probeId, 'XFER_PROBE_ACK probeId');
        checkU32(f.size, 'XFER_PROBE_ACK size');
        out[o] = FrameType.XFER_PROBE_ACK;
        out.writeUInt32BE(f.transferId, o + 1);
        out.writeUInt32BE(f.probeId, o + 5);
        out.writeUInt32BE(f.size, o + 9);
        break;
      case 'opaque':
        if (!Number.isInteger(f.code) || f.code < OPAQUE_TYPE_FIRST || f.code > OPAQUE_TYPE_LAST) {
          throw new RangeError(`opaque frame code must be 0x20–0x3f, got ${f.code}`);
        }
        if (f.body.length > MAX_OPAQUE_BODY_BYTES) throw new RangeError('opaque frame body too long');
        out[o] = f.code;
        out.writeUInt16BE(f.body.length, o + 1);
        f.body.copy(out, o + OPAQUE_HEADER_BYTES);
        break;
    }
    o += size;
  }
  return o;
}

/** Encode frames into a new buffer. Throws RangeError for frames that cannot be encoded. */
export function encodeFrames(frames: readonly Frame[]): Buffer {
  let size = 0;
  for (const f of frames) size += encodedFrameSize(f);
  const out = Buffer.allocUnsafe(size);
  encodeFramesInto(out, 0, frames);
  return out;
}

/**
 * Write an XFER_DATA header at `out[offset]`; returns the offset where the chunk bytes go
 * (offset + XFER_DATA_HEADER_BYTES). The frame's data runs to the end of the payload, so the
 * caller reads the chunk straight into `out` after the header and sends `out[0..end)`.
 * Hot path: no allocation, no validation beyond what writeUInt32BE does (it throws RangeError).
 */
export function encodeXferDataInto(
  out: Buffer,
  offset: number,
  transferId: number,
  pn: number,
  chunk: number,
): number {
  out[offset] = FrameType.XFER_DATA;
  out.writeUInt32BE(transferId, offset + 1);
  out.writeUInt32BE(pn, offset + 5);
  out.writeUInt32BE(chunk, offset + 9);
  return offset + XFER_DATA_HEADER_BYTES;
}

/**
 * Decode a payload into frames. Returns `null` if anything is malformed: an unknown type
 * outside 0x20–0x3F, a length running past the end, a MSG longer than MAX_MESSAGE_BYTES,
 * more ack ranges than allowed, ranges out of order or overlapping, arithmetic underflow in
 * XFER_ACK ranges. Never throws. An empty payload decodes to an empty list.
 */
export function decodeFrames(buf: Buffer): Frame[] | null {
  const frames: Frame[] = [];
  const len = buf.length;
  let o = 0;
  while (o < len) {
    const type = buf[o];
    switch (type) {
      case FrameType.MSG: {
        if (o + MSG_HEADER_BYTES > len) return null;
        const seq = buf.readUInt32BE(o + 1);
        const n = buf.readUInt16BE(o + 5);
        if (n > MAX_MESSAGE_BYTES) return null;
        const start = o + MSG_HEADER_BYTES;
        if (start + n > len) return null;
        frames.push({ type: 'msg', seq, data: buf.subarray(start, start + n) });
        o = start + n;
        break;
      }
      case FrameType.MSG_ACK: {
        if (o + MSG_ACK_FIXED_BYTES > len) return null;
        const next = buf.readUInt32BE(o + 1);
        const n = buf[o + 5];
        if (n > MAX_MSG_ACK_RANGES) return null;
        let p = o + MSG_ACK_FIXED_BYTES;
        if (p + n * MSG_ACK_RANGE_BYTES > len) return null;
        const ranges: NumberRange[] = [];
        for (let r = 0; r < n; r++) {
          ranges.push([buf.readUInt32BE(p), buf.readUInt32BE(p + 4)]);
          p += 8;
        }
        if (!validateMsgAckRanges(next, ranges)) return null;
        frames.push({ type: 'msgAck', next, ranges });
        o = p;
        break;
      }
      case FrameType.XFER_DATA: {
        if (o + XFER_DATA_HEADER_BYTES > len) return null;
        frames.push({
          type: 'xferData',
          transferId: buf.readUInt32BE(o + 1),
          pn: buf.readUInt32BE(o + 5),
          chunk: buf.readUInt32BE(o + 9),
          data: buf.subarray(o + XFER_DATA_HEADER_BYTES, len),
        });
        o = len;
        break;
      }
      case FrameType.XFER_ACK: {
        if (o + XFER_ACK_FIXED_BYTES > len) return null;
        const transferId = buf.readUInt32BE(o + 1);
        const largest = buf.readUInt32BE(o + 5);
        const ackDelayUs = buf.readUInt32BE(o + 9);
        const maxChunk = buf.readUInt32BE(o + 13);
        const written = buf.readUInt32BE(o + 17);
        const n = buf[o + 21];
        if (n > MAX_XFER_ACK_RANGES) return null;
        let p = o + XFER_ACK_FIXED_BYTES;
        const ranges: NumberRange[] = [];
        if (n > 0) {
          if (p + 4 + 8 * (n - 1) > len) return null;
          const first = buf.readUInt32BE(p);
          p += 4;
          if (first > largest) return null;
          let smallest = largest - first;
          ranges.push([smallest, largest]);
          for (let r = 1; r < n; r++) {
            const gap = buf.readUInt32BE(p);
            const length = buf.readUInt32BE(p + 4);
            p += 8;
            // RFC 9000 §19.3.1: a computed packet number below zero makes the frame invalid.
            const hi = smallest - gap - 2;
            if (hi < 0 || length > hi) return null;
            smallest = hi - length;
            ranges.push([smallest, hi]);
          }
        }
        frames.push({ type: 'xferAck', transferId, largest, ackDelayUs, ranges, maxChunk, written });
        o = p;
        break;
      }
      case FrameType.XFER_PROBE: {
        if (o + XFER_PROBE_HEADER_BYTES > len) return null;
        frames.push({
          type: 'xferProbe',
          transferId: buf.readUInt32BE(o + 1),
          probeId: buf.readUInt32BE(o + 5),
          padding: len - o - XFER_PROBE_HEADER_BYTES,
        });
        o = len;
        break;
      }
      case FrameType.XFER_PROBE_ACK: {
        if (o + XFER_PROBE_ACK_BYTES > len) return null;
        frames.push({
          type: 'xferProbeAck',
          transferId: buf.readUInt32BE(o + 1),
          probeId: buf.readUInt32BE(o + 5),
          size: buf.readUInt32BE(o + 9),
        });
        o += XFER_PROBE_ACK_BYTES;
        break;
      }
      default: {
        if (type < OPAQUE_TYPE_FIRST || type > OPAQUE_TYPE_LAST) return null;
        if (o + OPAQUE_HEADER_BYTES > len) return null;
        const n = buf.readUInt16BE(o + 1);
        const start = o + OPAQUE_HEADER_BYTES;
        if (start + n > len) return null;
        frames.push({ type: 'opaque', code: type, body: buf.subarray(start, start + n) });
        o = start + n;
        break;
      }
    }
  }
  return frames;
}
