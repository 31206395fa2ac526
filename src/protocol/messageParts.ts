import { MAX_MESSAGE_BYTES } from '../transport/limits';
import { ControlType, MAX_SNIPPET_MESSAGE_BYTES } from './controlMessages';
import { MAX_MESSAGE_TEXT_BYTES, NICK_MAX_BYTES } from './limits';

/**
 * Messages longer than one reliable-channel MSG (MAX_MESSAGE_BYTES), cut into consecutive PART
 * messages on the same channel (docs/protocol.md "Long messages"):
 *
 *   PART = 0x0E | flags u8 (bit 0: more parts follow; other bits 0) | data (1 … 1022 bytes)
 *
 * The channel delivers each message exactly once and in order, and a sender queues all parts of
 * one message back to back, so the receiver only appends until the part without the "more" bit
 * and decodes the concatenation as one control message. Nothing else may come between the parts
 * of one message; a receiver that sees something else there drops what it gathered.
 */

/** Bytes of a PART's header: type and flags. */
export const PART_HEADER_BYTES = 2;
/** Data bytes in one PART, so that a PART is exactly one full MSG. */
export const MAX_PART_DATA_BYTES = MAX_MESSAGE_BYTES - PART_HEADER_BYTES;
/** PART flag: more parts of this message follow. */
export const PART_MORE = 0x01;
/**
 * Largest message put back together (bytes): the longest CHAT_COPY (type, addressee, key id,
 * broadcasts-before, text length) with the longest text. Bounds reassembly memory per device link.
 */
export const MAX_REASSEMBLED_BYTES = 1 + 1 + NICK_MAX_BYTES + 4 + 8 + 2 + MAX_MESSAGE_TEXT_BYTES;
/** Most parts one message may take (every part but the last is full). */
export const MAX_PARTS = Math.ceil(MAX_REASSEMBLED_BYTES / MAX_PART_DATA_BYTES);
/**
 * Largest SNIPPET put back together (bytes, 67,522): a 64 KiB text with every field at its
 * longest. Only a sequence whose first byte is SNIPPET may grow past MAX_REASSEMBLED_BYTES, so
 * chat texts keep their bound; memory per device link is at most this.
 */
export const MAX_SNIPPET_REASSEMBLED_BYTES = MAX_SNIPPET_MESSAGE_BYTES;
/** Most parts a SNIPPET may take. */
export const MAX_SNIPPET_PARTS = Math.ceil(MAX_SNIPPET_REASSEMBLED_BYTES / MAX_PART_DATA_BYTES);
/** The only messages that may be carried in parts: chat texts and snippets. */
const PARTABLE = new Set<number>([ControlType.CHAT, ControlType.CHAT_COPY, ControlType.BCAST_TEXT, ControlType.SNIPPET]);

/** The reassembly bound (bytes, parts) for a message whose first byte is `type`. */
export function reassemblyBound(type: number): { bytes: number; parts: number } {
  return type === ControlType.SNIPPET
    ? { bytes: MAX_SNIPPET_REASSEMBLED_BYTES, parts: MAX_SNIPPET_PARTS }
    : { bytes: MAX_REASSEMBLED_BYTES, parts: MAX_PARTS };
}

/**
 * Cuts an encoded control message into channel messages: itself if it fits one MSG, else PARTs
 * of `maxMessage` bytes each (the last one shorter). Throws RangeError beyond its reassembly bound
 * or for a type that may not be carried in parts (a caller's bug: texts are checked before).
 */
export function splitMessage(encoded: Buffer, maxMessage = MAX_MESSAGE_BYTES): Buffer[] {
  if (encoded.length <= maxMessage) return [encoded];
  const bound = reassemblyBound(encoded[0]).bytes;
  if (encoded.length > bound) throw new RangeError(`message of ${encoded.length} bytes exceeds ${bound}`);
  if (!PARTABLE.has(encoded[0])) throw new RangeError(`message type 0x${encoded[0].toString(16)} is never split`);
  const step = maxMessage - PART_HEADER_BYTES;
  const parts: Buffer[] = [];
  for (let at = 0; at < encoded.length; at += step) {
    const data = encoded.subarray(at, Math.min(at + step, encoded.length));
    const more = at + step < encoded.length;
    parts.push(Buffer.concat([Buffer.from([ControlType.PART, more ? PART_MORE : 0]), data]));
  }
  return parts;
}

/** What one channel message gives: a whole message to decode, and/or why gathered parts were dropped. */
export interface PartResult {
  /** A complete control message (as it would have come in one MSG), if any. */
  message?: Buffer;
  /** Set when parts were thrown away (for a log line): never an exception. */
  dropped?: string;
}

/**
 * Puts PART sequences back together, one per device link (the channel is per link). Memory is
 * bounded by MAX_REASSEMBLED_BYTES (MAX_SNIPPET_REASSEMBLED_BYTES for a SNIPPET, known from the
 * first part's first data byte); an oversized, malformed or interrupted sequence is dropped
 * whole (reported once in `dropped`), the messages around it are unaffected.
 */
export class PartAssembler {
  private parts: Buffer[] = [];
  private bytes = 0;
  /** An oversized sequence is being skipped until its last part. */
  private skipping = false;

  /** Whether parts of an unfinished message are held. */
  get pending(): boolean {
    return this.parts.length > 0 || this.skipping;
  }

  /** Forgets any unfinished message (the peer's channel started over). */
  reset(): void {
    this.parts = [];
    this.bytes = 0;
    this.skipping = false;
  }

  /** Feeds the next message delivered by the channel. */
  push(data: Buffer): PartResult {
    if (data.length === 0 || data[0] !== ControlType.PART) {
      // Anything but a PART ends an unfinished sequence: the sender never puts anything between.
      // (A sequence already being skipped was reported when it started.)
      const dropped = this.parts.length > 0 ? `an unfinished long message (${this.parts.length} parts) was interrupted` : undefined;
      this.reset();
      return { message: data, dropped };
    }
    if (data.length < PART_HEADER_BYTES + 1 || (data[1] & ~PART_MORE) !== 0) {
      const dropped = `a malformed message part (${data.length} bytes, flags 0x${(data[1] ?? 0).toString(16)})`;
      // A sequence with a broken part is broken whole: skip the rest of it.
      const more = data.length >= PART_HEADER_BYTES && (data[1] & PART_MORE) !== 0;
      this.reset();
      this.skipping = more;
      return { dropped };
    }
    const more = (data[1] & PART_MORE) !== 0;
    if (this.skipping) {
      if (!more) this.skipping = false;
      return {};
    }
    const body = data.subarray(PART_HEADER_BYTES);
    // The bound is the type's, read from the first part: a snippet may be longer than a chat text.
    const bound = reassemblyBound(this.parts.length > 0 ? this.parts[0][0] : body[0]);
    if (this.bytes + body.length > bound.bytes || this.parts.length + 1 > bound.parts) {
      const dropped = `a long message beyond ${bound.bytes} bytes or ${bound.parts} parts`;
      this.reset();
      this.skipping = more;
      return { dropped };
    }
    this.parts.push(Buffer.from(body));
    this.bytes += body.length;
    if (more) return {};
    const message = Buffer.concat(this.parts, this.bytes);
    this.reset();
    if (!PARTABLE.has(message[0])) return { dropped: `a long message of type 0x${message[0].toString(16)}, which is never split` };
    return { message };
  }
}
