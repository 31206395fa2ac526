/**
 * Broadcast "sender keys", in the manner of Signal's sender keys and Matrix's Megolm: each
 * sender seals a broadcast once with its own symmetric key and the relay fans the datagram out;
 * every recipient got that key earlier through its pairwise sealed channel with the sender.
 *
 * Nonces are built as in aead.ts (RFC 9001 §5.3): the sender's IV XOR the message sequence
 * number, so the sender must never seal two messages with one sequence number under one key
 * (SenderKeyOut enforces increasing numbers). Recipients keep a replay window per key.
 *
 * Every recipient holds the symmetric key, so the AEAD alone proves only that *some member*
 * sealed a broadcast: any of them could forge one "from" the sender. So, as Signal and Megolm
 * do, each sender key comes with an Ed25519 signing key pair made with it: the private half never
 * leaves the sender, the public half travels in the distribution blob over the pairwise channel
 * (which authenticates it: only the sender's pinned identity can have sent it), and the sender
 * signs every broadcast datagram. Recipients check the signature before anything else (before
 * decrypting, delivering or moving the replay window).
 *
 * Why a per-sender-key signing key and not the long-term identity key:
 * - the identity key stays out of every chat message: a broadcast signature proves authorship
 *   only to those who got the blob over the (deniable, MAC-authenticated) pairwise channel, not
 *   to the world, as with Signal's sender keys;
 * - it is replaced together with the symmetric key (a member left, a restart), at the cost of
 *   one key generation; nothing about it is long-lived or kept on disk;
 * - the identity key keeps signing only registrations and DH bindings, so no message of another
 *   protocol context can ever be presented as one of those.
 * The signature also covers the owner's identity key (see `signingMessage`), so a member cannot
 * hand out someone else's sender key as its own and have their broadcasts shown under its name.
 */
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, PacketOpener, PacketSealer } from './aead';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, rawPublicKey, uncachedPublicKeyFromRaw } from './identity';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replayWindow';

/** Bytes of the key id at the start of a distribution blob (u32, big-endian). */
export const SENDER_KEY_ID_BYTES = 4;
/** Distribution blob: keyId (u32 BE) || key (32) || iv (12) || Ed25519 signing public key (32). */
export const SENDER_KEY_BLOB_BYTES = SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES + AEAD_NONCE_BYTES + PUBLIC_KEY_BYTES;
/** Domain separation: these signatures can never be mistaken for any other signed message. */
const BROADCAST_SIGNATURE_CONTEXT = Buffer.from('peerchat v1 broadcast\0', 'utf8');

const SIGN_PUBLIC_OFFSET = SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES + AEAD_NONCE_BYTES;

function randomKeyId(): number {
  return randomBytes(SENDER_KEY_ID_BYTES).readUInt32BE(0);
}

/** What is signed: context || the owner's identity signing key || the broadcast's signed bytes. */
function signingMessage(owner: Buffer, signed: Buffer): Buffer {
  return Buffer.concat([BROADCAST_SIGNATURE_CONTEXT, owner, signed]);
}

/** The sending half: seals and signs this client's broadcasts. */
export class SenderKeyOut {
  private id!: number;
  private key!: Buffer;
  private iv!: Buffer;
  private sealer!: PacketSealer;
  private signPrivate!: KeyObject;
  private signPublicRaw!: Buffer;

  /** `owner`: the sender's identity signing public key (32 bytes), bound into every signature. */
  constructor(private readonly owner: Buffer) {
    if (!Buffer.isBuffer(owner) || owner.length !== PUBLIC_KEY_BYTES) {
      throw new RangeError(`owner signing key must be ${PUBLIC_KEY_BYTES} bytes`);
    }
    this.renew(randomKeyId()); // random, not counted: ids stay distinct across restarts
  }

  private renew(id: number): void {
    this.id = id;
    this.key = randomBytes(AEAD_KEY_BYTES);
    this.iv = randomBytes(AEAD_NONCE_BYTES);
    this.sealer = new PacketSealer(this.key, this.iv);
    const pair = generateKeyPairSync('ed25519');
    this.signPrivate = pair.privateKey;
    this.signPublicRaw = rawPublicKey(pair.publicKey);
  }

  /** Identifies the current key; put it in the clear header so recipients pick the right SenderKeyIn. */
  get keyId(): number {
    return this.id;
  }

  /** Raw public half of the current signing key (a copy). */
  get signingPublicKey(): Buffer {
    return Buffer.from(this.signPublicRaw);
  }

  /** keyId || key || iv || signing public key, to send to each recipient inside the pairwise sealed channel only. */
  encodeForDistribution(): Buffer {
    const blob = Buffer.allocUnsafe(SENDER_KEY_BLOB_BYTES);
    blob.writeUInt32BE(this.id, 0);
    this.key.copy(blob, SENDER_KEY_ID_BYTES);
    this.iv.copy(blob, SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES);
    this.signPublicRaw.copy(blob, SIGN_PUBLIC_OFFSET);
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

  /**
   * Ed25519 signature (SIGNATURE_BYTES, 64) over `signed`: the whole sealed datagram as
   * the protocol defines it (peerPackets.broadcastSignedBytes), bound to this sender's identity.
   */
  sign(signed: Buffer): Buffer {
    return sign(null, signingMessage(this.owner, signed), this.signPrivate);
  }

  /**
   * Replaces the key (new id, key, iv and signing key); sequence numbers may start again from 0.
   * Redistribute after.
   */
  rotate(): void {
    const previous = this.id;
    let id: number;
    do id = randomKeyId();
    while (id === previous);
    this.renew(id);
  }
}

/** One received broadcast, as the protocol layer parsed it. */
export interface SignedBroadcast {
  seq: number;
  /** Associated data of the AEAD (kind and sealing header). */
  aad: Buffer;
  /** Ciphertext and tag. */
  sealed: Buffer;
  /** The bytes the sender signed (peerPackets.broadcastSignedBytes). */
  signed: Buffer;
  signature: Buffer;
}

export type BroadcastOpenResult =
  | { ok: true; plaintext: Buffer }
  /** replay: seq already opened or older than the window; signature: not signed by the key's
   * owner; decrypt: signed, yet the AEAD failed (only the owner could have made it). */
  | { ok: false; reason: 'replay' | 'signature' | 'decrypt' };

/** The receiving half: verifies and opens one sender's broadcasts sealed with one key. */
export class SenderKeyIn {
  private readonly opener: PacketOpener;
  private readonly replay: ReplayWindow;

  private constructor(
    readonly keyId: number,
    key: Buffer,
    iv: Buffer,
    private readonly verifyKey: KeyObject,
    private readonly owner: Buffer,
    windowSize: number,
  ) {
    this.opener = new PacketOpener(key, iv);
    this.replay = new ReplayWindow(windowSize);
  }

  /**
   * Parses a distribution blob received over `owner`'s pairwise channel (`owner`: that peer's
   * identity signing public key). Null unless the blob is exactly SENDER_KEY_BLOB_BYTES long,
   * its signing key is an Ed25519 key and `owner` is 32 bytes. Never throws.
   */
  static decode(buf: Buffer, owner: Buffer, windowSize = DEFAULT_REPLAY_WINDOW): SenderKeyIn | null {
    if (!Buffer.isBuffer(buf) || buf.length !== SENDER_KEY_BLOB_BYTES) return null;
    if (!Buffer.isBuffer(owner) || owner.length !== PUBLIC_KEY_BYTES) return null;
    let verifyKey: KeyObject;
    try {
      verifyKey = uncachedPublicKeyFromRaw('ed25519', Buffer.from(buf.subarray(SIGN_PUBLIC_OFFSET)));
    } catch {
      return null;
    }
    const keyId = buf.readUInt32BE(0);
    const key = Buffer.from(buf.subarray(SENDER_KEY_ID_BYTES, SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES));
    const iv = Buffer.from(buf.subarray(SENDER_KEY_ID_BYTES + AEAD_KEY_BYTES, SIGN_PUBLIC_OFFSET));
    return new SenderKeyIn(keyId, key, iv, verifyKey, Buffer.from(owner), windowSize);
  }

  /** Largest sequence number opened so far, or -1. */
  get largestSeq(): number {
    return this.replay.largest;
  }

  /** True only if `signature` is the key owner's signature over `signed`. Never throws. */
  verify(signed: Buffer, signature: Buffer): boolean {
    if (!Buffer.isBuffer(signature) || signature.length !== SIGNATURE_BYTES || !Buffer.isBuffer(signed)) return false;
    try {
      return verify(null, signingMessage(this.owner, signed), this.verifyKey, signature);
    } catch {
      return false;
    }
  }

  /**
   * Verifies, then opens. Order: the replay window is only *looked at* first (a cheap reject of
   * duplicates, which changes nothing); then the signature, so nothing that the key's owner did
   * not sign is ever decrypted; then the AEAD; and only then is the window updated (RFC 4303
   * §3.4.3), so no forgery can move it. Never throws.
   */
  open(b: SignedBroadcast): BroadcastOpenResult {
    if (!this.replay.wouldAccept(b.seq)) return { ok: false, reason: 'replay' };
    if (!this.verify(b.signed, b.signature)) return { ok: false, reason: 'signature' };
    const plaintext = this.opener.open(b.seq, b.aad, b.sealed);
    if (plaintext === null) return { ok: false, reason: 'decrypt' };
    this.replay.commit(b.seq);
    return { ok: true, plaintext };
  }
}
