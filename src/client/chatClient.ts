import * as os from 'node:os';
import { Identity } from '../crypto/identity';
import { checkDeviceCertificate, Device, newDevice } from '../crypto/deviceCertificate';
import { identityFingerprint } from './fingerprints';
import { SenderKeyIn, SenderKeyOut } from '../crypto/senderKey';
import { ControlType, HOLD_TAG_BYTES, MAX_HOLD_TAGS, decodeControl, encodeControl } from '../protocol/controlMessages';
import { createHash } from 'node:crypto';
import { ErrorCode, ERROR_HINTS, PeerChatError } from '../protocol/errors';
import { Header, Kind, isPeerKind } from '../protocol/header';
import { DEFAULT_DATAGRAM_BYTES, DEVICE_TAG_BYTES, DST_BROADCAST, MAX_MESSAGE_TEXT_BYTES } from '../protocol/limits';
import { PartAssembler, splitMessage } from '../protocol/messageParts';
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
import { DatagramSizeProbe, DatagramSizeProber } from '../transport/datagramSizeProbe';
import { probeAckFor } from '../transport/transferReceiver';
import { performance } from 'node:perf_hooks';
import { TimerDriver } from './timerDriver';
import { ClientEvents, ConnectionState, MemberInfo, PathInfo } from './events';
import { DeliveryOutcome, DeliveryTarget, DeliveryTracker } from './deliveryTracker';
import type { ActivePath, PathAddress } from '../transport/pathSet';
import { DirectPaths } from './directPaths';
import { FileTransfers } from './fileTransfers';
import { LaneManager } from './laneManager';
import { TransferJobs } from './transferJobs';
import { promises as fsp } from 'node:fs';
import { PeerLink, PeerLinkHost } from './peerLink';
import { PeerInfo, PeerKeys, RelayConnection } from './relayConnection';
import { TypedEmitter } from './typedEmitter';
import { AEAD_TAG_BYTES } from '../crypto/aead';
import type { CodeSnippet } from '../shared/codeLink';
import {
  ChatBody,
  broadcastByChannel,
  checkSnippetToSend,
  describeBody,
  emitReceived,
  emitSent,
  encodeChannelBroadcast,
  encodeCopy,
  encodePrivate,
  heldSnippet,
  snippetFields,
} from './snippets';

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
  /**
   * Try direct paths to peers (default true): candidates are exchanged over the end-to-end
   * channel and validated (docs/protocol.md "Direct paths"). false: nothing is sent direct and
   * no candidates are given out (the terminal's --relay-only, the setting peerchat.directConnections).
   */
  directConnections?: boolean;
  /**
   * Send large files over TCP stream lanes where one opens (default true): straight to the peer
   * on a validated direct path, else spliced by the relay's transit port (docs/protocol.md
   * "Stream lanes"). false: file data only as datagrams (the terminal's --udp-only).
   */
  streamLanes?: boolean;
  /**
   * TCP lanes opened to one device, drawing from one queue of reads (default 2,
   * laneManager.ts LANES_PER_DEVICE): while one waits out a retransmission timeout on a lossy
   * path, the other keeps the file moving.
   */
  lanesPerDevice?: number;
  /**
   * Hash incoming files of 4 MiB or more on a worker thread (src/client/hashWorker.ts). Default:
   * when the machine has more than one core. It frees the receiving thread, which limits a
   * direct transfer (+9-11 % on the 1500-MTU lab, both ends on one 2-core machine); where no core
   * is free (five busy processes on two cores, bench/transfer.mjs at 1200 B) it cost 2-4 %.
   */
  hashThread?: boolean;
  pins?: PinStore;
  /** Free bytes in a download folder (default fs.statfs); a seam for tests. */
  freeSpace?: (dir: string) => Promise<number | undefined>;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** Cores this process may use (os.availableParallelism is missing before Node 18.14). */
function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
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
/** Messages that wait to be sent (relay away, roster on its way) are announced after this long (ms). */
const WAITING_NOTICE_MS = 2_000;
/** Sessions not (yet) in our roster whose datagrams we keep while their keys are fetched, and datagrams per session. */
const UNKNOWN_SESSIONS_MAX = 64;
const UNKNOWN_SESSION_DATAGRAMS_MAX = 32;
/**
 * Leaving waits up to this long (ms) for what was typed to be delivered: `exit` typed right
 * after a message (a script piping lines in) must not cut it off. A first message to a device
 * takes a key lookup, a handshake and the message itself: four round trips, 1.6 s at 200 ms.
 */
const LEAVE_DRAIN_MS = 5_000;
/**
 * Pause before asking the relay again for the keys of a peer still in the roster after a lookup
 * went unanswered (ms): one KEY_REQ per pause while the roster catches up with a peer that left.
 */
const KEYS_RETRY_MS = 2_000;

/**
 * What arrives over a peer's reliable channel and must wait its turn: a private message waits
 * for the sender's broadcasts sent before it; a barrier releases a broadcast that was held for us.
 */
type HeldItem =
  | { kind: 'chat'; bcastNext: number; body: ChatBody; copyTo?: string }
  | { kind: 'barrier'; seq: number }
  /** The body of a broadcast sent by channel (BCAST_TEXT, SNIPPET); also releases it, like a barrier. */
  | { kind: 'bcastText'; seq: number; body: ChatBody };

/**
 * Texts of broadcasts sent by channel kept per device until their broadcast's turn: a sender's
 * broadcasts are delivered in order, so more than a few waiting means a misbehaving peer.
 */
const LONG_TEXTS_MAX = 16;

/** A message typed before it could be sent (see ChatClient.canSend): sent in typing order. */
interface WaitingSend {
  id: string;
  /** The addressee's nickname; undefined for a broadcast. */
  to?: string;
  body: ChatBody;
}

interface LinkExtras {
  held: HeldItem[];
  /** Broadcasts of this peer held for us may be delivered up to and including this seq. */
  barrier: number;
  /** Broadcast datagrams that came before this peer's sender key. */
  stash: Map<number, Buffer>;
  ackTimer: NodeJS.Timeout | null;
  /** Long messages coming in parts over this device's channel. */
  parts: PartAssembler;
  /** Bodies of this device's broadcasts sent by channel, by seq, released in the channel's order. */
  longTexts: Map<number, ChatBody>;
}

/**
 * The chat client: registers with the relay as one device of its identity, keeps an end-to-end
 * session with every device of every peer (and with our own other devices), delivers broadcasts
 * and private messages exactly once and in order, tells whether each message was delivered, and
 * moves files. Used unchanged by the terminal client and the VS Code extension. Never imports
 * `vscode`. Members and devices: docs/protocol.md "Members and devices".
 */
export class ChatClient extends TypedEmitter<ClientEvents> implements PeerLinkHost {
  private relay: RelayConnection | null = null;
  /** One link per device, by device tag (PeerLink.device): stable across relay restarts. */
  private readonly links = new Map<string, PeerLink>();
  private readonly extras = new WeakMap<PeerLink, LinkExtras>();
  private readonly transfers: FileTransfers;
  /** TCP stream lanes for file data (laneManager.ts). */
  private readonly lanes: LaneManager;
  /** Folders and several files as one job (docs/protocol.md "Transfer jobs"). */
  private readonly jobs: TransferJobs;
  /** Devices with private messages (or copies) from us not yet acknowledged (see sendBroadcastNow). */
  private readonly privatesInFlight = new Set<PeerLink>();
  private senderKey: SenderKeyOut | null = null;
  /** Someone left since the sender key was made: use a new one so they read nothing new. */
  private senderKeyStale = false;
  private bcastSeq = 0;
  private readonly outbox = new Map<number, Buffer>();
  private bcastTimer: NodeJS.Timeout | null = null;
  private currentState: ConnectionState = 'connecting';
  /** The roster is current for our session (fetched since we last got a new session id). */
  private rosterFresh = false;
  private registeredOnce = false;
  /** Messages typed while they could not be sent yet, in typing order. */
  private readonly waitingSends: WaitingSend[] = [];
  private waitingTimer: NodeJS.Timeout | null = null;
  private nextMessageId = 1;
  private readyWaiters: Array<() => void> = [];
  private readonly deliveries: DeliveryTracker<PeerLink>;
  /** Addressee of each message whose delivery is tracked (for the delivery events). */
  private readonly deliveryTo = new Map<string, string | undefined>();
  /** Datagrams from sessions our roster does not list yet (a device that just joined), by session id. */
  private readonly unknownSessions = new Map<number, Buffer[]>();
  /**
   * Broadcast datagrams dropped, by reason: not signed by the sender key's owner (forged by
   * another member, or damaged on the way), or signed but undecryptable. Never delivered.
   */
  readonly rejectedBroadcasts = { badSignature: 0, badCiphertext: 0 };
  /** This client as a device: the identity, this process's own keys and their certificate. */
  readonly device: Device;
  /** This device's keys (handshakes and sender keys are a device's, see PeerLinkHost). */
  readonly me: Identity;
  /** The identity's fingerprint: what peers pin, the same on every device of ours. */
  readonly fingerprint: string;
  /** Our device tag (hex), as peers see it in the roster. */
  private readonly myTag: string;
  private readonly opts: Required<Omit<ChatClientOptions, 'secret' | 'pins' | 'log' | 'freeSpace'>> & ChatClientOptions;
  /** Direct paths to peers' devices (docs/protocol.md "Direct paths"). */
  private readonly direct: DirectPaths;

  constructor(opts: ChatClientOptions) {
    super();
    this.opts = {
      shareDirs: [],
      acceptFiles: 'ask',
      allowRequests: 'ask',
      maxIncomingBytes: DEFAULT_MAX_INCOMING_BYTES,
      directConnections: true,
      streamLanes: true,
      hashThread: cores() > 1,
      ...opts,
    } as ChatClient['opts'];
    this.device = newDevice(opts.identity);
    this.me = this.device.keys;
    this.myTag = deviceTag(this.me.signPublic);
    this.fingerprint = identityFingerprint(opts.identity);
    this.deliveries = new DeliveryTracker((o) => this.onDeliveryOutcome(o));
    this.direct = new DirectPaths({
      enabled: this.opts.directConnections,
      relayHost: this.opts.relay.host,
      relay: () => this.relay,
      links: () => this.links.values(),
      onSwitch: (link, path, address) => this.onPathSwitch(link, path, address),
    });
    this.lanes = new LaneManager({
      lanes: this.opts.streamLanes,
      lanesPerDevice: this.opts.lanesPerDevice,
      direct: this.opts.directConnections,
      myDevice: () => this.myTag,
      link: (device) => this.links.get(device),
      relay: () => this.relay?.relay ?? null,
      sink: (link, lane) => this.transfers.laneSink(link, lane),
      expecting: (link, lane) => this.transfers.laneExpected(link, lane),
      inLaneClosed: (link, lane, reason) => {
        this.log('debug', `lane from ${link.nick} (${link.device}) closed: ${reason}`);
        this.transfers.laneClosed(link, lane);
      },
      log: (level, message) => this.log(level, message),
    });
    this.transfers = new FileTransfers({
      lanes: (link, late) => this.lanes.lanes(link, late),
      inLanes: (device) => this.lanes.openFrom(device),
      link: (device) => this.links.get(device),
      ensureLinks: (nick) => this.ensureLinks(nick),
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
        freeSpace: this.opts.freeSpace,
        hashThread: this.opts.hashThread,
      },
    });
    this.jobs = new TransferJobs({
      files: this.transfers,
      link: (device) => this.links.get(device),
      ensureLinks: (nick) => this.ensureLinks(nick),
      emit: (name, payload) => this.emit(name, payload),
      log: (level, message) => this.log(level, message),
      options: {
        downloadDir: this.opts.downloadDir,
        acceptFiles: this.opts.acceptFiles,
        maxIncomingBytes: this.opts.maxIncomingBytes,
        freeSpace: this.opts.freeSpace,
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
      device: this.device,
      secret: this.opts.secret,
      log: this.opts.log,
    });
    this.relay = relay;
    relay.on('state', ({ state }) => {
      this.currentState = state;
      this.emit('state', { state });
    });
    relay.on('registered', ({ nick, fresh, devices }) => {
      this.registeredOnce = true;
      // A new session id (first join, or the relay forgot us): everyone's ids may have changed
      // too, so what we send waits for the roster that the relay connection fetches now.
      if (fresh) this.rosterFresh = false;
      this.emit('registered', { nick, fingerprint: this.fingerprint, devices });
      // Our public mapping may have changed (a new network, a relay restart): tell our peers.
      for (const l of this.links.values()) if (l.established) this.direct.sendCandidates(l);
      this.flushWaiting();
    });
    relay.on('roster', ({ peers }) => this.onRoster(peers));
    relay.on('presence', ({ peer, online }) => this.onPresence(peer, online));
    relay.on('error', (e) => this.onRelayError(e.code, e.message, e.refKind, e.refId));
    relay.on('peer', ({ header, datagram, from, direct }) => this.onPeerDatagram(header, datagram, direct ? from : undefined));
    await relay.register();
    this.lanes.listen(relay.localPort, this.opts.relay.host.includes(':') ? 'IPv6' : 'IPv4');
  }

  /** The local UDP address this client sends from. */
  localAddress(): { host: string; port: number } | null {
    return this.relay?.localAddress() ?? null;
  }

  /** Nicknames of everyone else online (one per member, however many devices it has). */
  online(): string[] {
    return this.members().map((m) => m.nick);
  }

  /** Everyone else online, one entry per member, with how many of its devices are online. */
  members(): MemberInfo[] {
    const mine = nicknameKey(this.nick);
    const byKey = new Map<string, MemberInfo>();
    for (const p of this.relay?.peers() ?? []) {
      const key = nicknameKey(p.nick);
      if (key === mine) continue;
      const m = byKey.get(key);
      if (m) m.devices++;
      else byKey.set(key, { nick: p.nick, devices: 1 });
    }
    return [...byKey.values()].sort((a, b) => a.nick.localeCompare(b.nick));
  }

  /** How many of our own devices are online, this one included. */
  myDevices(): number {
    return 1 + this.devicesOf(this.nick, true).length;
  }

  /** The devices online of member `nick` (never ours unless `ours`). */
  private devicesOf(nick: string, ours = false): PeerInfo[] {
    const key = nicknameKey(nick.replace(/^@/, ''));
    if (!ours && key === nicknameKey(this.nick)) return [];
    return (this.relay?.peers() ?? []).filter((p) => nicknameKey(p.nick) === key);
  }

  // ---- chat ----------------------------------------------------------------------------

  /**
   * Sends `text` to everyone; returns the message's id. Typed before the roster is in (just
   * after joining, or after the relay came back), it waits and goes out then, in typing order.
   */
  broadcast(text: string): string {
    this.checkText(text);
    return this.broadcastBody(text);
  }

  /**
   * Shares a code snippet with everyone, or (`to`) with every device of one member, exactly as
   * a message is sent (same order, waiting and delivery events; README "Sharing code").
   * MESSAGE_TOO_LONG beyond 64 KiB: send the file instead.
   */
  shareSnippet(snippet: CodeSnippet, to?: string): string {
    this.checkSendable();
    checkSnippetToSend(snippet);
    return to === undefined ? this.broadcastBody(snippetFields(snippet)) : this.sendPrivateBody(to, snippetFields(snippet));
  }

  private broadcastBody(body: ChatBody): string {
    const id = this.newMessageId();
    emitSent(this.emitBody, body, id, undefined);
    if (this.canSend()) this.sendBroadcastNow(id, body);
    else this.wait({ id, body });
    return id;
  }

  /** ChatClient's emit for the body helpers (src/client/snippets.ts). */
  private readonly emitBody = <K extends keyof ClientEvents>(name: K, payload: ClientEvents[K]) => void this.emit(name, payload);

  /**
   * Sends `text` to every device of member `to`; returns the message's id. UNKNOWN_PEER at once
   * if the roster is in and `to` is not online; while the roster is still on its way, the
   * message waits for it (and fails with message-failed if `to` is not in it).
   */
  sendPrivate(to: string, text: string): string {
    this.checkText(text);
    return this.sendPrivateBody(to, text);
  }

  private sendPrivateBody(to: string, body: ChatBody): string {
    const nick = to.replace(/^@/, '');
    if (this.canSend()) {
      const devices = this.devicesOf(nick);
      if (devices.length === 0) throw new PeerChatError('UNKNOWN_PEER', `No one called ${nick} is online. Use /who to see who is.`);
      const id = this.newMessageId();
      emitSent(this.emitBody, body, id, devices[0].nick);
      this.sendPrivateNow(id, devices, body);
      return id;
    }
    const id = this.newMessageId();
    emitSent(this.emitBody, body, id, nick);
    this.wait({ id, to: nick, body });
    return id;
  }

  private newMessageId(): string {
    return `m${this.nextMessageId++}`;
  }

  private checkSendable(): void {
    if (!this.registeredOnce || this.currentState === 'left') throw new PeerChatError('NOT_REGISTERED');
  }

  private checkText(text: string): void {
    this.checkSendable();
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_MESSAGE_TEXT_BYTES) {
      throw new PeerChatError(
        'MESSAGE_TOO_LONG',
        `Message is ${bytes} bytes; the limit is ${MAX_MESSAGE_TEXT_BYTES} bytes (16 KiB). Send it as a file instead.`,
      );
    }
  }

  /** Messages go out now only if we are registered, know who is online, and nothing typed earlier still waits. */
  private canSend(): boolean {
    return this.relay?.registered === true && this.rosterFresh && this.waitingSends.length === 0;
  }

  private wait(w: WaitingSend): void {
    this.waitingSends.push(w);
    if (this.waitingTimer) return;
    this.waitingTimer = setTimeout(() => {
      this.waitingTimer = null;
      const n = this.waitingSends.length;
      if (n === 0) return;
      const what = n === 1 ? '1 message' : `${n} messages`;
      const message = this.relay?.registered
        ? `Waiting for the list of who is online; ${what} will be sent then.`
        : `The relay does not answer yet; ${what} will be sent when it does.`;
      this.emit('waiting', { messages: n, message });
    }, WAITING_NOTICE_MS);
  }

  /** Resolves once we are registered and know who is online (at once if so): what /who waits for. */
  whenReady(): Promise<void> {
    if (this.relay?.registered === true && this.rosterFresh) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends what was typed while we could not send, in order, once we can. */
  private flushWaiting(): void {
    if (this.relay?.registered !== true || !this.rosterFresh) return;
    for (const w of this.readyWaiters.splice(0)) w();
    if (this.waitingTimer) clearTimeout(this.waitingTimer);
    this.waitingTimer = null;
    for (let w = this.waitingSends.shift(); w !== undefined; w = this.waitingSends.shift()) {
      if (w.to === undefined) {
        this.sendBroadcastNow(w.id, w.body);
        continue;
      }
      const devices = this.devicesOf(w.to);
      if (devices.length > 0) this.sendPrivateNow(w.id, devices, w.body);
      else {
        const message = `${describeBody(w.body)} was not sent: no one called ${w.to} is online. Use /who to see who is.`;
        this.emit('message-failed', { id: w.id, to: w.to, code: 'UNKNOWN_PEER', message });
      }
    }
  }

  private sendPrivateNow(id: string, devices: PeerInfo[], body: ChatBody): void {
    const to = devices[0].nick;
    // bcastNext: how many broadcasts we sent before this message; the peer delivers it only
    // after those, so it never sees this private message overtake an earlier broadcast.
    const bcastKeyId = this.senderKey?.keyId ?? 0;
    const bcastNext = this.bcastSeq;
    const chat = encodePrivate(body, bcastKeyId, bcastNext);
    const targets = devices.map((p) => this.sendOnChannel(this.linkForPeer(p), chat));
    this.deliveryTo.set(id, to);
    this.deliveries.track(id, targets);
    // Our other devices show it as sent by us.
    const copy = encodeCopy(body, to, bcastKeyId, bcastNext);
    for (const p of this.devicesOf(this.nick, true)) this.sendOnChannel(this.linkForPeer(p), copy);
  }

  /** Queues a chat message on a device's channel; the returned target says when it is acknowledged. */
  private sendOnChannel(link: PeerLink, data: Buffer): DeliveryTarget<PeerLink> {
    const seq = this.sendLong(link, data);
    this.privatesInFlight.add(link);
    return { link, acked: () => link.channel.isAcked(seq) };
  }

  /**
   * Queues a message on a device's channel, in PARTs if it is longer than one MSG (back to back:
   * nothing else can come between them); returns the seq of its last part, acknowledged last.
   */
  private sendLong(link: PeerLink, data: Buffer): number {
    let seq = -1;
    for (const part of splitMessage(data)) seq = link.channel.send(part);
    link.armChannelTimer();
    return seq;
  }

  private onDeliveryOutcome(o: DeliveryOutcome): void {
    const to = this.deliveryTo.get(o.id);
    this.deliveryTo.delete(o.id);
    if (o.delivered) {
      this.emit('message-delivered', { id: o.id, to, devices: o.devices });
      return;
    }
    const who = to ?? 'everyone';
    this.emit('message-failed', { id: o.id, to, code: 'NOT_DELIVERED', message: `Not delivered to ${who}: they left before it arrived.` });
  }

  private sendBroadcastNow(id: string, body: ChatBody): void {
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
    // Every device online now (other members' and our own) gets our sender key first, over its
    // reliable channel, and is expected to acknowledge our broadcasts from this one on. The
    // broadcast is delivered once every other member's device acknowledged it.
    const targets: DeliveryTarget<PeerLink>[] = [];
    // Too long for one datagram: the text goes over each device's channel (BCAST_TEXT, after the
    // sender key and after any private message sent before it), the datagram is a placeholder
    // that takes this seq. A receiver delivers the placeholder in its turn among our broadcasts,
    // with the text, which it has only once the private messages before it were delivered: the
    // order of our broadcasts and private messages is kept without a hold list.
    // (A snippet always goes by channel: SNIPPET in place of BCAST_TEXT.)
    const byChannel = broadcastByChannel(body);
    const longText = byChannel ? encodeChannelBroadcast(body, key.keyId, seq) : null;
    for (const peer of relay.peers()) {
      const link = this.linkForPeer(peer);
      if (link.senderKeyGiven !== key.keyId) {
        link.senderKeyGiven = key.keyId;
        link.bcastStart = seq;
        link.bcastAcked = seq;
        link.bcastLastProgress = Date.now();
        link.channel.send(encodeControl({ type: ControlType.SENDER_KEY, blob: key.encodeForDistribution(), nextSeq: seq }));
        link.armChannelTimer();
      }
      if (longText) this.sendLong(link, longText);
      if (!link.self) targets.push({ link, acked: () => link.bcastAcked > seq });
    }
    // Devices that still have private messages from us in flight must not deliver this
    // broadcast before them: they hold it until a barrier that follows those messages on
    // their (ordered) channel.
    const holders: PeerLink[] = [];
    for (const l of byChannel ? [] : this.privatesInFlight) {
      if (l.closed || l.channel.unacked === 0) this.privatesInFlight.delete(l);
      else if (holders.length < MAX_HOLD_TAGS) holders.push(l);
    }
    const plain = byChannel
      ? encodeControl({ type: ControlType.BROADCAST_BY_CHANNEL })
      : encodeControl({ type: ControlType.BROADCAST_CHAT, hold: holders.map((l) => holdTag(l.device)), text: body as string });
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
    this.deliveryTo.set(id, undefined);
    this.deliveries.track(id, targets);
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

  /** Resends, to each device that has not acknowledged them, the broadcasts it is missing. */
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
        copy.writeUInt32BE(link.id >>> 0, 8); // unicast to this device; dst is not authenticated
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

  // ---- devices -------------------------------------------------------------------------

  /** The link for a device online, created (and its keys fetched) on first use. */
  private linkForPeer(peer: PeerInfo, keys?: PeerKeys): PeerLink {
    let link = this.links.get(peer.device);
    if (link && !link.closed) {
      link.id = peer.id; // the relay may have renumbered us all after a restart
      return link;
    }
    const self = nicknameKey(peer.nick) === nicknameKey(this.nick);
    link = new PeerLink(peer.nick, peer.id, peer.device, self, this);
    this.links.set(peer.device, link);
    this.extras.set(link, { held: [], barrier: -1, stash: new Map(), ackTimer: null, parts: new PartAssembler(), longTexts: new Map() });
    if (keys) this.adoptKeys(link, keys);
    else void this.fetchStatics(link);
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
          probe: new DatagramSizeProbe({ maxSize: this.direct.sizeCeiling(link) }),
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

  /** Asks the relay for the device's keys, checks them (certificate, pin), starts the handshake. */
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
        // device would wait for good unless it wrote first: a device still in the roster is
        // asked again. (Those waiting now hear false: ensureLinks' caller gets its error.)
        if (!link.closed && this.relay?.peerById(link.id)) setTimeout(() => void this.fetchStatics(link), KEYS_RETRY_MS).unref();
        return false;
      }
      return this.adoptKeys(link, keys);
    })();
    this.staticsWaiters.set(link, p);
    return p;
  }

  /**
   * Checks keys the relay vouches for and, if they hold, makes them the link's: the identity
   * must have certified the device (the relay cannot add a device to anyone's identity), the
   * device must be the one the roster named, and the identity is pinned per nickname (TOFU) —
   * a new device of a known identity is not a key change. Our own devices must carry our identity.
   */
  private adoptKeys(link: PeerLink, keys: PeerKeys): boolean {
    if (link.statics) return true;
    if (nicknameKey(keys.nick) !== nicknameKey(link.nick)) return false;
    const checked = checkDeviceCertificate(keys.cert, Date.now() / 1000);
    if (!checked.ok || deviceTag(keys.cert.deviceSign) !== link.device) {
      this.log('warn', `refused the keys the relay gave for a device of ${link.nick}: ${checked.ok ? 'not the device it named' : `certificate ${checked.reason}`}`);
      return false;
    }
    link.setStatics(keys.cert);
    if (link.self) {
      if (!keys.cert.identitySign.equals(this.device.identity.signPublic) || !keys.cert.identityDh.equals(this.device.identity.dhPublic)) {
        this.log('warn', `a device under our nickname ${link.nick} carries another identity (${link.fingerprint}); ignored`);
        link.keyChanged = true;
        return false;
      }
    } else {
      const pinKey = nicknameKey(link.nick);
      const pinned = this.opts.pins?.get(pinKey);
      if (pinned === undefined) this.opts.pins?.set(pinKey, link.fingerprint);
      else if (pinned !== link.fingerprint) {
        link.keyChanged = true;
        // Once per member, however many devices it has.
        if (![...this.links.values()].some((l) => l !== link && l.keyChanged && nicknameKey(l.nick) === pinKey)) {
          this.emit('peer-key-changed', { nick: link.nick, oldFingerprint: pinned, newFingerprint: link.fingerprint });
        }
      }
    }
    link.connect();
    return true;
  }

  /** For file transfers: a link with known keys to every device of member `nick`; UNKNOWN_PEER if none. */
  async ensureLinks(nick: string): Promise<PeerLink[]> {
    if (!this.relay?.registered) throw new PeerChatError('NOT_REGISTERED');
    const devices = this.devicesOf(nick);
    if (devices.length === 0) throw new PeerChatError('UNKNOWN_PEER', `No one called ${nick.replace(/^@/, '')} is online. Use /who to see who is.`);
    const links = devices.map((p) => this.linkForPeer(p));
    const ok = await Promise.all(links.map((l) => this.fetchStatics(l)));
    const ready = links.filter((_, i) => ok[i]);
    if (ready.length === 0) throw new PeerChatError('UNKNOWN_PEER', `${devices[0].nick} is no longer online.`);
    return ready;
  }

  /** Accepts a peer's changed key (after checking its fingerprint out of band). */
  trustPeer(nick: string): void {
    const key = nicknameKey(nick.replace(/^@/, ''));
    const links = [...this.links.values()].filter((l) => l.statics && !l.self && nicknameKey(l.nick) === key);
    if (links.length === 0) throw new PeerChatError('UNKNOWN_PEER');
    this.opts.pins?.set(key, links[0].fingerprint);
    for (const l of links) l.keyChanged = false;
  }

  async whois(nick: string): Promise<{ nick: string; fingerprint: string; devices: number }> {
    const name = nick.replace(/^@/, '');
    if (nicknameKey(name) === nicknameKey(this.nick)) return { nick: this.nick, fingerprint: this.fingerprint, devices: this.myDevices() };
    const links = await this.ensureLinks(name);
    return { nick: links[0].nick, fingerprint: links[0].fingerprint, devices: links.length };
  }

  private linkById(id: number): PeerLink | undefined {
    const peer = this.relay?.peerById(id);
    if (peer) return this.linkForPeer(peer);
    for (const l of this.links.values()) if (l.id === id && !l.closed) return l;
    return undefined;
  }

  /**
   * A datagram from a session our roster does not list yet: a device that joined a moment ago
   * and wrote to us before its PRESENCE reached us. Its keys are asked for at once and the
   * datagrams kept (bounded) until they are in; a session the relay does not know is dropped.
   */
  private fromUnknownSession(id: number, buf: Buffer): void {
    let kept = this.unknownSessions.get(id);
    if (kept) {
      if (kept.length < UNKNOWN_SESSION_DATAGRAMS_MAX) kept.push(Buffer.from(buf));
      return;
    }
    if (this.unknownSessions.size >= UNKNOWN_SESSIONS_MAX || !this.relay) return;
    kept = [Buffer.from(buf)];
    this.unknownSessions.set(id, kept);
    void this.relay.requestKeys(id).then((keys) => {
      const datagrams = this.unknownSessions.get(id) ?? [];
      this.unknownSessions.delete(id);
      if (!keys || this.currentState === 'left') return;
      const known = this.linkById(id);
      if (!known) this.linkForPeer({ id, device: deviceTag(keys.cert.deviceSign), nick: keys.nick }, keys);
      for (const d of datagrams) this.onPeerDatagram({ kind: d[2], flags: d[3], src: id, dst: d.readUInt32BE(8) }, d);
    });
  }

  private onRoster(peers: PeerInfo[]): void {
    for (const p of peers) {
      const link = this.links.get(p.device);
      if (link) link.id = p.id; // the relay may have renumbered us all after a restart
    }
    this.rosterFresh = true;
    this.emit('roster', { nicks: this.online(), members: this.members() });
    this.flushWaiting();
  }

  /** A device joined or left; members' presence changes when their first device comes or last one goes. */
  private onPresence(peer: PeerInfo, online: boolean): void {
    const link = this.links.get(peer.device);
    if (online) {
      if (link) link.id = peer.id;
    } else if (link && link.id === peer.id) {
      this.closeLink(link, 'PEER_LEFT', `${link.nick} left the chat.`);
    }
    const devices = this.devicesOf(peer.nick, true).length;
    if (nicknameKey(peer.nick) === nicknameKey(this.nick)) {
      this.emit('member-devices', { nick: this.nick, devices: devices + 1 });
    } else if (online ? devices === 1 : devices === 0) {
      this.emit('presence', { nick: peer.nick, online, devices });
    } else {
      this.emit('member-devices', { nick: peer.nick, devices });
    }
  }

  /** A device is gone: its transfers fail (resumable), its messages in flight will not arrive. */
  private closeLink(link: PeerLink, code: ErrorCode, message: string): void {
    this.direct.forget(link);
    if (this.senderKey && link.senderKeyGiven === this.senderKey.keyId) this.senderKeyStale = true;
    link.close();
    if (this.links.get(link.device) === link) this.links.delete(link.device);
    this.privatesInFlight.delete(link);
    this.transfers.peerGone(link, code, message);
    this.jobs.peerGone(link, code, message);
    this.lanes.forget(link.device);
    this.deliveries.gone(link);
  }

  private onRelayError(code: ErrorCode, message: string, refKind: number, refId: number): void {
    if (code === 'UNKNOWN_PEER' && isPeerKind(refKind)) {
      const link = [...this.links.values()].find((l) => l.id === refId);
      // Only worth telling the user about once per device; retransmissions would repeat it.
      if (link && !link.closed) {
        this.closeLink(link, 'PEER_LEFT', `${link.nick} is no longer online.`);
        if (!link.self && this.devicesOf(link.nick).length === 0) this.emit('error', { code, message: `${link.nick} is no longer online.` });
      }
      return;
    }
    if (code === 'UNKNOWN_PEER') return; // a key lookup; the caller handles it
    this.emit('error', { code, message: message || ERROR_HINTS[code] });
  }

  // ---- incoming peer datagrams ---------------------------------------------------------

  /**
   * A datagram from another device: through the relay, or (`from` set) straight from its address.
   * Straight from a peer only sealed packets and record fragments are taken, from a device we
   * know: they authenticate under our pairwise keys, so where they came from changes nothing
   * about what they say; only answered challenges make an address a path we send to.
   */
  private onPeerDatagram(header: Header, buf: Buffer, from?: PathAddress): void {
    if (from !== undefined) {
      const link = this.linkById(header.src);
      if (!link || !this.opts.directConnections) return;
      if (header.kind === Kind.PEER_SEALED) {
        const p = readSealedPacket(buf);
        if (p && link.onSealed(p, from)) this.direct.heard(link, from);
      } else if (header.kind === Kind.PEER_RECORD) {
        const f = readRecordFragment(buf);
        if (f) this.transfers.onRecordFragment(link, f);
      }
      return;
    }
    const link = this.linkById(header.src);
    if (!link) {
      if (header.kind !== Kind.PEER_RECORD) this.fromUnknownSession(header.src, buf);
      return;
    }
    switch (header.kind) {
      case Kind.PEER_HELLO:
        if (link.statics) link.onHello(buf.subarray(12));
        else void this.fetchStatics(link).then((ok) => ok && link.onHello(buf.subarray(12)));
        break;
      case Kind.PEER_SEALED: {
        const p = readSealedPacket(buf);
        if (p && link.onSealed(p)) this.direct.heardViaRelay(link);
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

  onFrames(link: PeerLink, frames: Frame[], from?: PathAddress): void {
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
          else this.direct.onFrame(link, f, from);
          break;
        case 'xferProbe':
          // A size probe arrives alone in its datagram; its size is the one the path carried.
          // Above our own side's ceiling we stay silent: the prober's search ends below it.
          if (frames.length === 1 && probeAckFor(f).size <= this.direct.sizeCeiling(link)) link.sendFrames([probeAckFor(f)]);
          break;
        case 'xferProbeAck':
          this.probers.get(link)?.onProbeAck(f);
          break;
        default:
          break;
      }
    }
    if (this.privatesInFlight.has(link) && link.channel.unacked === 0) this.privatesInFlight.delete(link);
    if (this.deliveries.size > 0) this.deliveries.acked(link);
  }

  onMessage(link: PeerLink, data: Buffer): void {
    const ex = this.extras.get(link);
    if (!ex) return;
    const whole = ex.parts.push(data);
    if (whole.dropped) this.log('warn', `dropped ${whole.dropped} from ${link.nick}`);
    if (!whole.message) return;
    const m = decodeControl(whole.message);
    if (!m) {
      this.log('warn', `undecodable message from ${link.nick}`);
      return;
    }
    switch (m.type) {
      case ControlType.CHAT:
      case ControlType.CHAT_COPY: {
        // A copy says "I, on another device, sent this": only our own devices may say that.
        if (m.type === ControlType.CHAT_COPY && !link.self) break;
        const bi = link.broadcastIn;
        // Broadcasts under another key (or none yet) were not meant for us: nothing to wait for.
        const wait = bi !== null && bi.key.keyId === m.bcastKeyId ? m.bcastNext : 0;
        const copyTo = m.type === ControlType.CHAT_COPY ? m.to : undefined;
        this.extras.get(link)!.held.push({ kind: 'chat', bcastNext: wait, body: m.text, copyTo });
        this.advance(link);
        break;
      }
      case ControlType.BCAST_BARRIER: {
        if (link.broadcastIn?.key.keyId !== m.keyId) break;
        this.extras.get(link)!.held.push({ kind: 'barrier', seq: m.seq });
        this.advance(link);
        break;
      }
      case ControlType.BCAST_TEXT: {
        // Queued behind the private messages sent before it: their order is the sender's.
        if (link.broadcastIn?.key.keyId !== m.keyId) break;
        this.extras.get(link)!.held.push({ kind: 'bcastText', seq: m.seq, body: m.text });
        this.advance(link);
        break;
      }
      case ControlType.SNIPPET: {
        const item = heldSnippet(m, link, (why) => this.log('warn', `dropped a snippet from ${link.nick}: ${why}`));
        if (!item) break;
        this.extras.get(link)!.held.push(item);
        this.advance(link);
        break;
      }
      case ControlType.SENDER_KEY: {
        // Bound to the device whose authenticated channel carried it: only broadcasts signed by
        // this key's owner will be accepted under this device's (and member's) name.
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
      case ControlType.BROADCAST_BY_CHANNEL:
        break; // only valid inside a PEER_BROADCAST
      case ControlType.CANDIDATES:
        this.direct.onCandidates(link, m.candidates);
        break;
      case ControlType.LANE_JOIN:
        this.lanes.onJoin(link, m.laneId);
        break;
      case ControlType.LANE_REFUSE:
        this.lanes.onRefuse(link, m.laneId);
        break;
      default:
        if (TransferJobs.isJobMessage(m)) this.jobs.onControl(link, m);
        else this.transfers.onControl(link, m);
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
   * Delivers what has become deliverable from this device, in its send order: broadcasts in
   * sequence (one held for us waits for its barrier), and channel items (private messages
   * wait for the broadcasts sent before them; barriers release held broadcasts). What our own
   * other devices sent is shown as sent by us.
   */
  private advance(link: PeerLink): void {
    const ex = this.extras.get(link)!;
    for (let progress = true; progress; ) {
      progress = false;
      const bi = link.broadcastIn;
      while (bi && bi.early.has(bi.next)) {
        const m = decodeControl(bi.early.get(bi.next)!);
        const mine = holdTag(this.myTag);
        const heldForMe = m?.type === ControlType.BROADCAST_CHAT && m.hold.some((t) => t.equals(mine));
        if (heldForMe && ex.barrier < bi.next) break;
        // A broadcast by channel waits for its text, which follows earlier private messages.
        const longText = m?.type === ControlType.BROADCAST_BY_CHANNEL ? ex.longTexts.get(bi.next) : undefined;
        if (m?.type === ControlType.BROADCAST_BY_CHANNEL && longText === undefined) break;
        ex.longTexts.delete(bi.next);
        bi.early.delete(bi.next);
        bi.next++;
        progress = true;
        const body = m?.type === ControlType.BROADCAST_CHAT ? m.text : longText;
        if (body !== undefined) {
          if (link.self) emitSent(this.emitBody, body, this.newMessageId(), undefined, true);
          else emitReceived(this.emitBody, body, link.nick, false, this.nick);
        }
      }
      while (ex.held.length > 0) {
        const h = ex.held[0];
        if (h.kind === 'chat') {
          if (bi && bi.next < h.bcastNext) break;
          if (h.copyTo !== undefined) emitSent(this.emitBody, h.body, this.newMessageId(), h.copyTo, true);
          else emitReceived(this.emitBody, h.body, link.nick, true, this.nick);
        } else if (h.kind === 'bcastText') {
          if (bi && h.seq >= bi.next && ex.longTexts.size < LONG_TEXTS_MAX) ex.longTexts.set(h.seq, h.body);
          else this.log('warn', `dropped the text of broadcast ${h.seq} from ${link.nick}: not expected`);
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
    this.transfers.peerGone(link, 'PEER_LEFT', `${link.nick} restarted; send the file again to resume.`);
    this.lanes.forget(link.device);
    this.jobs.peerGone(link, 'PEER_LEFT', `${link.nick} restarted; send it again to resume.`);
    this.deliveries.gone(link);
    const ex = this.extras.get(link);
    if (ex) {
      ex.held = [];
      ex.parts.reset();
      ex.longTexts.clear();
    }
  }

  onEstablished(link: PeerLink): void {
    this.log('debug', `secure session with ${link.self ? 'our device' : link.nick} ${link.device} (${link.fingerprint})`);
    this.direct.sendCandidates(link);
  }

  /** Which path each device of each member uses now. */
  paths(): PathInfo[] {
    return this.direct.info();
  }

  /**
   * Traffic to a device moved between the relay and a direct path. RTT, congestion control and
   * pacing belong to a path (RFC 9000 §9.4): transfers to it start them over and send again what
   * was in flight, on the new path; so does its chat channel.
   */
  private onPathSwitch(link: PeerLink, path: ActivePath, address: string | undefined): void {
    this.log('info', `path to ${link.nick} (${link.device}): ${path.kind}${address ? ` ${address}` : ''}`);
    this.transfers.pathChanged(link);
    this.lanes.pathChanged(link.device);
    link.channel.pathChanged(link.paths?.validationRttMs);
    link.armChannelTimer();
    this.emit('path', { peer: link.nick, device: link.device, path: path.kind, address });
  }

  session(): number {
    return this.relay?.session ?? 0;
  }

  sendDatagram(buf: Buffer, length?: number, link?: PeerLink): boolean {
    const path = link?.paths?.path;
    if (path?.kind === 'direct') return this.relay?.sendTo(buf, length ?? buf.length, path.address) ?? false;
    return this.relay?.send(buf, length) ?? false;
  }

  sendDatagramTo(buf: Buffer, length: number, to: PathAddress): boolean {
    return this.relay?.sendTo(buf, length, to) ?? false;
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }

  // ---- files ---------------------------------------------------------------------------

  /** Offers a file (a folder: as a job, see sendFiles) to every device of member `to`. */
  async sendFile(to: string, path: string): Promise<string> {
    const st = await fsp.lstat(path).catch(() => null);
    if (st?.isDirectory()) return this.jobs.outgoing.send([to], [path]);
    return this.transfers.sendFile(to, path);
  }

  /**
   * Offers files and folders to members `to` as one transfer job (docs/protocol.md "Transfer
   * jobs"); returns the job's id. Every member accepts or declines on its own.
   */
  sendFiles(to: readonly string[], paths: readonly string[]): Promise<string> {
    return this.jobs.outgoing.send(to, paths);
  }

  requestFile(to: string, name: string, opts: { saveDir?: string } = {}): Promise<string> {
    return this.transfers.requestFile(to, name, opts.saveDir);
  }

  accept(id: string, opts: { saveDir?: string } = {}): Promise<void> {
    if (this.jobs.owns(id)) return this.jobs.accept(id, opts.saveDir);
    return this.transfers.accept(id, opts.saveDir);
  }

  decline(id: string): void {
    if (this.jobs.owns(id)) return this.jobs.decline(id);
    this.transfers.decline(id);
  }

  cancel(id: string): void {
    if (this.jobs.owns(id)) return this.jobs.cancel(id);
    this.transfers.cancel(id);
  }

  // ---- leaving -------------------------------------------------------------------------

  async leave(): Promise<void> {
    if (this.currentState === 'left') return;
    // What was typed goes out first (bounded): a script's "@bob hi" then "exit" delivers "hi".
    const deadline = Date.now() + LEAVE_DRAIN_MS;
    while ((this.waitingSends.length > 0 || this.deliveries.size > 0) && Date.now() < deadline && this.relay?.registered) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Nothing typed is dropped silently: what still waited is reported as not sent.
    for (let w = this.waitingSends.shift(); w !== undefined; w = this.waitingSends.shift()) {
      this.emit('message-failed', { id: w.id, to: w.to, code: 'NOT_DELIVERED', message: `${describeBody(w.body)} was not sent: you left first.` });
    }
    for (const [id, to] of this.deliveryTo) {
      this.emit('message-failed', { id, to, code: 'NOT_DELIVERED', message: `You left before ${to ?? 'everyone'} confirmed message ${id}.` });
    }
    this.deliveryTo.clear();
    if (this.waitingTimer) clearTimeout(this.waitingTimer);
    this.jobs.close();
    this.transfers.close();
    this.lanes.close();
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

/** A device's tag (hex) from its Ed25519 key: what ROSTER and PRESENCE name it by. */
function deviceTag(signPublic: Buffer): string {
  return signPublic.subarray(0, DEVICE_TAG_BYTES).toString('hex');
}

/**
 * A device's tag in broadcast hold lists: the first bytes of SHA-256 of its device tag (unique
 * among the devices online, known before the device's keys are, and stable across relay restarts).
 */
function holdTag(device: string): Buffer {
  return createHash('sha256').update(device).digest().subarray(0, HOLD_TAG_BYTES);
}

