import type { DeviceCertificate } from '../crypto/deviceCertificate';
import { TokenBucket } from './tokenBucket';
import { RosterMember } from './rosterOrder';

/** One registered client (a device of a member), as the relay holds it. */
export interface Session extends RosterMember {
  /** Random nonzero u32, never DST_BROADCAST; the header src/dst that names this client. */
  readonly id: number;
  /** Where the client's datagrams come from and where the relay sends to it. */
  address: string;
  port: number;
  /**
   * The device's keys and its identity's certificate for them (handed out in KEY_INFO). A
   * session is one device; its member is the identity (docs/protocol.md "Members and devices").
   */
  cert: DeviceCertificate;
  /** Hex of the device's Ed25519 key: one session per device key. */
  readonly deviceKey: string;
  /** Hex of the identity's Ed25519 key: the member, and the nickname's owner. */
  readonly ownerKey: string;
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
  /**
   * Small datagrams waiting for this event-loop turn's flush, oldest first (RelayServer.deliver).
   * The array is kept and emptied after each flush, so queuing allocates nothing per datagram.
   */
  readonly outQueue: Buffer[];
  /** What outQueue would take inside BATCH datagrams (each datagram + its length prefix). */
  outBytes: number;
  /** Listed for this turn's flush (so a client is listed once however many datagrams it gets). */
  outListed: boolean;
  /** Largest BATCH for this client's address: BATCH_MAX_BYTES, or LOOPBACK_BATCH_MAX_BYTES on loopback. */
  batchMax: number;
}

/** A member online: one identity, its nickname, and its devices' sessions (at least one). */
export interface Member {
  nick: string;
  nickKey: string;
  readonly devices: Set<Session>;
}
