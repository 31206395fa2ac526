import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { COOKIE_LIFETIME_MS, COOKIE_MAC_BYTES } from '../protocol/limits';
import { COOKIE_BYTES } from '../protocol/relayMessages';

/** Bytes of the HMAC key: the full SHA-256 block strength (RFC 2104 §3 recommends >= hash size). */
const COOKIE_KEY_BYTES = 32;

/**
 * Stateless address-validation cookies, as in DTLS 1.2 HelloVerifyRequest (RFC 6347 §4.2.1)
 * and QUIC Retry tokens (RFC 9000 §8.1.2): the relay keeps no state for a HELLO, yet can later
 * tell that a REGISTER comes from an address that received its COOKIE.
 *
 *   cookie = issuedAt (u32, Unix seconds) || HMAC-SHA-256(key, ip || 0x00 || port u16 || issuedAt)[:16]
 *
 * `key` is random per relay process, so a relay restart invalidates every cookie (clients get
 * BAD_COOKIE and start over with HELLO). A cookie is accepted for COOKIE_LIFETIME_MS, counted in
 * whole seconds; a cookie "from the future" (clock stepped back) is refused.
 */
export class AddressCookie {
  private readonly key: Buffer;

  constructor(
    key: Buffer = randomBytes(COOKIE_KEY_BYTES),
    private readonly lifetimeMs: number = COOKIE_LIFETIME_MS,
  ) {
    this.key = Buffer.from(key);
  }

  /** A fresh cookie for `ip`:`port` at wall-clock time `nowMs`. */
  mint(ip: string, port: number, nowMs: number): Buffer {
    const seconds = Math.floor(nowMs / 1000) >>> 0;
    const out = Buffer.allocUnsafe(COOKIE_BYTES);
    out.writeUInt32BE(seconds, 0);
    this.mac(ip, port, seconds).copy(out, 4);
    return out;
  }

  /** True if `cookie` was minted by this relay for `ip`:`port` and is not older than the lifetime. */
  check(cookie: Buffer, ip: string, port: number, nowMs: number): boolean {
    if (cookie.length !== COOKIE_BYTES) return false;
    const seconds = cookie.readUInt32BE(0);
    const ageSeconds = Math.floor(nowMs / 1000) - seconds;
    if (ageSeconds < 0 || ageSeconds * 1000 > this.lifetimeMs) return false;
    // Constant-time compare so the MAC cannot be found byte by byte from response timing.
    return timingSafeEqual(this.mac(ip, port, seconds), cookie.subarray(4));
  }

  private mac(ip: string, port: number, seconds: number): Buffer {
    const tail = Buffer.allocUnsafe(7);
    tail[0] = 0; // separates the address text from the binary fields
    tail.writeUInt16BE(port, 1);
    tail.writeUInt32BE(seconds, 3);
    return createHmac('sha256', this.key).update(ip, 'utf8').update(tail).digest().subarray(0, COOKIE_MAC_BYTES);
  }
}
