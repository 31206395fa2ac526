/**
 * Packet protection with ChaCha20-Poly1305 (RFC 8439) and per-packet nonces built the way
 * TLS 1.3 and QUIC build them (RFC 8446 §5.3, RFC 9001 §5.3): the 64-bit packet number,
 * left-padded with zeros to the 96-bit IV length, XORed with the IV from the key schedule.
 *
 * Security rule the caller must keep: a (key, packet number) pair is never used twice.
 * RFC 9000 §12.3 says a packet number MUST NOT be reused in one packet number space; with
 * ChaCha20-Poly1305 a reused nonce leaks the XOR of two plaintexts and the Poly1305 key,
 * which lets an attacker forge. `PacketSealer` therefore refuses any packet number that is
 * not greater than the last one it sealed (one sealer = one packet number space).
 *
 * Performance: Node cannot reuse a ChaCha20-Poly1305 cipher object across messages, so each
 * packet costs one `createCipheriv`. Everything else is precomputed: the key is imported once
 * as a `KeyObject` (measured faster than passing raw bytes, which Node re-imports each call),
 * the nonce buffer is reused (Node copies the IV when the cipher is created), and the caller
 * may pass an output buffer so a whole datagram (header + ciphertext + tag) is built without
 * a `Buffer.concat`.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { benchNullOpen, benchNullOpenParts, benchNullSeal, benchNullSealParts } from './benchNullCipher';

/** True only in the transfer benchmark's null-cipher bundle; false in every product build (see benchNullCipher.ts). */
declare const __PEERCHAT_BENCH_NULL_CIPHER__: boolean | undefined;

/** Poly1305 tag length (RFC 8439 §2.8). The full 16 bytes: truncation weakens forgery bounds. */
export const AEAD_TAG_BYTES = 16;
/** ChaCha20-Poly1305 key length (RFC 8439 §2.8). */
export const AEAD_KEY_BYTES = 32;
/** ChaCha20-Poly1305 nonce length, which is also the IV length from the key schedule (RFC 8439 §2.8). */
export const AEAD_NONCE_BYTES = 12;
/**
 * Largest packet number accepted. QUIC allows up to 2^62 - 1 (RFC 9000 §12.3); JavaScript
 * numbers are exact only up to 2^53 - 1, which at a million packets per second lasts 285 years.
 */
export const MAX_PACKET_NUMBER = Number.MAX_SAFE_INTEGER;

/**
 * A record: several plaintext parts sealed as one AEAD message (ciphertext of part i has the
 * length of part i; one tag for all). Used for file data at small datagram sizes, where one
 * cipher object per datagram costs more than the cipher itself (see docs/protocol.md,
 * "Records"). The nonce comes from the same packet number space as `seal`.
 */
export interface SealedParts {
  /** One ciphertext per part, fresh buffers (the parts may be reused once this returns). */
  parts: Buffer[];
  tag: Buffer;
}

const CIPHER = 'chacha20-poly1305';
const CIPHER_OPTIONS = { authTagLength: AEAD_TAG_BYTES } as const;
const TWO_POW_32 = 0x1_0000_0000;

function checkKeyAndIv(key: Buffer, iv: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== AEAD_KEY_BYTES) {
    throw new RangeError(`AEAD key must be ${AEAD_KEY_BYTES} bytes`);
  }
  if (!Buffer.isBuffer(iv) || iv.length !== AEAD_NONCE_BYTES) {
    throw new RangeError(`AEAD IV must be ${AEAD_NONCE_BYTES} bytes`);
  }
}

function isValidPacketNumber(pn: number): boolean {
  return Number.isSafeInteger(pn) && pn >= 0;
}

/**
 * Holds the per-packet nonce. The first 4 bytes of the IV never change (the packet number is
 * only 64 bits); the last 8 are the IV XOR the big-endian packet number (RFC 9001 §5.3).
 */
class NonceBuilder {
  readonly nonce: Buffer;
  private readonly ivHigh: number;
  private readonly ivLow: number;

  constructor(iv: Buffer) {
    this.nonce = Buffer.from(iv); // own copy: the caller's buffer may be reused or wiped
    this.ivHigh = iv.readUInt32BE(4);
    this.ivLow = iv.readUInt32BE(8);
  }

  /** Writes the nonce for `pn` (a safe integer ≥ 0, checked by the caller) and returns it. */
  forPacket(pn: number): Buffer {
    const high = Math.floor(pn / TWO_POW_32);
    const low = pn >>> 0;
    this.nonce.writeUInt32BE((this.ivHigh ^ high) >>> 0, 4);
    this.nonce.writeUInt32BE((this.ivLow ^ low) >>> 0, 8);
    return this.nonce;
  }
}

/** Views of `whole` cut at the boundaries of `like` (whose lengths add up to whole.length). */
function splitLike(whole: Buffer, like: readonly Buffer[]): Buffer[] {
  const out = new Array<Buffer>(like.length);
  let o = 0;
  for (let i = 0; i < like.length; i++) {
    out[i] = whole.subarray(o, o + like[i].length);
    o += like[i].length;
  }
  return out;
}

/** Seals packets of one direction of one session (one packet number space). */
export class PacketSealer {
  private readonly key: KeyObject;
  private readonly nonces: NonceBuilder;
  private lastPacketNumber = -1;

  constructor(key: Buffer, iv: Buffer) {
    checkKeyAndIv(key, iv);
    this.key = createSecretKey(key);
    this.nonces = new NonceBuilder(iv);
  }

  /** The largest packet number sealed so far, or -1. */
  get lastSealed(): number {
    return this.lastPacketNumber;
  }

  /**
   * Encrypts `plaintext` and authenticates it together with `aad` (put the clear packet header,
   * including the packet number, in `aad` so the relay cannot alter it).
   *
   * Returns `ciphertext || tag` (plaintext length + AEAD_TAG_BYTES).
   * If `out` is given, the sealed bytes are written at `out[outOffset..]` and the returned
   * Buffer is a view of that region: write the header into `out[0..outOffset)` first, pass it
   * (a subarray of `out`) as `aad`, and `out.subarray(0, outOffset + returned.length)` is the
   * whole datagram. `aad` and `plaintext` may overlap `out` (both are consumed before writing).
   *
   * Throws RangeError (a programming error, never a network input) if `pn` is not a safe
   * integer ≥ 0, is not greater than every packet number sealed before (nonce reuse,
   * RFC 9000 §12.3), or `out` is too small.
   */
  seal(pn: number, aad: Buffer, plaintext: Buffer, out?: Buffer, outOffset = 0): Buffer {
    if (!isValidPacketNumber(pn)) throw new RangeError(`packet number ${pn} is not a safe integer ≥ 0`);
    if (pn <= this.lastPacketNumber) {
      throw new RangeError(`packet number ${pn} not above ${this.lastPacketNumber}: nonce reuse refused`);
    }
    const sealedLength = plaintext.length + AEAD_TAG_BYTES;
    if (out !== undefined && (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + sealedLength > out.length)) {
      throw new RangeError(`output buffer too small: need ${sealedLength} bytes at offset ${outOffset}`);
    }
    this.lastPacketNumber = pn;
    if (typeof __PEERCHAT_BENCH_NULL_CIPHER__ === 'boolean' && __PEERCHAT_BENCH_NULL_CIPHER__) return benchNullSeal(this.nonces.forPacket(pn), plaintext, AEAD_TAG_BYTES, out, outOffset);
    const cipher = createCipheriv(CIPHER, this.key, this.nonces.forPacket(pn), CIPHER_OPTIONS);
    cipher.setAAD(aad, { plaintextLength: plaintext.length }); // the length is used by CCM only; typed as required
    const ciphertext = cipher.update(plaintext);
    cipher.final(); // a stream cipher: final() returns no bytes, but computes the tag
    const tag = cipher.getAuthTag();
    const target = out ?? Buffer.allocUnsafe(sealedLength);
    ciphertext.copy(target, outOffset);
    tag.copy(target, outOffset + ciphertext.length);
    return out === undefined ? target : target.subarray(outOffset, outOffset + sealedLength);
  }

  /**
   * Seals `parts` as one record under packet number `pn` (same rules as `seal`): the ciphertext
   * of their concatenation, returned split at the same boundaries, and one tag. Throws
   * RangeError as `seal` does, and for an empty list of parts.
   *
   * `updateEach`: one cipher update per part instead of one over their concatenation, so no part
   * is copied and each ciphertext is a buffer of its own. For a few large parts (a lane record's
   * 8-byte header and its 64 KiB of file bytes, read straight from the file); for many small
   * ones the single update costs less. The bytes are the same either way (a stream cipher: the
   * keystream and the tag run on across updates).
   */
  sealParts(pn: number, aad: Buffer, parts: readonly Buffer[], updateEach = false): SealedParts {
    if (!isValidPacketNumber(pn)) throw new RangeError(`packet number ${pn} is not a safe integer ≥ 0`);
    if (pn <= this.lastPacketNumber) {
      throw new RangeError(`packet number ${pn} not above ${this.lastPacketNumber}: nonce reuse refused`);
    }
    if (parts.length === 0) throw new RangeError('a record needs at least one part');
    this.lastPacketNumber = pn;
    if (typeof __PEERCHAT_BENCH_NULL_CIPHER__ === 'boolean' && __PEERCHAT_BENCH_NULL_CIPHER__) return benchNullSealParts(this.nonces.forPacket(pn), parts, AEAD_TAG_BYTES);
    const cipher = createCipheriv(CIPHER, this.key, this.nonces.forPacket(pn), CIPHER_OPTIONS);
    let total = 0;
    for (const p of parts) total += p.length;
    cipher.setAAD(aad, { plaintextLength: total });
    if (updateEach) {
      const out = parts.map((p) => cipher.update(p));
      cipher.final();
      return { parts: out, tag: cipher.getAuthTag() };
    }
    // One update over the parts laid end to end, then views: each update returns a new buffer
    // of its own, and one per part cost more than the copy (a stream cipher: output length =
    // input length, so the views fall on the parts' boundaries).
    const ciphertext = cipher.update(parts.length === 1 ? parts[0] : Buffer.concat(parts as Buffer[], total));
    cipher.final();
    return { parts: splitLike(ciphertext, parts), tag: cipher.getAuthTag() };
  }
}

/** Opens packets of one direction of one session. Stateless apart from keys: pair with a ReplayWindow. */
export class PacketOpener {
  private readonly key: KeyObject;
  private readonly nonces: NonceBuilder;

  constructor(key: Buffer, iv: Buffer) {
    checkKeyAndIv(key, iv);
    this.key = createSecretKey(key);
    this.nonces = new NonceBuilder(iv);
  }

  /**
   * Returns the plaintext, or null if `sealed` is shorter than a tag, `pn` is not a valid
   * packet number, or authentication fails (wrong key, pn, aad, or any modified byte).
   * Never throws: its inputs come from the network.
   */
  open(pn: number, aad: Buffer, sealed: Buffer): Buffer | null {
    if (!isValidPacketNumber(pn) || !Buffer.isBuffer(sealed) || sealed.length < AEAD_TAG_BYTES) return null;
    try {
      const ciphertextLength = sealed.length - AEAD_TAG_BYTES;
      if (typeof __PEERCHAT_BENCH_NULL_CIPHER__ === 'boolean' && __PEERCHAT_BENCH_NULL_CIPHER__) return benchNullOpen(this.nonces.forPacket(pn), sealed, AEAD_TAG_BYTES);
      const decipher = createDecipheriv(CIPHER, this.key, this.nonces.forPacket(pn), CIPHER_OPTIONS);
      decipher.setAuthTag(sealed.subarray(ciphertextLength));
      decipher.setAAD(aad, { plaintextLength: ciphertextLength });
      const plaintext = decipher.update(sealed.subarray(0, ciphertextLength));
      decipher.final(); // throws if the tag does not verify; the plaintext is then discarded
      return plaintext;
    } catch {
      return null;
    }
  }

  /**
   * Opens a record sealed by `PacketSealer.sealParts`: the plaintext of each ciphertext part, or
   * null if the tag does not verify (nothing is returned then, not even the parts that came
   * before the failure). Never throws.
   */
  openParts(pn: number, aad: Buffer, parts: readonly Buffer[], tag: Buffer): Buffer[] | null {
    if (!isValidPacketNumber(pn) || !Buffer.isBuffer(tag) || tag.length !== AEAD_TAG_BYTES || parts.length === 0) return null;
    try {
      if (typeof __PEERCHAT_BENCH_NULL_CIPHER__ === 'boolean' && __PEERCHAT_BENCH_NULL_CIPHER__) return benchNullOpenParts(this.nonces.forPacket(pn), parts, tag);
      const decipher = createDecipheriv(CIPHER, this.key, this.nonces.forPacket(pn), CIPHER_OPTIONS);
      let total = 0;
      for (const p of parts) total += p.length;
      decipher.setAuthTag(tag);
      decipher.setAAD(aad, { plaintextLength: total });
      const plaintext = decipher.update(parts.length === 1 ? parts[0] : Buffer.concat(parts as Buffer[], total));
      decipher.final(); // throws if the tag does not verify; the plaintext is then discarded
      return splitLike(plaintext, parts);
    } catch {
      return null;
    }
  }
}
