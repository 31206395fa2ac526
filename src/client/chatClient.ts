import { Identity } from '../crypto/identity';
import { identityFingerprint } from './fingerprints';
import { SenderKeyIn, SenderKeyOut } from '../crypto/senderKey';
import { ControlType, HOLD_TAG_BYTES, MAX_HOLD_TAGS, decodeControl, encodeControl } from '../protocol/controlMessages';
import { createHash } from 'node:crypto';
import { ErrorCode, ERROR_HINTS, PeerChatError } from '../protocol/errors';
import { Header, Kind, isPeerKind } from '../protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DST_BROADCAST, MAX_CHAT_BYTES } from '../protocol/limits';
import { nicknameKey, checkNickname } from '../protocol/nickname';
import {
  BROADCAST_SIGNATURE_BYTES,
  ClientFrame,
  SEALED_PREFIX_BYTES,
  decodeBroadcastAck,
  encodeBroadcastAck,
  readBroadcastPacket,
  readRecordFragment,
  readSealedPacket,
  signBroadcast,
  writeSealedPrefix,
} from '../protocol/peerPackets';
import { Frame } from '../transport/frames';
import { DatagramSizeProber } from '../transport/datagramSizeProbe';
import { probeAckFor } from '../transport/transferReceiver';
import { performance } from 'node:perf_hooks';
import { TimerDriver } from './timerDriver';
import { ClientEvents, ConnectionState } from './events';
import { FileTransfers } from './fileTransfers';
import { PeerLink, PeerLinkHost } from './peerLink';
import { PeerInfo, RelayConnection } from './relayConnection';
import { TypedEmitter } from './typedEmitter';
import { AEAD_TAG_BYTES } from '../crypto/aead';

/** Where peers' key fingerprints are pinned (first use), keyed by nickname key. */
export interface PinStore {
  get(nickKey: string): string | undefined;
  set(nickKey: string, fingerprint: string): void;
}

export interface ChatClientOptions {
  relay: { host: string; port: number };
  nick: string;
  identity: Identity;
  downloadDir: string;
  /** Folders peers may request files from; empty = every request is refused. */
  shareDirs?: string[];
  acceptFiles?: 'ask' | 'always';
  allowRequests?: 'ask' | 'always';
  /** Offers larger than this are declined with FILE_TOO_LARGE. */
  maxIncomingBytes?: number;
  secret?: string;
  pins?: PinStore;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** Default cap on an incoming file: large enough for real work, small enough to stop accidents. */
export const DEFAULT_MAX_INCOMING_BYTES = 64 * 1024 ** 3;
/** Broadcast retransmission check interval and per-peer timeout (ms). */
const BROADCAST_RETRY_TICK_MS = 100;
const BROADCAST_RTO_MS = 300;
/** Sent broadcasts kept for retransmission; beyond this the oldest are given up on. */
const BROADCAST_OUTBOX_MAX = 4_096;
/** Broadcasts buffered per sender before their sender key (or their turn) arrives. */
const BROADCAST_EARLY_MAX = 256;
/** Longest a file offer waits for the session and the datagram size probe (ms). */
const PROBE_WAIT_MS = 3_000;
/** Largest datagram size a probe or PEERCHAT_DATAGRAM_BYTES may pick (UDP over IPv4 tops out at 65,507). */
const MAX_PROBE_DATAGRAM_BYTES = 65_000;
/** Acks for broadcasts wait this long (ms) to cover several at once. */
const BROADCAST_ACK_DELAY_MS = 5;
/**
 * Pause before asking the relay again for the keys of a peer still in the roster after a lookup
 * went unanswered (ms): one KEY_REQ per pause while the roster catches up with a peer that left.
 */
const KEYS_RETRY_MS = 2_000;

/**
 * What arrives over a peer's reliable channel and must wait its turn: a private message waits
 * for the sender's broadcasts sent before it; a barrier releases a broadcast that was held for us.
 */
type HeldItem = { kind: 'chat'; bcastNext: number; text: string } | { kind: 'barrier'; seq: number };

interface LinkExtras {
  held: HeldItem[];
  /** Broadcasts of this peer held for us may be delivered up to and including this seq. */
  barrier: number;
  /** Broadcast datagrams that came before this peer's sender key. */
  stash: Map<number, Buffer>;
  ackTimer: NodeJS.Timeout | null;
}

/**
 * The chat client: registers with the relay, keeps end-to-end sessions with peers, delivers
 * broadcasts and private messages exactly once and in order, and moves files. Used unchanged
 * by the terminal client and the VS Code extension. Never imports `vscode`.
 */
export class ChatClient extends TypedEmitter<ClientEvents> implements PeerLinkHost {
  private relay: RelayConnection | null = null;
  private readonly links = new Map<string, PeerLink>(); // by nickname key
  private readonly extras = new WeakMap<PeerLink, LinkExtras>();
  private readonly transfers: FileTransfers;
  /** Peers with private messages from us not yet acknowledged (see sendBroadcastNow). */
  private readonly privatesInFlight = new Set<PeerLink>();
  private senderKey: SenderKeyOut | null = null;
  /** Someone left since the sender key was made: use a new one so they read nothing new. */
  private senderKeyStale = false;
  private bcastSeq = 0;
  private readonly outbox = new Map<number, Buffer>();
  private bcastTimer: NodeJS.Timeout | null = null;
  private currentState: ConnectionState = 'connecting';
  /**
   * Broadcast datagrams dropped, by reason: not signed by the sender key's owner (forged by
   * another member, or damaged on the way), or signed but undecryptable. Never delivered.
   */
  readonly rejectedBroadcasts = { badSignature: 0, badCiphertext: 0 };
  readonly me: Identity;
  readonly fingerprint: string;
  private readonly opts: Required<Omit<ChatClientOptions, 'secret' | 'pins' | 'log'>> & ChatClientOptions;

  constructor(opts: ChatClientOptions) {
    super();
    this.opts = {
      shareDirs: [],
      acceptFiles: 'ask',
      allowRequests: 'ask',
      maxIncomingBytes: DEFAULT_MAX_INCOMING_BYTES,
      ...opts,
    } as ChatClient['opts'];
    this.me = opts.identity;
    this.fingerprint = identityFingerprint(opts.identity);
    this.transfers = new FileTransfers({
      link: (nick) => this.links.get(nicknameKey(nick)),
      ensureLink: (nick) => this.ensureLink(nick),
      pathDatagramBytes: (link) => this.pathDatagramBytes(link),
      emit: (name, payload) => this.emit(name, payload),
      log: (level, message) => this.log(level, message),
      recvBufferBytes: () => this.relay?.recvBufferBytes ?? 0,
      options: {
        downloadDir: this.opts.downloadDir,
        shareDirs: this.opts.shareDirs,
        acceptFiles: this.opts.acceptFiles,
        allowRequests: this.opts.allowRequests,
        maxIncomingBytes: this.opts.maxIncomingBytes,
      },
    });
  }

  get nick(): string {
    return this.relay?.nick ?? this.opts.nick;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Connects and registers; resolves once the relay accepted the nickname. */
  async start(): Promise<void> {
    const check = checkNickname(this.opts.nick);
    if (!check.ok) throw new PeerChatError('NICK_INVALID', `"${this.opts.nick}" is not a valid nickname: ${check.reason}`);
    const relay = await RelayConnection.open({
      relay: this.opts.relay,
      nick: check.display,
      identity: this.me,
      secret: this.opts.secret,
      log: this.opts.log,
    });
    this.relay = relay;
    relay.on('state', ({ state }) => {
      this.currentState = state;
      this.emit('state', { state });
    });
    relay.on('registered', ({ nick }) => this.emit('registered', { nick, fingerprint: this.fingerprint }));
    relay.on('roster', ({ peers }) => this.onRoster(peers));
    relay.on('presence', ({ peer, online }) => this.onPresence(peer, online));
    relay.on('error', (e) => this.onRelayError(e.code, e.message, e.refKind, e.refId));
    relay.on('peer', ({ header, datagram }) => this.onPeerDatagram(header, datagram));
    await relay.register();
  }

  /** The local UDP address this client sends from. */
  localAddress(): { host: string; port: number } | null {
    return this.relay?.localAddress() ?? null;
  }

  /** Nicknames of everyone else online. */
  online(): string[] {
    return (this.relay?.peers() ?? []).map((p) => p.nick).sort((a, b) => a.localeCompare(b));
  }

  // ---- chat ----------------------------------------------------------------------------

  broadcast(text: string): void {
    this.checkText(text);
    this.sendBroadcastNow(text);
  }

  sendPrivate(to: string, text: string): void {
    this.checkText(text);
    const link = this.linkFor(to);
    if (!link) throw new PeerChatError('UNKNOWN_PEER', `No one called ${to.replace(/^@/, '')} is online. Use /who to see who is.`);
    // bcastNext: how many broadcasts we sent before this message; the peer delivers it only
    // after those, so it never sees this private message overtake an earlier broadcast.
    link.channel.send(encodeControl({ type: ControlType.CHAT, bcastKeyId: this.senderKey?.keyId ?? 0, bcastNext: this.bcastSeq, text }));
    link.armChannelTimer();
    this.privatesInFlight.add(link);
    this.emit('message-sent', { to: link.nick, text, time: Date.now() });
  }

  private checkText(text: string): void {
    if (!this.relay?.registered) throw new PeerChatError('NOT_REGISTERED');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_CHAT_BYTES) {
      throw new PeerChatError('MESSAGE_TOO_LONG', `Message is ${bytes} bytes; the limit is ${MAX_CHAT_BYTES}. Send it as a file instead.`);
    }
  }

  private sendBroadcastNow(text: string): void {
    const relay = this.relay!;
    // Rotate only once every peer has acknowledged the old key's broadcasts: retransmissions
    // of those still need it.
    if (this.senderKeyStale && !this.broadcastsPending()) {
      this.senderKey = null;
      this.senderKeyStale = false;
      this.outbox.clear();
    }
    if (!this.senderKey) this.senderKey = new SenderKeyOut(this.me.signPublic);
    const key = this.senderKey;
    const seq = this.bcastSeq++;
    // Every peer online now gets our sender key first (over its reliable channel), and is
    // expected to acknowledge our broadcasts from this one on.
    for (const peer of relay.peers()) {
      const link = this.linkFor(peer.nick);
      if (!link || link.senderKeyGiven === key.keyId) continue;
      link.senderKeyGiven = key.keyId;
      link.bcastStart = seq;
      link.bcastAcked = seq;
      link.bcastLastProgress = Date.now();
      link.channel.send(encodeControl({ type: ControlType.SENDER_KEY, blob: key.encodeForDistribution(), nextSeq: seq }));
      link.armChannelTimer();
    }
    // Peers that still have private messages from us in flight must not deliver this
    // broadcast before them: they hold it until a barrier that follows those messages on
    // their (ordered) channel.
    const holders: PeerLink[] = [];
    for (const l of this.privatesInFlight) {
      if (l.closed || l.channel.unacked === 0) this.privatesInFlight.delete(l);
      else if (holders.length < MAX_HOLD_TAGS) holders.push(l);
    }
    const plain = encodeControl({ type: ControlType.BROADCAST_CHAT, hold: holders.map((l) => holdTag(l.nick)), text });
    const out = Buffer.allocUnsafe(SEALED_PREFIX_BYTES + plain.length + AEAD_TAG_BYTES + BROADCAST_SIGNATURE_BYTES);
    const aad = writeSealedPrefix(out, { kind: Kind.PEER_BROADCAST, flags: 0, src: relay.session, dst: DST_BROADCAST }, key.keyId, seq);
    key.seal(seq, aad, plain, out, SEALED_PREFIX_BYTES);
    signBroadcast(out, (signed) => key.sign(signed)); // src/dst are not signed: resends below rewrite them
    this.outbox.set(seq, out);
    if (this.outbox.size > BROADCAST_OUTBOX_MAX) this.outbox.delete(this.outbox.keys().next().value as number);
    relay.send(out);
    for (const l of holders) {
      l.channel.send(encodeControl({ type: ControlType.BCAST_BARRIER, keyId: key.keyId, seq }));
      l.armChannelTimer();
    }
    this.emit('message-sent', { text, time: Date.now() });
    this.armBroadcastTimer();
  }

  private armBroadcastTimer(): void {
    if (this.bcastTimer) return;
    this.bcastTimer = setTimeout(() => {
      this.bcastTimer = null;
      this.retransmitBroadcasts();
    }, BROADCAST_RETRY_TICK_MS);
  }

  private broadcastsPending(): boolean {
    const key = this.senderKey;
    if (!key) return false;
    for (const l of this.links.values()) {
      if (!l.closed && l.senderKeyGiven === key.keyId && l.bcastAcked < this.bcastSeq) return true;
    }
    return false;
  }

  /** Resends, to each peer that has not acknowledged them, the broadcasts it is missing. */
  private retransmitBroadcasts(): void {
    const key = this.senderKey;
    if (!key || !this.relay) return;
    const now = Date.now();
    let pending = false;
    let oldestNeeded = this.bcastSeq;
    for (const link of this.links.values()) {
      if (link.closed || link.senderKeyGiven !== key.keyId || link.bcastAcked >= this.bcastSeq) continue;
      pending = true;
      oldestNeeded = Math.min(oldestNeeded, link.bcastAcked);
      if (now - link.bcastLastProgress < BROADCAST_RTO_MS || !link.established) continue;
      link.bcastLastProgress = now;
      for (let s = link.bcastAcked; s < this.bcastSeq && s < link.bcastAcked + 64; s++) {
        const d = this.outbox.get(s);
        if (!d) continue;
        const copy = Buffer.from(d);
        copy.writeUInt32BE(link.id >>> 0, 8); // unicast to this peer; dst is not authenticated
        copy.writeUInt32BE(this.relay.session >>> 0, 4);
        this.relay.send(copy);
      }
    }
    for (const s of this.outbox.keys()) {
      if (s >= oldestNeeded) break;
      this.outbox.delete(s);
    }
    if (pending) this.armBroadcastTimer();
  }

  // ---- peers ---------------------------------------------------------------------------

  private findPeer(nick: string): PeerInfo | undefined {
    const key = nicknameKey(nick.replace(/^@/, ''));
    return this.relay?.peers().find((p) => nicknameKey(p.nick) === key);
  }

  /** The link for an online peer, created (and its keys fetched) on first use. */
  private linkFor(nick: string): PeerLink | undefined {
    const peer = this.findPeer(nick);
    if (!peer) return undefined;
    return this.linkForPeer(peer);
  }

  private linkForPeer(peer: PeerInfo): PeerLink {
    const key = nicknameKey(peer.nick);
    let link = this.links.get(key);
    if (link && !link.closed) {
      link.id = peer.id;
      return link;
    }
    link = new PeerLink(peer.nick, peer.id, this);
    this.links.set(key, link);
    this.extras.set(link, { held: [], barrier: -1, stash: new Map(), ackTimer: null });
    void this.fetchStatics(link);
    return link;
  }

  private readonly staticsWaiters = new Map<PeerLink, Promise<boolean>>();
  private readonly probers = new Map<PeerLink, DatagramSizeProber>();

  /**
   * The datagram size for file data to this peer: the largest a probe got through (RFC 8899
   * style, once per peer), 1200 bytes if the probe fails or takes too long.
   * PEERCHAT_DATAGRAM_BYTES forces a size (for benchmarks and troubleshooting).
   */
  pathDatagramBytes(link: PeerLink): Promise<number> {
    const forced = Number(process.env.PEERCHAT_DATAGRAM_BYTES);
    if (forced >= DEFAULT_DATAGRAM_BYTES && forced <= MAX_PROBE_DATAGRAM_BYTES) return Promise.resolve(Math.floor(forced));
    if (link.datagramBytes) return link.datagramBytes;
    const probed = (async (): Promise<number> => {
      if (!(await link.whenEstablished(PROBE_WAIT_MS))) return DEFAULT_DATAGRAM_BYTES;
      return new Promise<number>((resolve) => {
        let driver: TimerDriver | null = null;
        const finish = (size: number) => {
          driver?.stop();
          this.probers.delete(link);
          clearTimeout(giveUp);
          resolve(size);
        };
        const prober = new DatagramSizeProber({
          transferId: 0,
          now: () => performance.now(),
          transmit: (frames) => link.sendFrames(frames),
          onDone: (size) => finish(size),
        });
        const giveUp = setTimeout(() => finish(prober.size), PROBE_WAIT_MS);
        this.probers.set(link, prober);
        driver = new TimerDriver(() => prober.nextTimerAt(), () => prober.onTimer());
        prober.start();
        driver.poke();
      }).then((size) => {
        this.log('debug', `path to ${link.nick} carries ${size}-byte datagrams`);
        return size;
      });
    })();
    link.datagramBytes = probed;
    return probed;
  }

  /** Asks the relay for the peer's keys, checks them against the pin, starts the handshake. */
  private fetchStatics(link: PeerLink): Promise<boolean> {
    if (link.statics) return Promise.resolve(true);
    let p = this.staticsWaiters.get(link);
    if (p) return p;
    p = (async () => {
      const keys = await this.relay!.requestKeys(link.id);
      this.staticsWaiters.delete(link);
      if (!keys) {
        // requestKeys gives up after 8 KEY_REQs without an answer: p = 0.36^8 ≈ 3e-4 at 20 %
        // loss each way. Without the keys there is no handshake, and what we queued for this
        // peer would wait for good unless it wrote first: a peer still in the roster is asked
        // again. (Those waiting now hear false, as before: ensureLink's caller gets its error.)
        if (!link.closed && this.relay?.peerById(link.id)) setTimeout(() => void this.fetchStatics(link), KEYS_RETRY_MS).unref();
        return false;
      }
      if (nicknameKey(keys.nick) !== nicknameKey(link.nick)) return false;
      link.setStatics(keys);
      const pinKey = nicknameKey(link.nick);
      const pinned = this.opts.pins?.get(pinKey);
      if (pinned === undefined) this.opts.pins?.set(pinKey, link.fingerprint);
      else if (pinned !== link.fingerprint) {
        link.keyChanged = true;
        this.emit('peer-key-changed', { nick: link.nick, oldFingerprint: pinned, newFingerprint: link.fingerprint });
      }
      link.connect();
      return true;
    })();
    this.staticsWaiters.set(link, p);
    return p;
  }

  /** For file transfers: the peer's link with its keys known; UNKNOWN_PEER otherwise. */
  async ensureLink(nick: string): Promise<PeerLink> {
    if (!this.relay?.registered) throw new PeerChatError('NOT_REGISTERED');
    const link = this.linkFor(nick);
    if (!link) throw new PeerChatError('UNKNOWN_PEER', `No one called ${nick} is online. Use /who to see who is.`);
    if (!(await this.fetchStatics(link))) throw new PeerChatError('UNKNOWN_PEER', `${nick} is no longer online.`);
    return link;
  }

  /** Accepts a peer's changed key (after checking its fingerprint out of band). */
  trustPeer(nick: string): void {
    const link = this.links.get(nicknameKey(nick));
    if (!link?.statics) throw new PeerChatError('UNKNOWN_PEER');
    this.opts.pins?.set(nicknameKey(nick), link.fingerprint);
    link.keyChanged = false;
  }

  async whois(nick: string): Promise<{ nick: string; fingerprint: string }> {
    const peer = this.findPeer(nick);
    if (!peer) {
      if (nicknameKey(nick) === nicknameKey(this.nick)) return { nick: this.nick, fingerprint: this.fingerprint };
      throw new PeerChatError('UNKNOWN_PEER', `No one called ${nick} is online.`);
    }
    const link = await this.ensureLink(peer.nick);
    return { nick: link.nick, fingerprint: link.fingerprint };
  }

  private linkById(id: number): PeerLink | undefined {
    const peer = this.relay?.peerById(id);
    if (peer) return this.linkForPeer(peer);
    for (const l of this.links.values()) if (l.id === id && !l.closed) return l;
    return undefined;
  }

  private onRoster(peers: PeerInfo[]): void {
    for (const p of peers) {
      const link = this.links.get(nicknameKey(p.nick));
      if (link) link.id = p.id; // the relay may have renumbered us all after a restart
    }
    this.emit('roster', { nicks: this.online() });
  }

  private onPresence(peer: PeerInfo, online: boolean): void {
    const key = nicknameKey(peer.nick);
    const link = this.links.get(key);
    if (online) {
      if (link) link.id = peer.id;
    } else if (link) {
      if (this.senderKey && link.senderKeyGiven === this.senderKey.keyId) this.senderKeyStale = true;
      link.close();
      this.links.delete(key);
      this.privatesInFlight.delete(link);
      this.transfers.peerGone(link.nick, 'PEER_LEFT', `${link.nick} left the chat.`);
    }
    this.emit('presence', { nick: peer.nick, online });
  }

  private onRelayError(code: ErrorCode, message: string, refKind: number, refId: number): void {
    if (code === 'UNKNOWN_PEER' && isPeerKind(refKind)) {
      const link = [...this.links.values()].find((l) => l.id === refId);
      const who = link?.nick ?? 'That peer';
      // Only worth telling the user about once per link; retransmissions would repeat it.
      if (link && !link.closed) {
        link.close();
        this.links.delete(nicknameKey(link.nick));
        this.transfers.peerGone(link.nick, 'PEER_LEFT', `${who} is no longer online.`);
        this.emit('error', { code, message: `${who} is no longer online.` });
      }
      return;
    }
    if (code === 'UNKNOWN_PEER') return; // a key lookup; the caller handles it
    this.emit('error', { code, message: message || ERROR_HINTS[code] });
  }

  // ---- incoming peer datagrams ---------------------------------------------------------

  private onPeerDatagram(header: Header, buf: Buffer): void {
    const link = this.linkById(header.src);
    if (!link) return;
    switch (header.kind) {
      case Kind.PEER_HELLO:
        if (link.statics) link.onHello(buf.subarray(12));
        else void this.fetchStatics(link).then((ok) => ok && link.onHello(buf.subarray(12)));
        break;
      case Kind.PEER_SEALED: {
        const p = readSealedPacket(buf);
        if (p) link.onSealed(p);
        break;
      }
      case Kind.PEER_BROADCAST:
        this.onBroadcastDatagram(link, buf);
        break;
      case Kind.PEER_RECORD: {
        const f = readRecordFragment(buf);
        if (f) this.transfers.onRecordFragment(link, f);
        break;
      }
      default:
        break;
    }
  }

  onFrames(link: PeerLink, frames: Frame[]): void {
    for (const f of frames) {
      switch (f.type) {
        case 'msg':
        case 'msgAck':
          link.channel.onFrame(f);
          break;
        case 'xferData':
          this.transfers.onData(link, f);
          break;
        case 'xferAck':
          this.transfers.onAck(link, f);
          break;
        case 'opaque':
          if (f.code === ClientFrame.BCAST_ACK) this.onBroadcastAck(link, f.body);
          break;
        case 'xferProbe':
          // A size probe arrives alone in its datagram; its size is the one the path carried.
          if (frames.length === 1) link.sendFrames([probeAckFor(f)]);
          break;
        case 'xferProbeAck':
          this.probers.get(link)?.onProbeAck(f);
          break;
        default:
          break;
      }
    }
    if (this.privatesInFlight.has(link) && link.channel.unacked === 0) this.privatesInFlight.delete(link);
  }

  onMessage(link: PeerLink, data: Buffer): void {
    const m = decodeControl(data);
    if (!m) {
      this.log('warn', `undecodable message from ${link.nick}`);
      return;
    }
    switch (m.type) {
      case ControlType.CHAT: {
        const bi = link.broadcastIn;
        // Broadcasts under another key (or none yet) were not meant for us: nothing to wait for.
        const wait = bi !== null && bi.key.keyId === m.bcastKeyId ? m.bcastNext : 0;
        this.extras.get(link)!.held.push({ kind: 'chat', bcastNext: wait, text: m.text });
        this.advance(link);
        break;
      }
      case ControlType.BCAST_BARRIER: {
        if (link.broadcastIn?.key.keyId !== m.keyId) break;
        this.extras.get(link)!.held.push({ kind: 'barrier', seq: m.seq });
        this.advance(link);
        break;
      }
      case ControlType.SENDER_KEY: {
        // Bound to the identity of the peer whose authenticated channel carried it: only
        // broadcasts signed by this key's owner will be accepted under this peer's name.
        const key = link.statics ? SenderKeyIn.decode(m.blob, link.statics.signPublic) : null;
        if (!key) break;
        link.broadcastIn = { key, next: m.nextSeq, early: new Map() };
        const ex = this.extras.get(link)!;
        const stashed = [...ex.stash.values()];
        ex.stash.clear();
        for (const d of stashed) this.onBroadcastDatagram(link, d);
        this.advance(link);
        break;
      }
      case ControlType.BROADCAST_CHAT:
        break; // only valid inside a PEER_BROADCAST
      default:
        this.transfers.onControl(link, m);
    }
  }

  private onBroadcastDatagram(link: PeerLink, buf: Buffer): void {
    const p = readBroadcastPacket(buf);
    if (!p) return;
    const bi = link.broadcastIn;
    const ex = this.extras.get(link)!;
    if (!bi || bi.key.keyId !== p.keyId) {
      if (ex.stash.size < BROADCAST_EARLY_MAX) ex.stash.set(p.pn, Buffer.from(buf));
      if (!link.statics) void this.fetchStatics(link);
      else link.connect();
      return;
    }
    if (p.pn >= bi.next && !bi.early.has(p.pn) && p.pn < bi.next + BROADCAST_EARLY_MAX) {
      // Signature first: nothing another member forged is decrypted, delivered, or moves the window.
      const r = bi.key.open({ seq: p.pn, aad: p.aad, sealed: p.sealed, signed: p.signed, signature: p.signature });
      if (!r.ok) {
        if (r.reason === 'signature') this.rejectedBroadcasts.badSignature++;
        else if (r.reason === 'decrypt') this.rejectedBroadcasts.badCiphertext++;
        if (r.reason !== 'replay') this.log('warn', `dropped a broadcast from ${link.nick} (seq ${p.pn}): ${r.reason === 'signature' ? 'bad signature' : 'undecryptable'}`);
        return;
      }
      bi.early.set(p.pn, r.plaintext);
      this.advance(link);
    }
    this.scheduleBroadcastAck(link);
  }

  /**
   * Delivers what has become deliverable from this peer, in its send order: broadcasts in
   * sequence (one held for us waits for its barrier), and channel items (private messages
   * wait for the broadcasts sent before them; barriers release held broadcasts).
   */
  private advance(link: PeerLink): void {
    const ex = this.extras.get(link)!;
    for (let progress = true; progress; ) {
      progress = false;
      const bi = link.broadcastIn;
      while (bi && bi.early.has(bi.next)) {
        const m = decodeControl(bi.early.get(bi.next)!);
        const mine = holdTag(this.nick);
        const heldForMe = m?.type === ControlType.BROADCAST_CHAT && m.hold.some((t) => t.equals(mine));
        if (heldForMe && ex.barrier < bi.next) break;
        bi.early.delete(bi.next);
        bi.next++;
        progress = true;
        if (m?.type === ControlType.BROADCAST_CHAT) {
          this.emit('message', { from: link.nick, text: m.text, private: false, time: Date.now() });
        }
      }
      while (ex.held.length > 0) {
        const h = ex.held[0];
        if (h.kind === 'chat') {
          if (bi && bi.next < h.bcastNext) break;
          this.emit('message', { from: link.nick, text: h.text, private: true, to: this.nick, time: Date.now() });
        } else {
          ex.barrier = Math.max(ex.barrier, h.seq);
        }
        ex.held.shift();
        progress = true;
      }
    }
  }

  private scheduleBroadcastAck(link: PeerLink): void {
    const ex = this.extras.get(link)!;
    if (ex.ackTimer) return;
    ex.ackTimer = setTimeout(() => {
      ex.ackTimer = null;
      const bi = link.broadcastIn;
      if (!bi || link.closed) return;
      link.sendFrames([{ type: 'opaque', code: ClientFrame.BCAST_ACK, body: encodeBroadcastAck({ keyId: bi.key.keyId, next: bi.next }) }]);
    }, BROADCAST_ACK_DELAY_MS);
  }

  private onBroadcastAck(link: PeerLink, body: Buffer): void {
    const a = decodeBroadcastAck(body);
    if (!a || !this.senderKey || a.keyId !== this.senderKey.keyId) return;
    if (a.next > link.bcastAcked && a.next <= this.bcastSeq) {
      link.bcastAcked = a.next;
      link.bcastLastProgress = Date.now();
    }
  }

  onPeerRestart(link: PeerLink): void {
    this.transfers.peerGone(link.nick, 'PEER_LEFT', `${link.nick} restarted; send the file again to resume.`);
    const ex = this.extras.get(link);
    if (ex) ex.held = [];
  }

  onEstablished(link: PeerLink): void {
    this.log('debug', `secure session with ${link.nick} (${link.fingerprint})`);
  }

  session(): number {
    return this.relay?.session ?? 0;
  }

  sendDatagram(buf: Buffer, length?: number): boolean {
    return this.relay?.send(buf, length) ?? false;
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }

  // ---- files ---------------------------------------------------------------------------

  sendFile(to: string, path: string): Promise<string> {
    return this.transfers.sendFile(to, path);
  }

  requestFile(to: string, name: string, opts: { saveDir?: string } = {}): Promise<string> {
    return this.transfers.requestFile(to, name, opts.saveDir);
  }

  accept(id: string, opts: { saveDir?: string } = {}): Promise<void> {
    return this.transfers.accept(id, opts.saveDir);
  }

  decline(id: string): void {
    this.transfers.decline(id);
  }

  cancel(id: string): void {
    this.transfers.cancel(id);
  }

  // ---- leaving -------------------------------------------------------------------------

  async leave(): Promise<void> {
    if (this.currentState === 'left') return;
    this.transfers.close();
    // Give the cancel messages a moment to go out before the socket closes.
    await new Promise((r) => setTimeout(r, 50));
    if (this.bcastTimer) clearTimeout(this.bcastTimer);
    for (const l of this.links.values()) l.close();
    this.links.clear();
    await this.relay?.leave();
    this.currentState = 'left';
    this.emit('left', {});
  }
}


/**
 * A peer's tag in broadcast hold lists: the first bytes of SHA-256 of its nickname key (unique
 * on the relay, known before the peer's keys are, and stable across relay restarts).
 */
function holdTag(nick: string): Buffer {
  return createHash('sha256').update(nicknameKey(nick)).digest().subarray(0, HOLD_TAG_BYTES);
}
