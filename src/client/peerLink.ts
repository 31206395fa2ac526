import { Identity } from '../crypto/identity';
import type { DeviceCertificate } from '../crypto/deviceCertificate';
import type { PathAddress, PathSet } from '../transport/pathSet';
import { identityFingerprint } from './fingerprints';
import { PeerHandshake, SessionKeys, decodePeerHello } from '../crypto/peerHandshake';
import { SenderKeyIn } from '../crypto/senderKey';
import { AEAD_TAG_BYTES } from '../crypto/aead';
import { Header, Kind, datagram } from '../protocol/header';
import {
  RECORD_PREFIX_BYTES,
  SEALED_PREFIX_BYTES,
  SealedPacket,
  recordAad,
  writeRecordFragment,
  writeSealedPrefix,
} from '../protocol/peerPackets';
import type { RecordSealer, SealedRecord } from '../transport/transferSender';
import type { RecordOpener } from './recordAssembler';
import { Frame, decodeFrames, encodeFrames } from '../transport/frames';
import { ReliableChannel } from '../transport/reliableChannel';
import { DEFAULT_DATAGRAM_BYTES } from '../protocol/limits';
import { TimerDriver } from './timerDriver';

/** First resend interval of a handshake hello (ms); doubles up to the cap. */
const HELLO_RESEND_INITIAL_MS = 200;
const HELLO_RESEND_MAX_MS = 2_000;
/** Payloads queued while the handshake is still running (then the channel retransmits). */
const MAX_QUEUED_PAYLOADS = 256;
/** Smallest reusable output buffer of a link: a default-size datagram fits without regrowing. */
const MIN_SEND_BUFFER_BYTES = 1500;

/** A record sealed on this link (see RecordSealer); fragments are sent from these bytes. */
interface LinkRecord extends SealedRecord {
  epoch: number;
  record: number;
  transferId: number;
  chunks: number[];
  parts: Buffer[];
  tag: Buffer;
}

/** A device's public keys: its handshakes and sender keys use these. */
export interface PeerStatic {
  signPublic: Buffer;
  dhPublic: Buffer;
}

/** Incoming broadcast stream of one peer: its sender key and the next seq to deliver. */
export interface BroadcastIn {
  key: SenderKeyIn;
  next: number;
  /** Sealed broadcasts that arrived before their turn (or before the key), by seq. */
  early: Map<number, Buffer>;
}

export interface PeerLinkHost {
  /** This device's own keys (not the identity's: handshakes run between devices). */
  me: Identity;
  /** Our relay session id (header src). */
  session(): number;
  /**
   * Sends `buf[0, length)` to this link's device on its active path (direct if one is
   * validated, else the relay; `link` undefined: the relay). Returns true when the buffer was
   * handed to the kernel at once and may be reused; false when it is still referenced (queued
   * for a busy socket, or not sent).
   */
  sendDatagram(buf: Buffer, length?: number, link?: PeerLink): boolean;
  /** Sends `buf[0, length)` to exactly `to` (a path challenge or response). */
  sendDatagramTo(buf: Buffer, length: number, to: PathAddress): boolean;
  /** A decrypted payload of frames from this peer; `from` is set when it came straight from the peer's address. */
  onFrames(link: PeerLink, frames: Frame[], from?: PathAddress): void;
  /** Delivery of one reliable-channel message from this peer. */
  onMessage(link: PeerLink, data: Buffer): void;
  /** The peer's client restarted (a new handshake replaced an established one). */
  onPeerRestart(link: PeerLink): void;
  onEstablished(link: PeerLink): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/**
 * Everything we keep about one device of a peer (or of ourselves): its relay session id (a
 * route, renumbered when the relay restarts), its tag and keys, the end-to-end session
 * (handshake, packet sealing with a fresh packet number per datagram, replay window), and the
 * reliable ordered channel for chat and control messages. One per device, as in Signal's and
 * Matrix's multi-device designs (docs/protocol.md "Members and devices").
 */
export class PeerLink {
  id: number;
  /** The device's keys (from KEY_INFO, certificate checked): handshakes run with these. */
  statics: PeerStatic | null = null;
  /** The member's identity keys the certificate names; the fingerprint is theirs. */
  identity: PeerStatic | null = null;
  fingerprint = '';
  /** The pinned fingerprint differs from the one the relay vouches for now. */
  keyChanged = false;
  private handshake: PeerHandshake | null = null;
  private keys: SessionKeys | null = null;
  private previousKeys: SessionKeys | null = null;
  private pnOut = 0;
  /** A packet sealed under the current keys came from the peer (it has them, and uses them). */
  private heardUnderKeys = false;
  private queued: Buffer[] = [];
  private helloTimer: NodeJS.Timeout | null = null;
  private helloDelay = HELLO_RESEND_INITIAL_MS;
  /** Re-armed only when the channel's deadline moves earlier: not a new timer per datagram. */
  private readonly channelTimer = new TimerDriver(
    () => this.channel.nextTimerAt(),
    () => this.channel.onTimer(),
    () => Date.now(),
  );
  readonly channel: ReliableChannel;
  broadcastIn: BroadcastIn | null = null;
  /** Broadcast bookkeeping for our own stream towards this peer. */
  senderKeyGiven = -1;
  /** Reusable output buffer of sealAndSend (null while the socket may still hold it). */
  private sendBuffer: Buffer | null = null;
  bcastStart = 0;
  bcastAcked = 0;
  bcastLastProgress = 0;
  closed = false;
  /** Largest datagram the path to this peer carries (probed once, see ChatClient). */
  datagramBytes: Promise<number> | null = null;
  /** Direct paths to this device and which one is active (null: relay only). See pathSet.ts. */
  paths: PathSet | null = null;
  private establishedWaiters: Array<() => void> = [];

  /**
   * @param nick the member's nickname
   * @param device the device's tag (hex; RosterEntry.device)
   * @param self a device of our own identity (it gets copies of what we send, not messages)
   */
  constructor(
    readonly nick: string,
    id: number,
    readonly device: string,
    readonly self: boolean,
    private readonly host: PeerLinkHost,
  ) {
    this.id = id;
    this.channel = this.makeChannel();
  }

  private makeChannel(): ReliableChannel {
    return new ReliableChannel({
      now: () => Date.now(),
      transmit: (frames) => this.sendFrames(frames),
      deliver: (data) => this.host.onMessage(this, data),
      maxPayloadBytes: DEFAULT_DATAGRAM_BYTES - SEALED_PREFIX_BYTES - AEAD_TAG_BYTES,
    });
  }

  get established(): boolean {
    return this.keys !== null;
  }

  /** The device's keys and its member's identity, from a certificate the caller checked. */
  setStatics(cert: DeviceCertificate): void {
    this.statics = { signPublic: cert.deviceSign, dhPublic: cert.deviceDh };
    this.identity = { signPublic: cert.identitySign, dhPublic: cert.identityDh };
    this.fingerprint = identityFingerprint(this.identity);
  }

  /** Starts (or restarts) the handshake; safe to call repeatedly. */
  connect(): void {
    if (!this.statics || this.handshake || this.closed) return;
    this.handshake = new PeerHandshake(this.host.me, this.statics.signPublic, this.statics.dhPublic, () => Date.now());
    this.sendHello(this.handshake.start());
    this.scheduleHelloResend();
  }

  /** Handshakes always go through the relay: a direct path is validated under their keys. */
  private sendHello(hello: Buffer): void {
    this.host.sendDatagram(datagram({ kind: Kind.PEER_HELLO, flags: 0, src: this.host.session(), dst: this.id }, hello));
  }

  private scheduleHelloResend(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = setTimeout(() => {
      this.helloTimer = null;
      const again = this.handshake?.needsResend();
      if (again && !this.closed) {
        this.sendHello(again);
        this.helloDelay = Math.min(this.helloDelay * 2, HELLO_RESEND_MAX_MS);
        this.scheduleHelloResend();
      }
    }, this.helloDelay);
    this.helloTimer.unref?.();
  }

  onHello(body: Buffer): void {
    const hello = decodePeerHello(body);
    if (!hello || !this.statics) return;
    if (!this.handshake) {
      this.handshake = new PeerHandshake(this.host.me, this.statics.signPublic, this.statics.dhPublic, () => Date.now());
      this.handshake.start();
    }
    const confirmedBefore = this.handshake.peerConfirmed();
    const r = this.handshake.onHello(hello);
    if (r.reply) this.sendHello(r.reply);
    if (r.established) this.install(r.established, confirmedBefore);
    else this.resendWhileNeeded();
  }

  /**
   * Keeps resending our hello while the handshake says we still need something from the peer
   * (no session on our ephemeral, or no proof the peer installed it: src/crypto/peerHandshake.ts),
   * whichever side started: a responder and a side that has just installed its keys are not
   * done either. One lost hello must not leave one side without keys for good.
   */
  private resendWhileNeeded(): void {
    if (this.helloTimer || this.closed || !this.handshake?.needsResend()) return;
    this.scheduleHelloResend();
  }

  /**
   * A new session. `oldConfirmed`: the peer had shown (in the handshake) that it installed the
   * session this one replaces.
   */
  private install(keys: SessionKeys, oldConfirmed = false): void {
    const replacing = this.keys !== null && this.keys.id !== keys.id;
    // Our first session, replaced before the peer ever showed it had it (no proof, nothing sealed
    // under it came back): the handshake converging after a lost or altered hello, not a peer that
    // started over. Nothing we sealed under it was opened, so the channel has not moved on either
    // side: keep it, and resend under the new keys at once.
    const neverUsed = replacing && this.previousKeys === null && !oldConfirmed && !this.heardUnderKeys;
    const restart = replacing && !neverUsed;
    this.previousKeys = this.keys;
    this.keys = keys;
    this.heardUnderKeys = false;
    this.pnOut = 0;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.helloDelay = HELLO_RESEND_INITIAL_MS;
    // Installed, but maybe without proof that the peer has these keys too: until it says so,
    // our hello (which now says "established") is resent.
    this.resendWhileNeeded();
    if (restart) {
      // The peer's client started over: its channel state is gone, so is ours for it (after the
      // host has seen what the old channel had delivered).
      this.host.onPeerRestart(this);
      this.channel.reset();
      this.broadcastIn = null;
      this.senderKeyGiven = -1;
      this.queued = [];
    } else if (neverUsed) {
      this.channel.pathChanged();
      this.armChannelTimer();
    }
    const queued = this.queued;
    this.queued = [];
    if (queued.length > 0) {
      this.channel.heldUntilNow();
      this.armChannelTimer();
    }
    for (const payload of queued) this.sealAndSend(payload);
    for (const w of this.establishedWaiters.splice(0)) w();
    this.host.onEstablished(this);
  }

  /** Resolves once the end-to-end session is up (at once if it is), or after `timeoutMs`. */
  whenEstablished(timeoutMs: number): Promise<boolean> {
    if (this.keys) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.establishedWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Encodes frames into one payload and sends it sealed (or queues it until established). */
  sendFrames(frames: Frame[]): void {
    this.sendPayload(encodeFrames(frames));
    this.armChannelTimer();
  }

  sendPayload(payload: Buffer, length = payload.length): void {
    if (this.closed) return;
    if (!this.keys) {
      if (this.queued.length < MAX_QUEUED_PAYLOADS) this.queued.push(Buffer.from(payload.subarray(0, length)));
      this.connect();
      return;
    }
    this.sealAndSend(payload, length);
  }

  /**
   * Seals frames and sends them to exactly `to`, whatever the active path (path validation).
   * Nothing is queued: without keys there is nothing to validate with.
   */
  sendFramesTo(frames: Frame[], to: PathAddress): void {
    if (this.closed || !this.keys) return;
    this.sealAndSend(encodeFrames(frames), undefined, to);
  }

  private sealAndSend(payload: Buffer, length = payload.length, to?: PathAddress): void {
    const keys = this.keys!;
    const pn = this.pnOut++;
    const size = SEALED_PREFIX_BYTES + length + AEAD_TAG_BYTES;
    // One output buffer, reused while the socket takes each datagram at once: a fresh 64 KB
    // buffer per file datagram was garbage that V8 collects only at its next GC (pauses that
    // every chat message behind them waited for).
    let out = this.sendBuffer;
    if (out === null || out.length < size) out = Buffer.allocUnsafe(Math.max(size, MIN_SEND_BUFFER_BYTES));
    this.sendBuffer = null;
    const header: Header = { kind: Kind.PEER_SEALED, flags: 0, src: this.host.session(), dst: this.id };
    const aad = writeSealedPrefix(out, header, keys.id, pn);
    keys.sealer.seal(pn, aad, length === payload.length ? payload : payload.subarray(0, length), out, SEALED_PREFIX_BYTES);
    const free = to ? this.host.sendDatagramTo(out, size, to) : this.host.sendDatagram(out, size, this);
    if (free) this.sendBuffer = out;
  }

  /**
   * Seals file chunks of one transfer a record at a time (docs/protocol.md, "Records"): one
   * nonce from this link's packet number space per record, one cipher object per record.
   */
  recordSealer(transferId: number, maxChunks: number): RecordSealer {
    return {
      maxChunks,
      seal: (chunks, data) => this.sealRecord(transferId, chunks, data),
      send: (record, index, pn) => this.sendRecordFragment(record as LinkRecord, index, pn),
    };
  }

  private sealRecord(transferId: number, chunks: readonly number[], data: readonly Buffer[]): LinkRecord {
    const keys = this.keys;
    const wireBytes = data.map((d, i) => RECORD_PREFIX_BYTES + d.length + (i === data.length - 1 ? AEAD_TAG_BYTES : 0));
    if (!keys || this.closed) {
      // No session (the peer restarted and the transfer is about to fail): nothing is sent.
      return { wireBytes, epoch: 0, record: -1, transferId, chunks: [], parts: [], tag: Buffer.alloc(0) };
    }
    const record = this.pnOut++;
    const copy = chunks.slice();
    const sealed = keys.sealer.sealParts(record, recordAad(keys.id, record, transferId, copy, data), data);
    return { wireBytes, epoch: keys.id, record, transferId, chunks: copy, parts: sealed.parts, tag: sealed.tag };
  }

  private sendRecordFragment(r: LinkRecord, index: number, pn: number): void {
    if (r.record < 0 || this.closed) return;
    const size = r.wireBytes[index];
    let out = this.sendBuffer;
    if (out === null || out.length < size) out = Buffer.allocUnsafe(Math.max(size, MIN_SEND_BUFFER_BYTES));
    this.sendBuffer = null;
    const last = index === r.parts.length - 1;
    writeRecordFragment(
      out,
      { kind: Kind.PEER_RECORD, flags: 0, src: this.host.session(), dst: this.id },
      {
        epoch: r.epoch,
        record: r.record,
        index,
        count: r.parts.length,
        transferId: r.transferId,
        pn,
        chunk: r.chunks[index],
        ciphertext: r.parts[index],
        tag: last ? r.tag : null,
      },
    );
    if (this.host.sendDatagram(out, size, this)) this.sendBuffer = out;
  }

  /**
   * Opens a complete record from this peer with the current keys, else the previous ones (a
   * record sealed just before a rekey). Null if it does not authenticate.
   */
  readonly openRecord: RecordOpener = (epoch, record, transferId, chunks, parts, tag) => {
    const aad = recordAad(epoch, record, transferId, chunks, parts);
    for (const k of [this.keys, this.previousKeys]) {
      if (!k) continue;
      const plain = k.opener.openParts(record, aad, parts, tag);
      if (plain) return plain;
    }
    return null;
  };

  /**
   * A PEER_SEALED datagram from this peer: authenticate, check replay, dispatch frames. `from`:
   * it came straight from that address (a direct path), not through the relay.
   */
  onSealed(p: SealedPacket, from?: PathAddress): boolean {
    // The epoch field is the sender's local key counter (informational); the keys that
    // authenticate the packet are the ones that count. Right after a rekey, packets sealed
    // under the previous keys may still be in flight, so those are tried second.
    let keys: SessionKeys | null = null;
    let plain: Buffer | null = null;
    for (const k of [this.keys, this.previousKeys]) {
      if (!k || !k.replay.wouldAccept(p.pn)) continue;
      plain = k.opener.open(p.pn, p.aad, p.sealed);
      if (plain) {
        keys = k;
        break;
      }
    }
    if (!keys || !plain) return false;
    keys.replay.commit(p.pn);
    if (keys === this.keys) this.heardUnderKeys = true;
    const frames = decodeFrames(plain);
    if (!frames) return false;
    this.host.onFrames(this, frames, from);
    this.armChannelTimer();
    return true;
  }

  /** The lane key of the current session (src/crypto/laneAuth.ts), or null before keys exist. */
  laneKey(): Buffer | null {
    return this.closed ? null : (this.keys?.laneKey ?? null);
  }

  /** Lane keys a lane from this device may prove: the current session's, then the previous one's. */
  laneKeys(): Buffer[] {
    if (this.closed) return [];
    return [this.keys, this.previousKeys].filter((k): k is SessionKeys => k !== null).map((k) => k.laneKey);
  }

  /** Drives the reliable channel's retransmission and delayed-ack timer. */
  armChannelTimer(): void {
    if (this.closed) return;
    this.channelTimer.poke();
  }

  close(): void {
    this.closed = true;
    this.paths?.close();
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.channelTimer.stop();
  }
}
