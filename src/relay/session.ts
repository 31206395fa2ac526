import type { Outbound } from './relayTransport';
import { TokenBucket } from './tokenBucket';

/**
 * A client registered on this relay (a device of a member), with what only this relay needs: its
 * address, its budgets and its coalescing queue. Who it is (keys, certificate, nickname owner)
 * is the directory's entry with the same id (directory.ts).
 */
export interface Session extends Outbound {
  /** Random nonzero u32, never DST_BROADCAST; the header src/dst that names this client. */
  readonly id: number;
  /** Hex of the device's Ed25519 key, and of its identity's (the nickname's owner). */
  readonly deviceKey: string;
  readonly ownerKey: string;
  /** First DEVICE_TAG_BYTES of the device key. */
  readonly deviceTag: Buffer;
  /** Nickname as shown (NFKC) and its comparison key. */
  nick: string;
  nickKey: string;
  /**
   * Issue time (cookie seconds) of the cookie in the REGISTER that last bound the address. A
   * REGISTER moving the session must carry a cookie at least as new, so a REGISTER captured
   * earlier and replayed from the old address cannot pull the session back there.
   */
  cookieSeconds: number;
  /** performance.now() of the last datagram from this client. */
  lastSeen: number;
  /** The last roster version this client was sent PRESENCE up to. */
  presenceSeen: number;
  /** Every datagram (CLIENT_RATE_*). */
  readonly bucket: TokenBucket;
  /** Broadcasts (BROADCAST_RATE_*). */
  readonly broadcastBucket: TokenBucket;
  /** ERROR answers to this client (SESSION_ERROR_RATE_*). */
  readonly errorBucket: TokenBucket;
}
