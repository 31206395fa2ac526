/**
 * Broadcast "sender keys", a simplified form of Signal's sender keys and Matrix's Megolm: each
 * sender seals a broadcast once with its own symmetric key and the relay fans the datagram out;
 * every recipient got that key earlier through its pairwise sealed channel with the sender.
 *
 * Nonces are built as in aead.ts (RFC 9001 §5.3): the sender's IV XOR the message sequence
 * number, so the sender must never seal two messages with one sequence number under one key
 * (SenderKeyOut enforces increasing numbers). Recipients keep a replay window per key.
 *
 * Limits of the simplification (unlike Megolm, messages are not signed): anyone holding a sender
 * key can both read and forge that sender's broadcasts. The relay never holds one, but every
 * recipient does, so a recipient could forge a broadcast "from" the sender to the others. Rotate
 * the key whenever the set of recipients changes (someone leaves), so former members read nothing
 * new, and sign broadcasts with the identity key where recipients must not be able to forge.
 */
import { randomBytes } from 'node:crypto';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, PacketOpener, PacketSealer } from './aead';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replayWindow';

/** Bytes of the key id at the start of a distribution blob (u32, big-endian). */
export const SENDER_KEY_ID_BYTES = 4;
/** Distribution blob: keyId (u32 BE) || key (32) || iv (12). */
export const SENDER_KEY_BLOB_BYTES = SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES + AEAD_NONCE_BYTES;

function randomKeyId(): number {
  return randomBytes(SENDER_KEY_ID_BYTES).readUInt32BE(0);
}

/** The sending half: seals this client's broadcasts. */
export class SenderKeyOut {
  private id: number;
  private key: Buffer;
  private iv: Buffer;
  private sealer: PacketSealer;

  constructor() {
    this.id = randomKeyId(); // random, not counted: ids stay distinct across restarts
    this.key = randomBytes(AEAD_KEY_BYTES);
    this.iv = randomBytes(AEAD_NONCE_BYTES);
    this.sealer = new PacketSealer(this.key, this.iv);
  }

  /** Identifies the current key; put it in the clear header so recipients pick the right SenderKeyIn. */
  get keyId(): number {
    return this.id;
  }

  /** keyId || key || iv, to send to each recipient inside the pairwise sealed channel only. */
  encodeForDistribution(): Buffer {
    const blob = Buffer.allocUnsafe(SENDER_KEY_BLOB_BYTES);
    blob.writeUInt32BE(this.id, 0);
    this.key.copy(blob, SENDER_KEY_ID_BYTES);
    this.iv.copy(blob, SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES);
    return blob;
  }

  /**
   * Seals one broadcast; `seq` must be a safe integer greater than every seq sealed with this
   * key (throws RangeError otherwise: nonce reuse). Put the clear header (sender, keyId, seq) in
   * `aad`. `out`/`outOffset` work as in PacketSealer.seal.
   */
  seal(seq: number, aad: Buffer, plaintext: Buffer, out?: Buffer, outOffset?: number): Buffer {
    return this.sealer.seal(seq, aad, plaintext, out, outOffset);
  }

  /** Replaces the key (new id, key, iv); sequence numbers may start again from 0. Redistribute after. */
  rotate(): void {
    const previous = this.id;
    do this.id = randomKeyId();
    while (this.id === previous);
    this.key = randomBytes(AEAD_KEY_BYTES);
    this.iv = randomBytes(AEAD_NONCE_BYTES);
    this.sealer = new PacketSealer(this.key, this.iv);
  }
}

/** The receiving half: opens one sender's broadcasts sealed with one key. */
export class SenderKeyIn {
  private readonly opener: PacketOpener;
  private readonly replay: ReplayWindow;

  private constructor(
    readonly keyId: number,
    key: Buffer,
    iv: Buffer,
    windowSize: number,
  ) {
    this.opener = new PacketOpener(key, iv);
    this.replay = new ReplayWindow(windowSize);
  }

  /** Parses a distribution blob; null unless exactly SENDER_KEY_BLOB_BYTES long. */
  static decode(buf: Buffer, windowSize = DEFAULT_REPLAY_WINDOW): SenderKeyIn | null {
    if (!Buffer.isBuffer(buf) || buf.length !== SENDER_KEY_BLOB_BYTES) return null;
    const keyId = buf.readUInt32BE(0);
    const key = Buffer.from(buf.subarray(SENDER_KEY_ID_BYTES, SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES));
    const iv = Buffer.from(buf.subarray(SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES));
    return new SenderKeyIn(keyId, key, iv, windowSize);
  }

  /** Largest sequence number opened so far, or -1. */
  get largestSeq(): number {
    return this.replay.largest;
  }

  /**
   * The plaintext, or null if `seq` was already opened or is older than the replay window, or
   * authentication fails. The window is checked before decrypting (cheap reject) and updated only
   * after authentication (RFC 4303 §3.4.3), so forgeries cannot move it. Never throws.
   */
  open(seq: number, aad: Buffer, sealed: Buffer): Buffer | null {
    if (!this.replay.wouldAccept(seq)) return null;
    const plaintext = this.opener.open(seq, aad, sealed);
    if (plaintext === null) return null;
    this.replay.commit(seq);
    return plaintext;
  }
}
