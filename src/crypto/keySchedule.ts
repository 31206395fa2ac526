/**
 * Key schedule: HKDF-SHA256 (RFC 5869) from a handshake's shared secrets to per-direction
 * packet keys, as TLS 1.3 and QUIC do (RFC 8446 §7.1, RFC 9001 §5.1): one extract with a
 * protocol salt, then one expand per purpose with a distinct label, so no two keys are
 * related. Labels carry the protocol version ("peerchat v1") so a future version never derives
 * the same keys from the same inputs.
 */
import { hkdfSync } from 'node:crypto';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES } from './aead';

/** HKDF salt of the pairwise handshake (RFC 5869 §3.1: a non-secret, protocol-specific salt). */
export const HANDSHAKE_SALT = Buffer.from('peerchat v1', 'utf8');
/** Expand label of the keys used by the peer whose static DH public key sorts lower. */
export const LABEL_LOWER_TO_HIGHER = 'peerchat v1 lower->higher';
/** Expand label of the keys used by the peer whose static DH public key sorts higher. */
export const LABEL_HIGHER_TO_LOWER = 'peerchat v1 higher->lower';
/** Expand label of the handshake confirmation MAC key. */
export const LABEL_CONFIRM = 'peerchat v1 confirm';
/** Length of the confirmation MAC key: SHA-256's output length, the key size RFC 2104 §3 recommends for HMAC. */
export const CONFIRM_KEY_BYTES = 32;
/** Node's hkdfSync limit on `info` (OpenSSL's HKDF info buffer), checked here to fail clearly. */
export const MAX_HKDF_INFO_BYTES = 1024;
/** RFC 5869 §2.3: HKDF-SHA256 can expand to at most 255 * 32 bytes. */
export const MAX_HKDF_OUTPUT_BYTES = 255 * 32;

export interface DirectionKeys {
  /** 32-byte ChaCha20-Poly1305 key. */
  key: Buffer;
  /** 12-byte IV that packet numbers are XORed into (RFC 9001 §5.3). */
  iv: Buffer;
}

export interface DirectionalKeys {
  send: DirectionKeys;
  recv: DirectionKeys;
  /** Key for the handshake confirmation MAC; the same on both sides. */
  confirm: Buffer;
}

function expand(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  if (info.length > MAX_HKDF_INFO_BYTES) throw new RangeError(`HKDF info longer than ${MAX_HKDF_INFO_BYTES} bytes`);
  if (!Number.isInteger(length) || length < 1 || length > MAX_HKDF_OUTPUT_BYTES) {
    throw new RangeError(`HKDF output length must be 1..${MAX_HKDF_OUTPUT_BYTES}`);
  }
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}

function directionKeys(ikm: Buffer, salt: Buffer, label: string, transcript: Buffer): DirectionKeys {
  const okm = expand(ikm, salt, Buffer.concat([Buffer.from(label, 'utf8'), transcript]), AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: okm.subarray(0, AEAD_KEY_BYTES), iv: okm.subarray(AEAD_KEY_BYTES) };
}

/**
 * Derives both directions' packet keys and the confirmation key from the handshake secret.
 * info = label || transcript for each output, so the keys are bound to everything the
 * transcript hash covers. `iAmLower` says whether this side's static DH public key sorts lower
 * (Buffer.compare < 0): that side sends with the "lower->higher" keys, the other receives with them.
 */
export function deriveDirectionalKeys(ikm: Buffer, salt: Buffer, transcript: Buffer, iAmLower: boolean): DirectionalKeys {
  const lowerToHigher = directionKeys(ikm, salt, LABEL_LOWER_TO_HIGHER, transcript);
  const higherToLower = directionKeys(ikm, salt, LABEL_HIGHER_TO_LOWER, transcript);
  const confirm = expand(ikm, salt, Buffer.concat([Buffer.from(LABEL_CONFIRM, 'utf8'), transcript]), CONFIRM_KEY_BYTES);
  return iAmLower
    ? { send: lowerToHigher, recv: higherToLower, confirm }
    : { send: higherToLower, recv: lowerToHigher, confirm };
}

/**
 * Derives an independent key from `key` for one purpose: HKDF-SHA256 with an empty salt
 * (RFC 5869 §2.2: HashLen zeros), info = label || 0x00 || context. The zero byte separates label
 * from context so two (label, context) pairs never produce the same info; labels therefore must
 * not contain NUL. Use it to give each channel its own key (and so its own packet number space).
 */
export function deriveSubKey(key: Buffer, label: string, context: Buffer, length = AEAD_KEY_BYTES): Buffer {
  if (label.length === 0 || label.includes('\0')) throw new RangeError('sub-key label must be non-empty and contain no NUL');
  const info = Buffer.concat([Buffer.from(label, 'utf8'), Buffer.from([0]), context]);
  return expand(key, Buffer.alloc(0), info, length);
}
