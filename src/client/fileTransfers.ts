import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, ERROR_HINTS, PeerChatError, errorCodeFromWire, errorCodeToWire } from '../protocol/errors';
import { ControlMessage, ControlType, MAX_RESEND_CHUNKS, MAX_RESUME_RANGES, RESEND_NO_RECORD, encodeControl } from '../protocol/controlMessages';
import { ChunkMap } from '../transport/chunkMap';
import { Frame, XferAckFrame, XferDataFrame } from '../transport/frames';
import { TransferReceiver } from '../transport/transferReceiver';
import { TransferSender } from '../transport/transferSender';
import { SendScheduler } from '../transport/sendScheduler';
import { performance } from 'node:perf_hooks';
import { TimerDriver } from './timerDriver';
import { BlockWriter } from './blockWriter';
import { BlockReader } from './blockReader';
import { PACKET_OVERHEAD } from '../transport/limits';
import { XFER_DATA_HEADER_BYTES } from '../transport/frames';
import { ClientEvents } from './events';
import { sha256File } from './fileHash';
import { PrefixHasher, type FileHasher } from './prefixHasher';
import { HashWorker, OFF_THREAD_HASH_MIN_BYTES } from './hashWorker';
import { MAP_SAVE_EVERY_BYTES, MAP_SAVE_INTERVAL_MS, PartialFile, discard, openPartial, publish, saveMap } from './partialStore';
import type { PeerLink } from './peerLink';
import { FileRequests, type OutgoingRequest } from './fileRequests';
import { RecordFragment, recordChunksFor } from '../protocol/peerPackets';
import { RecordAssembler } from './recordAssembler';
import { FreeSpace, checkSpace, isNoSpace, noSpaceMessage, statfsFreeSpace } from './diskSpace';
import { LANE_STALL_MS, type InLane, type LaneRecordSink, type OutLane } from './streamLane';
import { LANE_MIN_BYTES, LaneSender, recordFits, STANDBY_AFTER_MS } from './laneTransfers';

/** File bytes per chunk when datagrams are `datagramBytes` long. */
export function chunkSizeFor(datagramBytes: number): number {
  return datagramBytes - PACKET_OVERHEAD - XFER_DATA_HEADER_BYTES;
}

/** An XFER_DATA that came as a record fragment: `data` is ciphertext until the record opens. */
interface RecordDataFrame extends XferDataFrame {
  fragment: RecordFragment;
}

/** How a receiver's hasher got its digest, for the debug log. */
const HASHED_VIA = { thread: 'on this thread', worker: 'on the hash worker', fallback: 'on this thread (the hash worker failed)' } as const;

/** Progress events at most this often per transfer (ms): enough for a smooth bar. */
const PROGRESS_INTERVAL_MS = 100;
/** Engine statistics go to the debug log this often (ms) during a transfer (`--verbose`). */
const STATS_LOG_INTERVAL_MS = 1_000;
/** Chunk sizes a receiver accepts in an offer (bytes): anything else is refused. */
const MIN_CHUNK_BYTES = 64;
const MAX_CHUNK_BYTES = 65_536;
/** Receiver window when the kernel would not tell us its buffer size. */
const FALLBACK_WINDOW_BYTES = 1024 * 1024;
/**
 * A lane that closed under a transfer: the sender waits this long (ms) for the receiver's
 * FILE_ACCEPT naming what it has, then sends the rest as datagrams anyway (what the receiver
 * has already is acknowledged as duplicates).
 */
const LANE_FALLBACK_WAIT_MS = 1_500;

/**
 * What a transfer job (src/client/transferJobs.ts) hears of one of its files, instead of the
 * client's transfer-* and file-* events.
 */
export interface TransferObserver {
  started(resumedBytes: number): void;
  progress(bytes: number, total: number): void;
  done(result: { path?: string; sha256: string }): void;
  failed(code: ErrorCode, message: string): void;
}

/** A file of a job, as the receiver's manifest describes it and where it goes once verified. */
export interface JobFileIn {
  transferId: number;
  chunkSize: number;
  name: string;
  bytes: number;
  sha256: Buffer;
  saveDir: string;
  place: (partial: PartialFile) => Promise<string>;
  observer: TransferObserver;
}

export interface TransferHost {
  /** The link to a device online, by device tag (PeerLink.device). */
  link(device: string): PeerLink | undefined;
  /** Links to every device of member `nick`, keys fetched; throws UNKNOWN_PEER. */
  ensureLinks(nick: string): Promise<PeerLink[]>;
  /** Datagram size for file data to this peer (probed). */
  pathDatagramBytes(link: PeerLink): Promise<number>;
  /**
   * Stream lanes to this device for file data, or none: datagrams (laneManager.ts decides).
   * Lanes that open after the answer go to `late`.
   */
  lanes(link: PeerLink, late?: (lane: OutLane) => void): Promise<OutLane[]>;
  /** Lanes open from this device now (laneManager.ts): a transfer arriving on one may lack what another holds. */
  inLanes(device: string): InLane[];
  emit<K extends keyof ClientEvents & string>(name: K, payload: ClientEvents[K]): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  recvBufferBytes(): number;
  options: {
    downloadDir: string;
    shareDirs: string[];
    acceptFiles: 'ask' | 'always';
    allowRequests: 'ask' | 'always';
    maxIncomingBytes: number;
    /** Free bytes in a folder (a seam for tests); default fs.statfs. */
    freeSpace?: FreeSpace;
    /** Hash big incoming files on a worker thread (ChatClientOptions.hashThread). */
    hashThread?: boolean;
  };
}

/**
 * One file offered to every device of a member: each device gets an offer of its own; the first
 * device to accept or decline answers it, and the others are told ANSWERED_ELSEWHERE.
 */
interface OfferGroup {
  offers: Outgoing[];
  answeredBy: Outgoing | null;
}

interface Outgoing {
  localId: string;
  /** Reads the file for the datagram engine (released when the transfer ends). */
  reader?: BlockReader;
  /** When the sweep first saw it ended (done or failed): it is forgotten FORGET_AFTER_MS later. */
  endedAt?: number;
  transferId: number;
  /** The member's nickname (shown), and the device this offer went to (routes). */
  peer: string;
  device: string;
  group: OfferGroup;
  path: string;
  name: string;
  bytes: number;
  chunkSize: number;
  sha256: Buffer;
  requestId: number;
  handle: fs.FileHandle | null;
  sender: TransferSender | null;
  state: 'offered' | 'sending' | 'verifying' | 'done' | 'failed';
  lastProgress: number;
  lastStatsLog: number;
  /** A file of a transfer job: its events go to the job (transferJobs.ts), not to the client. */
  observer?: TransferObserver;
  /** What reads the file into the stream lanes that carry it, and holds them (null: datagrams, via `sender`). */
  laneSender?: LaneSender | null;
  /** What the receiver had when it accepted (the datagram fallback starts from it). */
  haveMap?: ChunkMap;
  laneFallback?: NodeJS.Timeout | null;
}

interface Incoming {
  /** When the sweep first saw it ended (done or failed): it is forgotten FORGET_AFTER_MS later. */
  endedAt?: number;
  localId: string;
  transferId: number;
  peer: string;
  device: string;
  name: string;
  bytes: number;
  chunkSize: number;
  sha256: Buffer;
  requestId: number;
  saveDir: string;
  partial: PartialFile | null;
  receiver: TransferReceiver | null;
  /** Fragments of records waiting for the rest of their record. */
  records: RecordAssembler | null;
  timers: TimerDriver | null;
  writer: BlockWriter | null;
  hasher: FileHasher | null;
  state: 'offered' | 'receiving' | 'verifying' | 'done' | 'failed';
  lastProgress: number;
  lastStatsLog: number;
  lastMapSave: number;
  bytesSinceMapSave: number;
  mapSaving: boolean;
  writes: Promise<void>;
  /** A write failed because the disk is full: the transfer fails with NO_SPACE. */
  noSpace?: boolean;
  /** A file of a transfer job: its events go to the job, not to the client. */
  observer?: TransferObserver;
  /** Where a verified file goes (a job's folder); default: the save folder, under its offered name. */
  place?: (partial: PartialFile) => Promise<string>;
  /** The stream lanes its data came on (one that closes under it makes us ask for the rest). */
  lanes?: Set<InLane>;
  /** When we last asked for what the lanes left out (performance.now(); LANE_GAP_MS), and how often since a new chunk came. */
  laneGapAskedAt?: number;
  laneGapAsks?: number;
  /**
   * Bytes held when accepted: a full disk is reported as needing the rest of the file beyond them
   * (writes are buffered, so what reached the disk since is not known exactly).
   */
  onDisk?: number;
}

/** The fields of an incoming transfer just offered: nothing received, open or timed yet. */
function offeredState(): Pick<
  Incoming,
  'partial' | 'receiver' | 'records' | 'timers' | 'writer' | 'hasher' | 'state' | 'lastProgress' | 'lastStatsLog' | 'lastMapSave' | 'bytesSinceMapSave' | 'mapSaving' | 'writes'
> {
  return {
    partial: null,
    receiver: null,
    records: null,
    timers: null,
    writer: null,
    hasher: null,
    state: 'offered',
    lastProgress: 0,
    lastStatsLog: 0,
    lastMapSave: 0,
    bytesSinceMapSave: 0,
    mapSaving: false,
    writes: Promise.resolve(),
  };
}

/**
 * An ended transfer (done or failed) is forgotten this long after the sweep first sees it: well
 * past the 2 s in which a receiver still answers retransmitted data. Control messages about it
 * that come later find nothing and are ignored, as for any unknown transfer.
 */
export const FORGET_AFTER_MS = 10_000;
/**
 * A record none of whose missing fragments came for this long is given up and asked for again:
 * well past the few round trips a lost fragment takes to be resent, or a path switch.
 */
export const RECORD_STALL_MS = 5_000;
/**
 * A transfer arriving on two lanes or more that got no new chunk for this long (or for
 * LANE_GAP_RTTS round trips of the peer's channel, if longer) asks for what it lacks
 * (FILE_ACCEPT), and the sender sends it on whichever lane is free: a lane whose TCP connection
 * waits out a retransmission timeout (200 ms at least on Linux, then doubling) holds what it
 * carries, and the others, done with the queue, would wait for it (docs/protocol.md "Stream
 * lanes"). Asked again, with nothing new since, only after twice as long as the time before.
 */
export const LANE_GAP_MS = 50;
const LANE_GAP_RTTS = 4;
/** Local ids of forgotten transfers remembered (for /cancel), the oldest dropped first. */
const FORGOTTEN_IDS_KEPT = 10_000;

/**
 * File offers, requests and transfers, from and to disk. Offers and answers ride the peer's
 * reliable channel; data rides the transfer engine (src/transport). Received bytes go to a
 * .part file that is published under its final name only after its SHA-256 matches the offer.
 */
export class FileTransfers {
  private nextLocal = 1;
  private readonly outgoing = new Map<string, Outgoing>(); // key: device/transferId
  private readonly incoming = new Map<string, Incoming>();
  /** Partial files of failed transfers still flushing and saving their maps (a resume waits for them). */
  private readonly partialsClosing = new Set<Promise<void>>();
  private readonly byLocalId = new Map<string, Outgoing | Incoming>();
  /** Requests for files, both ways (fileRequests.ts). */
  private readonly requests: FileRequests;

  /**
   * All outgoing transfers share one scheduler: transmit opportunities go round-robin, so
   * concurrent transfers share the path fairly. Chat never goes through it (it is sent at once).
   */
  private readonly scheduler: SendScheduler;
  private readonly schedulerTimer: TimerDriver;
  /** Forgets ended transfers (forgetEnded). */
  private readonly forgetTimer: NodeJS.Timeout;
  /** Gives up records that stopped growing (expireStalledRecords). */
  private readonly stallTimer: NodeJS.Timeout;
  private laneGapTimer: NodeJS.Timeout | null = null;
  /** Local ids of the transfers forgotten lately (a /cancel of one is a no-op, not an error). */
  private readonly forgotten = new Set<string>();
  /** Hashes big incoming files off this thread (started with the first one). */
  private readonly hashWorker = new HashWorker();

  constructor(private readonly host: TransferHost) {
    this.forgetTimer = setInterval(() => this.forgetEnded(Date.now()), FORGET_AFTER_MS / 2);
    this.forgetTimer.unref();
    this.stallTimer = setInterval(() => this.expireStalledRecords(), RECORD_STALL_MS / 5);
    this.stallTimer.unref();
    this.requests = new FileRequests(host, {
      newLocalId: () => this.newLocalId(),
      control: (link, m) => this.control(link, m),
      sendFile: (to, filePath, requestId, only) => this.sendFile(to, filePath, requestId, only),
    });
    this.scheduler = new SendScheduler({
      now: () => performance.now(),
      transmit: () => undefined, // every sender transmits through its own peer link
      onTimerUpdate: () => this.schedulerTimer.poke(),
    });
    this.schedulerTimer = new TimerDriver(
      () => this.scheduler.nextTimerAt(),
      () => this.scheduler.onTimer(),
    );
  }

  private newLocalId(): string {
    return String(this.nextLocal++);
  }

  /** A fresh local id (transfer jobs share the id space of transfers, for /accept, /cancel). */
  allocateId(): string {
    return this.newLocalId();
  }

  /** A transfer's event: to the client, or to its job when it is a file of one. */
  private emitFor<K extends keyof ClientEvents & string>(t: Outgoing | Incoming, name: K, payload: ClientEvents[K]): void {
    const o = t.observer;
    if (!o) return this.host.emit(name, payload);
    const p = payload as Record<string, unknown>;
    switch (name) {
      case 'transfer-started':
        return o.started(p.resumedBytes as number);
      case 'transfer-progress':
        return o.progress(p.bytes as number, p.total as number);
      case 'file-sent':
      case 'file-received':
        return o.done({ path: p.path as string | undefined, sha256: p.sha256 as string });
      case 'transfer-failed':
        return o.failed(p.code as ErrorCode, p.message as string);
      default:
        return;
    }
  }

  // ---- sending -----------------------------------------------------------------------

  /**
   * Offers a file to every device of member `to` (or to `only`, the device that asked for it);
   * returns the local id that names the offer and its transfer in later events.
   */
  async sendFile(to: string, filePath: string, requestId = 0, only?: PeerLink): Promise<string> {
    let st;
    try {
      st = await fs.stat(filePath);
    } catch {
      throw new PeerChatError('FILE_NOT_FOUND', `No file at ${filePath}.`);
    }
    if (!st.isFile()) throw new PeerChatError('NOT_A_FILE', `${filePath} is not a regular file.`);
    const links = only ? [only] : await this.host.ensureLinks(to);
    const changed = links.find((l) => l.keyChanged);
    if (changed) {
      throw new PeerChatError('PEER_KEY_CHANGED', `${changed.nick}'s key changed. Check it with /whois ${changed.nick} and confirm before sending files.`);
    }
    const [sha256, sizes] = await Promise.all([sha256File(filePath), Promise.all(links.map((l) => this.host.pathDatagramBytes(l)))]);
    const localId = this.newLocalId();
    const group: OfferGroup = { offers: [], answeredBy: null };
    const name = path.basename(filePath);
    links.forEach((link, i) => {
      const t: Outgoing = {
        localId,
        transferId: randomBytes(4).readUInt32BE(0) || 1,
        peer: link.nick,
        device: link.device,
        group,
        path: filePath,
        name,
        bytes: st.size,
        chunkSize: chunkSizeFor(sizes[i]),
        sha256,
        requestId,
        handle: null,
        sender: null,
        state: 'offered',
        lastProgress: 0,
        lastStatsLog: 0,
      };
      group.offers.push(t);
      this.outgoing.set(`${link.device}/${t.transferId}`, t);
    });
    this.byLocalId.set(localId, group.offers[0]);
    this.host.emit('file-offered', { id: localId, to: links[0].nick, name, bytes: st.size });
    for (const t of group.offers) {
      this.control(this.host.link(t.device)!, {
        type: ControlType.FILE_OFFER,
        transferId: t.transferId,
        bytes: t.bytes,
        chunkSize: t.chunkSize,
        sha256,
        requestId,
        name,
      });
    }
    return localId;
  }

  /**
   * Offers one file of an accepted transfer job to the device that accepted the job (JOB_FILE:
   * its name, size and hash are the manifest's); returns the local id of its transfer.
   */
  async offerJobFile(link: PeerLink, jobId: number, index: number, file: { path: string; name: string; bytes: number; sha256: Buffer }, observer: TransferObserver): Promise<string> {
    const datagram = await this.host.pathDatagramBytes(link);
    const localId = this.newLocalId();
    const group: OfferGroup = { offers: [], answeredBy: null };
    const t: Outgoing = {
      localId,
      transferId: randomBytes(4).readUInt32BE(0) || 1,
      peer: link.nick,
      device: link.device,
      group,
      path: file.path,
      name: file.name,
      bytes: file.bytes,
      chunkSize: chunkSizeFor(datagram),
      sha256: file.sha256,
      requestId: 0,
      handle: null,
      sender: null,
      state: 'offered',
      lastProgress: 0,
      lastStatsLog: 0,
      observer,
    };
    group.offers.push(t);
    this.outgoing.set(`${link.device}/${t.transferId}`, t);
    this.byLocalId.set(localId, t);
    this.control(link, { type: ControlType.JOB_FILE, jobId, index, transferId: t.transferId, chunkSize: t.chunkSize });
    return localId;
  }

  /**
   * Receives one file of a job this client accepted: accepted at once (the job was), its events
   * go to `f.observer`, and once verified it goes where `f.place` puts it. Returns its local id.
   */
  receiveJobFile(link: PeerLink, f: JobFileIn): string {
    const key = `${link.device}/${f.transferId}`;
    const t: Incoming = {
      localId: this.newLocalId(),
      transferId: f.transferId,
      peer: link.nick,
      device: link.device,
      name: f.name,
      bytes: f.bytes,
      chunkSize: f.chunkSize,
      sha256: f.sha256,
      requestId: 0,
      saveDir: f.saveDir,
      ...offeredState(),
      observer: f.observer,
      place: f.place,
    };
    if (this.incoming.has(key) || f.chunkSize < MIN_CHUNK_BYTES || f.chunkSize > MAX_CHUNK_BYTES) {
      this.declineIncoming(t, 'BAD_COMMAND', `Refused a chunk size of ${f.chunkSize} bytes, or a transfer id in use.`);
      f.observer.failed('BAD_COMMAND', `${f.name}: the sender offered it in a way this client does not accept.`);
      return t.localId;
    }
    this.replaceSameContent(link, f.sha256);
    this.incoming.set(key, t);
    this.byLocalId.set(t.localId, t);
    void this.acceptIncoming(t).catch((err: unknown) => this.failIncoming(t, 'IO_ERROR', (err as Error).message, true));
    return t.localId;
  }

  /** Ends one transfer (a file of a job that ended): `tellPeer` sends FILE_CANCEL / FILE_DECLINE. */
  abort(localId: string, code: ErrorCode, message: string, tellPeer: boolean): void {
    const t = this.byLocalId.get(localId);
    if (t && 'sender' in t) this.failOutgoing(t, code, message, tellPeer);
    else if (t && 'receiver' in t) this.failIncoming(t, code, message, tellPeer);
  }

  /**
   * Device `t.device` answered the offer first: the other devices are told it was answered
   * elsewhere, and forgotten. False if another device had answered already.
   */
  private answerOffer(t: Outgoing): boolean {
    const g = t.group;
    if (g.answeredBy !== null) return g.answeredBy === t;
    g.answeredBy = t;
    for (const o of g.offers) {
      if (o === t || o.state !== 'offered') continue;
      o.state = 'failed';
      const link = this.host.link(o.device);
      const code = errorCodeToWire('ANSWERED_ELSEWHERE');
      if (link) this.control(link, { type: ControlType.FILE_CANCEL, transferId: o.transferId, code, message: ERROR_HINTS.ANSWERED_ELSEWHERE });
    }
    this.byLocalId.set(t.localId, t);
    return true;
  }

  private async startSending(link: PeerLink, t: Outgoing, have: Array<[number, number]>): Promise<void> {
    if (t.state !== 'offered' || !this.answerOffer(t)) return;
    t.state = 'sending';
    try {
      t.handle = await fs.open(t.path, 'r');
      const st = await t.handle.stat();
      if (st.size !== t.bytes) throw new PeerChatError('IO_ERROR', `${t.name} changed since it was offered; send it again.`);
    } catch (err) {
      this.failOutgoing(t, err instanceof PeerChatError ? err.code : 'IO_ERROR', (err as Error).message, true);
      return;
    }
    const resumed = countChunks(have, t.bytes, t.chunkSize);
    this.emitFor(t, 'transfer-started', {
      id: t.localId,
      direction: 'send',
      peer: t.peer,
      name: t.name,
      bytes: t.bytes,
      resumedBytes: resumed,
    });
    const haveMap = chunkMapOf(have, t.bytes, t.chunkSize);
    t.haveMap = haveMap;
    if (t.bytes - resumed >= LANE_MIN_BYTES) {
      const lanes = (await this.host.lanes(link, (late) => this.laneOpened(t, late))).filter((l) => !l.closed);
      // (A FILE_ACCEPT may have moved it to datagrams meanwhile.)
      if (lanes.length > 0 && t.state === 'sending' && !t.sender) return this.sendOnLanes(t, lanes, resumed);
    }
    if (t.state === 'sending' && !t.sender) this.sendDatagrams(link, t, haveMap);
  }

  /**
   * Sends the file's missing chunks over stream lanes, all drawing from one queue of reads
   * (laneTransfers.ts); the receiver's FILE_RESULT ends it as it ends a transfer by datagrams.
   * A lane that closes leaves the rest to the others; when the last one closes, the rest goes as
   * datagrams.
   */
  private sendOnLanes(t: Outgoing, lanes: OutLane[], resumed: number): void {
    const sender: LaneSender = new LaneSender(
      {
        transferId: t.transferId,
        bytes: t.bytes,
        chunkSize: t.chunkSize,
        handle: t.handle!,
        stillSending: () => t.state === 'sending' && t.laneSender === sender,
        progress: (bytes) => this.progress(t, 'send', Math.min(t.bytes, bytes), t.bytes),
        allQueued: () => this.host.log('debug', `transfer ${t.localId}: every chunk handed to the lanes; waiting for the receiver's check`),
        readFailed: (err) => this.failOutgoing(t, 'IO_ERROR', `Could not read ${t.name}: ${err.message}`, true),
        log: (m) => this.host.log('debug', `transfer ${t.localId}: ${m}`),
        laneLost: (_lane, left) => this.laneLost(t, left),
      },
      t.haveMap!.missingRanges(),
      resumed,
      // A lead lane stuck for twice the round trip is waiting out a timeout, not repairing a loss.
      () => Math.max(STANDBY_AFTER_MS, 2 * (this.host.link(t.device)?.channel.stats().srttMs ?? 0)),
    );
    t.laneSender = sender;
    const direct = lanes.some((l) => l.kind === 'direct');
    this.emitFor(t, 'transfer-route', { id: t.localId, peer: t.peer, path: direct ? 'direct' : 'relay', lane: 'tcp' });
    for (const lane of lanes) this.laneOpened(t, lane);
  }

  /** `lane` carries `t` too (it opened late, or with the others): it draws from the same queue. */
  private laneOpened(t: Outgoing, lane: OutLane): void {
    if (t.state !== 'sending' || !t.laneSender?.add(lane)) return;
    if (t.laneSender.liveLanes > 1) this.host.log('debug', `transfer ${t.localId}: ${t.laneSender.liveLanes} lanes draw from one queue of reads`);
  }

  /** Stops using the lanes of `t` (done, failed, or moving to datagrams); returns those it held. */
  private leaveLane(t: Outgoing): OutLane[] {
    const held = t.laneSender?.detach() ?? [];
    t.laneSender = null;
    if (t.laneFallback) clearTimeout(t.laneFallback);
    t.laneFallback = null;
    return held;
  }

  /**
   * A lane of `t` closed before the receiver confirmed the file. While another lives, it carries
   * the rest (the receiver, seeing the lane close, names what it lacks: `onLaneGap`); after the
   * last, the rest goes as datagrams.
   */
  private laneLost(t: Outgoing, left: number): void {
    if (t.state !== 'sending') return;
    if (left > 0) {
      this.host.log('debug', `a lane to ${t.peer} closed during ${t.name}; ${left} other(s) carry the rest`);
      return;
    }
    this.leaveLane(t);
    this.host.log('info', `the lane to ${t.peer} closed during ${t.name}; the rest goes as datagrams`);
    t.laneFallback = setTimeout(() => {
      t.laneFallback = null;
      const link = this.host.link(t.device);
      if (link && t.state === 'sending' && !t.sender) this.sendDatagrams(link, t, t.haveMap!);
    }, LANE_FALLBACK_WAIT_MS);
  }

  /**
   * A FILE_ACCEPT for a transfer already sending: the receiver lost a lane and says what it has.
   * With lanes left, they send what it lacks; with none, datagrams do.
   */
  private onLaneGap(link: PeerLink, t: Outgoing, have: Array<[number, number]>): void {
    if (t.state !== 'sending' || t.sender) return;
    const map = chunkMapOf(have, t.bytes, t.chunkSize);
    t.haveMap = map;
    // A lane whose bytes have waited for LANE_STALL_MS / 2 is on a path that died with the one the
    // receiver lost (a firewall, a NAT rebinding): it is closed, not trusted with the rest.
    t.laneSender?.closeStuck(LANE_STALL_MS / 2, 'stuck while another lane to the same device closed');
    const live = t.laneSender?.liveLanes ?? 0;
    if (t.laneSender && live > 0) {
      this.host.log('debug', `transfer ${t.localId}: ${t.peer} lost a lane; the ${live} left send what it lacks`);
      t.laneSender.resend(map.missingRanges(), countChunks(have, t.bytes, t.chunkSize));
      return;
    }
    this.resumeOnDatagrams(link, t, map);
  }

  /** The receiver lost its last lane: what it lacks (`map`) goes as datagrams. */
  private resumeOnDatagrams(link: PeerLink, t: Outgoing, map: ChunkMap): void {
    for (const lane of this.leaveLane(t)) if (lane.users === 0) lane.close('the receiver left it');
    this.sendDatagrams(link, t, map);
  }

  /** Sends the file's missing chunks as datagrams (the transfer engine, src/transport). */
  private sendDatagrams(link: PeerLink, t: Outgoing, haveMap: ChunkMap): void {
    this.emitFor(t, 'transfer-route', { id: t.localId, peer: t.peer, path: link.paths?.path.kind ?? 'relay', lane: 'udp' });
    const reader = new BlockReader(t.handle!);
    t.reader = reader;
    const chunksPerRecord = recordChunksFor(t.chunkSize); // below 2: one chunk per sealed packet
    const sender = new TransferSender({
      transferId: t.transferId,
      totalBytes: t.bytes,
      chunkSize: t.chunkSize,
      skipChunks: (c: number) => haveMap.has(c),
      readChunk: (chunk: number, into: Buffer, offset: number, length: number) =>
        reader.read(chunk * t.chunkSize, into, offset, length),
      transmit: (payload: Buffer, length: number) => this.host.link(t.device)?.sendPayload(payload, length),
      records: chunksPerRecord >= 2 ? link.recordSealer(t.transferId, chunksPerRecord) : undefined,
      now: () => performance.now(),
      onTimerUpdate: () => this.schedulerTimer.poke(),
      congestionControl: (process.env.PEERCHAT_CC as 'bbr' | 'newReno' | undefined) ?? 'bbr',
      // On a direct path, a path that stopped carrying our datagrams is being left for the relay
      // (PathSet), not too narrow for this datagram size: only a path whose keepalive challenges,
      // sent since the timeouts began, were still answered is.
      smallDatagramsGetThrough: (since: number) => {
        const paths = this.host.link(t.device)?.paths;
        return !paths || paths.path.kind === 'relay' || paths.answeredSince(since);
      },
    });
    t.sender = sender;
    sender.on('progress', (acked: number, total: number) => this.progress(t, 'send', acked, total));
    sender.on('done', () => {
      // All data acknowledged; the receiver now checks the hash and answers FILE_RESULT.
      t.state = 'verifying';
    });
    sender.on('failed', (code: string, message: string) => {
      if (code === 'DATAGRAM_TOO_BIG') {
        // Nothing came back for a while at a large datagram size: either the path stopped
        // carrying that size (RFC 8899 §4.3 black hole) or the peer went away. Forget the probed
        // size, so that the next offer probes again; what arrived is kept for a resume.
        const link = this.host.link(t.device);
        if (link) link.datagramBytes = null;
        this.failOutgoing(t, 'TIMEOUT', `${t.peer} stopped answering at large datagram sizes; send ${t.name} again to resume.`, true);
        return;
      }
      this.failOutgoing(t, asCode(code), message, true);
    });
    this.scheduler.add(sender);
    sender.start();
    this.schedulerTimer.poke();
  }

  private progress(t: Outgoing | Incoming, direction: 'send' | 'receive', bytes: number, total: number, force = false): void {
    const now = Date.now();
    if (!force && now - t.lastProgress < PROGRESS_INTERVAL_MS && bytes < total) return;
    if (now - t.lastStatsLog >= STATS_LOG_INTERVAL_MS || bytes >= total) {
      t.lastStatsLog = now;
      const engine = 'sender' in t ? t.sender : t.receiver;
      if (engine) this.host.log('debug', `transfer ${t.localId} ${direction}: ${JSON.stringify(engine.stats())}`);
    }
    t.lastProgress = now;
    this.emitFor(t, 'transfer-progress', { id: t.localId, bytes, total, direction });
  }

  private failOutgoing(t: Outgoing, code: ErrorCode, message: string, tellPeer: boolean): void {
    if (t.state === 'done' || t.state === 'failed') return;
    t.state = 'failed';
    this.leaveLane(t);
    t.sender?.cancel();
    if (t.sender) this.scheduler.remove(t.sender);
    t.reader?.release();
    void t.handle?.close().catch(() => undefined);
    const link = this.host.link(t.device);
    if (tellPeer && link) {
      this.control(link, { type: ControlType.FILE_CANCEL, transferId: t.transferId, code: errorCodeToWire(code), message });
    }
    // An unanswered offer lives on while another device of the member may still answer it.
    if (t.group.answeredBy === null && t.group.offers.some((o) => o.state === 'offered')) return;
    this.emitFor(t, 'transfer-failed', { id: t.localId, code, message });
  }

  /** Cancels a file offered to several devices (the sender's /cancel): every offer, one report. */
  private failGroup(t: Outgoing, code: ErrorCode, message: string): void {
    const g = t.group;
    if (g.answeredBy !== null) return this.failOutgoing(g.answeredBy, code, message, true);
    const live = g.offers.find((o) => o.state === 'offered') ?? t;
    for (const o of g.offers) {
      if (o === live || o.state !== 'offered') continue;
      o.state = 'failed';
      const link = this.host.link(o.device);
      if (link) this.control(link, { type: ControlType.FILE_CANCEL, transferId: o.transferId, code: errorCodeToWire(code), message });
    }
    g.answeredBy = live;
    this.failOutgoing(live, code, message, true);
  }

  // ---- receiving ---------------------------------------------------------------------

  private onOffer(link: PeerLink, m: Extract<ControlMessage, { type: typeof ControlType.FILE_OFFER }>): void {
    const key = `${link.device}/${m.transferId}`;
    if (this.incoming.has(key)) return;
    let request: OutgoingRequest | undefined;
    if (m.requestId) {
      const taken = this.requests.takeAnswer(link, m.requestId);
      if (!taken.ok) {
        this.control(link, { type: ControlType.FILE_DECLINE, transferId: m.transferId, code: errorCodeToWire(taken.code), message: taken.message });
        return;
      }
      request = taken.request;
    }
    const t: Incoming = {
      localId: request?.localId ?? this.newLocalId(),
      transferId: m.transferId,
      peer: link.nick,
      device: link.device,
      name: m.name,
      bytes: m.bytes,
      chunkSize: m.chunkSize,
      sha256: m.sha256,
      requestId: m.requestId,
      saveDir: request?.saveDir ?? this.host.options.downloadDir,
      ...offeredState(),
    };
    this.replaceSameContent(link, m.sha256);
    this.incoming.set(key, t);
    this.byLocalId.set(t.localId, t);
    if (m.bytes > this.host.options.maxIncomingBytes || m.chunkSize < MIN_CHUNK_BYTES || m.chunkSize > MAX_CHUNK_BYTES) {
      const message = `${m.name} is ${m.bytes} bytes; this client accepts at most ${this.host.options.maxIncomingBytes}.`;
      this.declineIncoming(t, 'FILE_TOO_LARGE', message);
      this.emitFor(t, 'transfer-failed', { id: t.localId, code: 'FILE_TOO_LARGE', message });
      return;
    }
    // A changed key always asks, whatever the auto-accept setting.
    const autoAccept = Boolean(request) || (this.host.options.acceptFiles === 'always' && !link.keyChanged);
    this.host.emit('file-offer', { id: t.localId, from: link.nick, name: m.name, bytes: m.bytes, sha256: m.sha256.toString('hex'), autoAccept });
    if (autoAccept) void this.acceptIncoming(t);
  }

  /**
   * The same content offered again by the same peer (after a timeout, a restart, or twice by
   * hand) replaces the earlier offer: two transfers must not write one .part file.
   */
  private replaceSameContent(link: PeerLink, sha256: Buffer): void {
    for (const old of this.incoming.values()) {
      if (old.device === link.device && old.sha256.equals(sha256) && (old.state === 'offered' || old.state === 'receiving')) {
        this.failIncoming(old, 'CANCELLED', `Replaced by a new offer of ${old.name}.`, true);
      }
    }
  }

  private declineIncoming(t: Incoming, code: ErrorCode, message: string): void {
    t.state = 'failed';
    const link = this.host.link(t.device);
    if (link) this.control(link, { type: ControlType.FILE_DECLINE, transferId: t.transferId, code: errorCodeToWire(code), message });
  }

  private async acceptIncoming(t: Incoming, saveDir?: string): Promise<void> {
    if (t.state !== 'offered') return;
    const link = this.host.link(t.device);
    if (!link) throw new PeerChatError('PEER_LEFT', `${t.peer} is no longer online.`);
    t.state = 'receiving';
    if (saveDir) t.saveDir = saveDir;
    try {
      await fs.mkdir(t.saveDir, { recursive: true });
      // A failed transfer of the same file may still be saving its map: resume from what it saved.
      await Promise.all(this.partialsClosing);
      t.partial = await openPartial(t.saveDir, t.sha256.toString('hex'), t.bytes, t.chunkSize);
    } catch (err) {
      t.state = 'offered';
      const message = `Cannot write to ${t.saveDir}: ${(err as Error).message}`;
      this.declineIncoming(t, 'IO_ERROR', message);
      this.emitFor(t, 'transfer-failed', { id: t.localId, code: 'IO_ERROR', message });
      return;
    }
    const partial = t.partial;
    // Room for what is still to come? If not, decline now rather than fail half-way (the .part
    // file, if any, stays for a resume once there is room).
    const needed = Math.max(0, t.bytes - partial.resumedChunks * t.chunkSize);
    const free = await (this.host.options.freeSpace ?? statfsFreeSpace)(t.saveDir);
    const space = checkSpace(t.name, t.saveDir, needed, free);
    if (!space.ok) {
      t.partial = null;
      await partial.handle.close().catch(() => undefined);
      this.declineIncoming(t, 'NO_SPACE', space.message);
      this.emitFor(t, 'transfer-failed', { id: t.localId, code: 'NO_SPACE', message: space.message });
      return;
    }
    t.onDisk = Math.min(t.bytes, partial.resumedChunks * t.chunkSize);
    // Hash while writing, so that the check at the end does not read the whole file again; a big
    // file on the hash worker's thread, off the thread that receives (hashWorker.ts).
    const hasher: FileHasher =
      this.host.options.hashThread && t.bytes >= OFF_THREAD_HASH_MIN_BYTES ? this.hashWorker.hasher(partial.partPath, partial.handle, t.bytes) : new PrefixHasher(partial.handle, t.bytes);
    let kept = 0;
    for (const [ms, me] of partial.have.missingRanges()) {
      if (ms > kept) hasher.onDisk(kept * t.chunkSize, Math.min(ms * t.chunkSize, t.bytes));
      kept = me + 1;
    }
    if (kept < partial.have.size) hasher.onDisk(kept * t.chunkSize, t.bytes);
    t.hasher = hasher;
    const writer = new BlockWriter(partial.handle, t.chunkSize, t.bytes, (offset, buf, from, to) => hasher.written(offset, buf, from, to), partial.have);
    t.writer = writer;
    this.emitFor(t, 'transfer-started', {
      id: t.localId,
      direction: 'receive',
      peer: t.peer,
      name: t.name,
      bytes: t.bytes,
      resumedBytes: Math.min(t.bytes, partial.resumedChunks * t.chunkSize),
    });
    const records = new RecordAssembler({
      open: (...record) => this.host.link(t.device)?.openRecord(...record) ?? null,
      now: () => performance.now(),
      // A record that did not arrive intact: its fragments were acknowledged, so the sender
      // would never send those chunks again unless asked (docs/protocol.md "Records").
      onResend: (record, chunks, why) => {
        const to = this.host.link(t.device);
        this.host.log('warn', `transfer ${t.localId}: record ${record} from ${t.peer} not used (${why}); asking for its chunks again`);
        if (to) this.control(to, { type: ControlType.FILE_RESEND, transferId: t.transferId, record, chunks });
      },
    });
    t.records = records;
    // A write of `bytes` file bytes: a full disk is remembered (the transfer fails with NO_SPACE),
    // and what was written counts towards the next save of the chunk map.
    const toDisk = async (write: Promise<void>, bytes: number): Promise<void> => {
      try {
        await write;
      } catch (err) {
        if (isNoSpace(err)) t.noSpace = true;
        throw err;
      }
      this.written(t, partial, receiver, bytes);
    };
    const receiver = new TransferReceiver({
      transferId: t.transferId,
      totalBytes: t.bytes,
      chunkSize: t.chunkSize,
      have: partial.have,
      writeChunk: async (chunk: number, data: Buffer, frame: XferDataFrame) => {
        const fragment = (frame as RecordDataFrame).fragment;
        if (fragment !== undefined) data = await records.stage(fragment); // ciphertext until then
        await toDisk(writer.write(chunk, data), data.length);
      },
      // A stream lane's run of chunks: one write, straight to the file.
      writeRun: (first: number, _count: number, data: Buffer) => toDisk(writer.writeRun(first, data), data.length),
      transmit: (frames: Frame[]) => this.host.link(t.device)?.sendFrames(frames),
      now: () => performance.now(),
      // Linux reports twice the usable buffer and charges each datagram about twice its size:
      // half of what getRecvBufferSize() says is what really fits.
      windowBytes: this.host.recvBufferBytes() > 0 ? this.host.recvBufferBytes() / 2 : FALLBACK_WINDOW_BYTES,
      onTimerUpdate: () => t.timers?.poke(),
    });
    t.receiver = receiver;
    t.timers = new TimerDriver(() => receiver.nextTimerAt(), () => receiver.onTimer());
    receiver.on('progress', (written: number, total: number) => this.progress(t, 'receive', written, total));
    receiver.on('complete', () => void this.finishIncoming(t));
    receiver.on('failed', (code: string, message: string) => {
      if (t.noSpace) this.failIncoming(t, 'NO_SPACE', this.noSpaceSentence(t), true);
      else this.failIncoming(t, asCode(code), message, true);
    });
    t.timers.poke();
    this.control(link, { type: ControlType.FILE_ACCEPT, transferId: t.transferId, have: haveRanges(partial.have) });
    if (partial.have.complete) void this.finishIncoming(t);
  }

  /**
   * `n` more bytes were written: the chunk map is saved every MAP_SAVE_INTERVAL_MS or
   * MAP_SAVE_EVERY_BYTES, whichever comes first (at 100 MB/s a quarter second is 25 MB that a
   * crash would make us fetch again). One save at a time (two would race on the map's temp file).
   */
  private written(t: Incoming, partial: PartialFile, receiver: TransferReceiver, n: number): void {
    t.bytesSinceMapSave += n;
    const now = Date.now();
    if (t.mapSaving || (now - t.lastMapSave <= MAP_SAVE_INTERVAL_MS && t.bytesSinceMapSave < MAP_SAVE_EVERY_BYTES)) return;
    t.lastMapSave = now;
    t.bytesSinceMapSave = 0;
    t.mapSaving = true;
    // Only what is on disk may be claimed by the saved map: flush first.
    const claimed = ChunkMap.deserialize(receiver.chunkMap().serialize());
    const writer = t.writer!;
    t.writes = writer
      .flush()
      .then(async () => {
        if (claimed) await saveMap(partial, t.bytes, t.chunkSize, claimed);
      })
      .catch(() => undefined)
      .finally(() => {
        t.mapSaving = false;
      });
  }

  private async finishIncoming(t: Incoming): Promise<void> {
    if (t.state !== 'receiving' || !t.partial) return;
    t.state = 'verifying';
    // Keep answering retransmitted data with acks for a while (our last acks may be lost);
    // the receiver stops by itself once the sender goes quiet.
    setTimeout(() => {
      t.receiver?.close();
      t.records?.close();
      t.timers?.stop();
    }, 2_000).unref();
    const partial = t.partial;
    const link = this.host.link(t.device);
    try {
      await t.writer?.flush();
      await t.writes;
      t.writer?.release(); // every chunk is in the file: its block buffers can go now
      await partial.handle.datasync();
      const actual = t.hasher ? await t.hasher.digest() : await sha256File(partial.partPath);
      this.host.log('debug', `transfer ${t.localId}: SHA-256 of ${t.name} computed ${t.hasher ? HASHED_VIA[t.hasher.via] : 'by reading the file'}`);
      if (!actual.equals(t.sha256)) {
        await discard(partial);
        t.state = 'failed';
        const message = `${t.name} did not match its SHA-256 after transfer; nothing was kept. Ask ${t.peer} to send it again.`;
        if (link) this.control(link, { type: ControlType.FILE_RESULT, transferId: t.transferId, code: errorCodeToWire('HASH_MISMATCH'), sha256: actual });
        this.emitFor(t, 'transfer-failed', { id: t.localId, code: 'HASH_MISMATCH', message });
        return;
      }
      const finalPath = t.place ? await t.place(partial) : await publish(partial, t.saveDir, t.name);
      t.state = 'done';
      this.progress(t, 'receive', t.bytes, t.bytes, true);
      if (link) this.control(link, { type: ControlType.FILE_RESULT, transferId: t.transferId, code: 0, sha256: actual });
      this.emitFor(t, 'file-received', { id: t.localId, from: t.peer, path: finalPath, bytes: t.bytes, sha256: actual.toString('hex') });
    } catch (err) {
      t.state = 'failed';
      // Every chunk had arrived, but not all reached the disk (it filled while the last blocks
      // were written): keep what did, for a resend once there is room.
      this.keepPartial(t);
      const code: ErrorCode = isNoSpace(err) ? 'NO_SPACE' : 'IO_ERROR';
      const message = code === 'NO_SPACE' ? this.noSpaceSentence(t) : `Could not save ${t.name}: ${(err as Error).message}`;
      if (link) this.control(link, { type: ControlType.FILE_CANCEL, transferId: t.transferId, code: errorCodeToWire(code), message });
      this.emitFor(t, 'transfer-failed', { id: t.localId, code, message });
    }
  }

  /** The disk filled during a transfer: name the folder and how much more the file needs. */
  private noSpaceSentence(t: Incoming): string {
    const written = t.writer ? Math.min(t.bytes, t.writer.onDisk.count * t.chunkSize) : (t.onDisk ?? 0);
    return noSpaceMessage(t.name, t.saveDir, Math.max(0, t.bytes - written));
  }

  /**
   * Keeps a failed transfer's .part file and its map: the same file offered again resumes from
   * here. The map saved is what the writer actually put in the file: after a failed write (a full
   * disk) the flush fails too, and the chunks that did reach the disk must still be claimed, or a
   * resend after freeing space would start over.
   */
  private keepPartial(t: Incoming): void {
    t.hasher?.close();
    const partial = t.partial;
    if (!partial) return;
    const writer = t.writer;
    const closing: Promise<void> = t.writes
      .then(() => writer?.flush())
      .catch(() => undefined)
      .then(async () => {
        if (writer) await saveMap(partial, t.bytes, t.chunkSize, writer.onDisk);
      })
      .catch(() => undefined)
      .finally(() => {
        writer?.release();
        return partial.handle.close().catch(() => undefined);
      })
      .finally(() => this.partialsClosing.delete(closing));
    this.partialsClosing.add(closing);
  }

  private failIncoming(t: Incoming, code: ErrorCode, message: string, tellPeer: boolean): void {
    if (t.state === 'done' || t.state === 'failed') return;
    const wasOffered = t.state === 'offered';
    t.state = 'failed';
    t.receiver?.removeAllListeners();
    t.receiver?.close();
    t.records?.close();
    t.timers?.stop();
    this.keepPartial(t);
    const link = this.host.link(t.device);
    if (tellPeer && link) {
      const type = wasOffered ? ControlType.FILE_DECLINE : ControlType.FILE_CANCEL;
      this.control(link, { type, transferId: t.transferId, code: errorCodeToWire(code), message });
    }
    this.emitFor(t, 'transfer-failed', { id: t.localId, code, message });
  }

  // ---- requests ----------------------------------------------------------------------

  /** Asks every device of member `to` for `name` from its shared folders; returns the request's local id. */
  requestFile(to: string, name: string, saveDir?: string): Promise<string> {
    return this.requests.requestFile(to, name, saveDir);
  }

  // ---- user decisions ----------------------------------------------------------------

  async accept(localId: string, saveDir?: string): Promise<void> {
    const t = this.byLocalId.get(localId);
    if (t && 'receiver' in t && t.state === 'offered') return this.acceptIncoming(t, saveDir);
    const served = this.requests.accept(localId);
    if (served) return served;
    throw new PeerChatError('BAD_COMMAND', `Nothing to accept with id ${localId}.`);
  }

  decline(localId: string): void {
    const t = this.byLocalId.get(localId);
    if (t && 'receiver' in t && t.state === 'offered') {
      this.failIncoming(t, 'DECLINED', 'You declined.', true);
      return;
    }
    if (this.requests.decline(localId)) return;
    throw new PeerChatError('BAD_COMMAND', `Nothing to decline with id ${localId}.`);
  }

  cancel(localId: string): void {
    const t = this.byLocalId.get(localId);
    if (t && 'sender' in t) return this.failGroup(t, 'CANCELLED', 'Cancelled by the sender.');
    if (t && 'receiver' in t) return this.failIncoming(t, 'CANCELLED', 'Cancelled by the receiver.', true);
    // One that ended and was forgotten (forgetEnded): nothing to cancel, as when it had just ended.
    if (this.forgotten.has(localId)) return;
    throw new PeerChatError('BAD_COMMAND', `No transfer with id ${localId}.`);
  }

  // ---- from the peer -----------------------------------------------------------------

  onControl(link: PeerLink, m: ControlMessage): void {
    switch (m.type) {
      case ControlType.FILE_OFFER:
        this.onOffer(link, m);
        break;
      case ControlType.FILE_ACCEPT: {
        const t = this.outgoing.get(`${link.device}/${m.transferId}`);
        if (t?.state === 'sending') this.onLaneGap(link, t, m.have);
        else if (t) void this.startSending(link, t, m.have);
        break;
      }
      case ControlType.FILE_DECLINE: {
        const t = this.outgoing.get(`${link.device}/${m.transferId}`);
        if (!t) break;
        const code = asCode(errorCodeFromWire(m.code) ?? 'DECLINED');
        // The first device to decline answers for the member (unless it only says another answered).
        if (code !== 'ANSWERED_ELSEWHERE' && t.state === 'offered') this.answerOffer(t);
        this.failOutgoing(t, code, m.message || `${link.nick} declined.`, false);
        break;
      }
      case ControlType.FILE_CANCEL: {
        const out = this.outgoing.get(`${link.device}/${m.transferId}`);
        if (out) this.failOutgoing(out, asCode(errorCodeFromWire(m.code) ?? 'CANCELLED'), m.message, false);
        const inc = this.incoming.get(`${link.device}/${m.transferId}`);
        if (inc) this.failIncoming(inc, asCode(errorCodeFromWire(m.code) ?? 'CANCELLED'), m.message, false);
        break;
      }
      case ControlType.FILE_RESEND: {
        const t = this.outgoing.get(`${link.device}/${m.transferId}`);
        const sender = t?.sender;
        if (!t || !sender || (t.state !== 'sending' && t.state !== 'verifying')) break;
        const n = sender.resend(m.record, m.chunks);
        const what = m.record === RESEND_NO_RECORD ? `chunks ${m.chunks.join(', ')}` : `record ${m.record}`;
        this.host.log('warn', `transfer ${t.localId}: ${link.nick} asked for ${what} of ${t.name} again (${n} chunks)`);
        if (sender.status === 'running') {
          t.state = 'sending'; // a sender that was done runs again
          this.scheduler.add(sender);
          this.schedulerTimer.poke();
        }
        break;
      }
      case ControlType.FILE_RESULT: {
        const t = this.outgoing.get(`${link.device}/${m.transferId}`);
        if (!t || t.state === 'done' || t.state === 'failed') break;
        if (m.code === 0 && m.sha256.equals(t.sha256)) {
          t.state = 'done';
          this.leaveLane(t);
          t.sender?.cancel();
          if (t.sender) this.scheduler.remove(t.sender);
          t.reader?.release();
          void t.handle?.close().catch(() => undefined);
          this.progress(t, 'send', t.bytes, t.bytes, true);
          this.emitFor(t, 'file-sent', { id: t.localId, to: t.peer, name: t.name, bytes: t.bytes, sha256: t.sha256.toString('hex') });
        } else {
          const code = asCode(errorCodeFromWire(m.code) ?? 'HASH_MISMATCH');
          this.failOutgoing(t, code, `${t.peer} could not verify ${t.name} (${code}).`, false);
        }
        break;
      }
      case ControlType.FILE_REQUEST:
        void this.requests.onRequest(link, m).catch((err) => this.host.log('warn', `request failed: ${(err as Error).message}`));
        break;
      case ControlType.FILE_REQUEST_DENY:
        this.requests.onDeny(link, m);
        break;
      case ControlType.REQUEST_CANCEL:
        this.requests.onCancel(link, m);
        break;
      default:
        break;
    }
  }

  // ---- stream lanes (laneManager.ts) --------------------------------------------------

  /** Where records from `link`'s device arriving on `lane` go: into the transfer they name. */
  laneSink(link: PeerLink, lane: InLane): LaneRecordSink {
    // A second lane that opens while a transfer arrives on the first (it opened late).
    if (this.host.inLanes(link.device).length > 1) this.watchLaneGaps();
    return (transferId, firstChunk, data) => {
      const t = this.incoming.get(`${link.device}/${transferId}`);
      if (!t?.receiver || t.state !== 'receiving') return null;
      if (!recordFits(firstChunk, data.length, t.chunkSize, t.bytes)) {
        lane.close(`a record for ${t.name} that does not fit the file`);
        return null;
      }
      if (!t.lanes?.has(lane)) {
        (t.lanes ??= new Set()).add(lane);
        // The quiet that makes us ask counts from the first record at the latest (one that held
        // only chunks we had brings no new chunk).
        t.laneGapAskedAt ??= performance.now();
        if (this.host.inLanes(t.device).length > 1) this.watchLaneGaps();
      }
      const written = t.receiver.acceptStreamRun(firstChunk, data);
      t.timers?.poke();
      return written;
    };
  }

  /** Checks every LANE_GAP_MS / 2 while a transfer arrives on several lanes (`checkLaneGaps`). */
  private watchLaneGaps(): void {
    if (this.laneGapTimer) return;
    this.laneGapTimer = setInterval(() => this.checkLaneGaps(), LANE_GAP_MS / 2);
    this.laneGapTimer.unref();
  }

  /**
   * Each transfer arriving on several lanes that got no new chunk for LANE_GAP_MS (or
   * LANE_GAP_RTTS round trips) asks for what it lacks; not while a lane waits for our disk.
   */
  private checkLaneGaps(): void {
    const now = performance.now();
    let watching = false;
    for (const t of this.incoming.values()) {
      if (t.state !== 'receiving' || !t.receiver || !t.lanes?.size || t.laneGapAskedAt === undefined) continue;
      const open = this.host.inLanes(t.device);
      if (open.length < 2) continue;
      watching = true;
      const link = this.host.link(t.device);
      if (!link || open.some((l) => l.waitingForDisk)) continue;
      // Asked before and nothing new came since: the path may be gone (the lanes' own stall checks
      // find that); each ask waits twice as long as the one before.
      if (t.receiver.newStreamChunkAt > t.laneGapAskedAt) t.laneGapAsks = 0;
      const wait = Math.max(LANE_GAP_MS, LANE_GAP_RTTS * link.channel.stats().srttMs) * 2 ** Math.min(6, t.laneGapAsks ?? 0);
      if (now - Math.max(t.receiver.newStreamChunkAt, t.laneGapAskedAt) < wait) continue;
      t.laneGapAskedAt = now;
      t.laneGapAsks = (t.laneGapAsks ?? 0) + 1;
      this.host.log('debug', `transfer ${t.localId}: nothing new from ${open.length} lanes for ${Math.round(wait)} ms; asking for what is missing`);
      this.control(link, { type: ControlType.FILE_ACCEPT, transferId: t.transferId, have: haveRanges(t.receiver.chunkMap()) });
    }
    if (!watching && this.laneGapTimer) {
      clearInterval(this.laneGapTimer);
      this.laneGapTimer = null;
    }
  }

  /** Whether a transfer from this device is receiving on `lane` (a silent lane is then a dead one). */
  laneExpected(link: PeerLink, lane: InLane): boolean {
    for (const t of this.incoming.values()) if (t.device === link.device && t.lanes?.has(lane) && t.state === 'receiving') return true;
    return false;
  }

  /**
   * A lane from this device closed: each transfer it carried asks for the rest again with a
   * FILE_ACCEPT naming what it has. The sender sends that on its other lanes that still move, or
   * as datagrams when none does.
   */
  laneClosed(link: PeerLink, lane: InLane): void {
    for (const t of this.incoming.values()) {
      if (t.device !== link.device || !t.lanes?.delete(lane)) continue;
      if (t.state !== 'receiving' || !t.receiver) continue;
      // Another lane may still be good, or none (they share a path): the sender knows which of
      // its lanes still move. Datagrams may come, so the credit is announced.
      this.host.log('info', `a lane from ${t.peer} closed during ${t.name}; asking for what it lacks (on another lane or as datagrams)`);
      t.receiver.announce();
      t.timers?.poke();
      this.control(link, { type: ControlType.FILE_ACCEPT, transferId: t.transferId, have: haveRanges(t.receiver.chunkMap()) });
    }
  }

  /** A PEER_RECORD fragment: its chunk goes through the receiver like an XFER_DATA, as ciphertext. */
  onRecordFragment(link: PeerLink, f: RecordFragment): void {
    const frame: RecordDataFrame = { type: 'xferData', transferId: f.transferId, pn: f.pn, chunk: f.chunk, data: f.ciphertext, fragment: f };
    this.onData(link, frame);
  }

  onData(link: PeerLink, f: XferDataFrame): void {
    const t = this.incoming.get(`${link.device}/${f.transferId}`);
    if (t?.receiver && t.state === 'receiving') {
      t.receiver.onData(f);
      t.timers?.poke();
    }
  }

  onAck(link: PeerLink, f: XferAckFrame): void {
    const t = this.outgoing.get(`${link.device}/${f.transferId}`);
    if (t?.sender && t.state === 'sending') {
      t.sender.onAck(f);
      this.schedulerTimer.poke();
    }
  }

  /** The path to a device changed (relay ⇄ direct): its transfers start congestion control over there. */
  pathChanged(link: PeerLink): void {
    const now = performance.now();
    for (const t of this.outgoing.values()) if (t.device === link.device && t.state === 'sending') t.sender?.onPathChange(now);
    this.schedulerTimer.poke();
  }

  /** A device left or restarted: everything in flight with it fails (and can be resumed). */
  peerGone(link: PeerLink, code: ErrorCode, message: string): void {
    const device = link.device;
    for (const t of this.outgoing.values()) if (t.device === device) this.failOutgoing(t, code, message, false);
    for (const t of this.incoming.values()) if (t.device === device) this.failIncoming(t, code, message, false);
    this.requests.peerGone(device, code, message);
  }

  /**
   * Drops the transfers that ended at least FORGET_AFTER_MS ago (seen ended by an earlier sweep).
   * Each one held its engine, its disk buffers (a receiver's block pool: up to 8 MiB) and its
   * chunk map: kept for good, a long session grew by megabytes per file. An offer to several
   * devices is kept, under its local id, until every offer of it ended.
   */
  forgetEnded(now: number): void {
    const ripe = (t: Outgoing | Incoming): boolean => {
      if (t.state !== 'done' && t.state !== 'failed') return false;
      t.endedAt ??= now;
      return now - t.endedAt >= FORGET_AFTER_MS;
    };
    for (const [key, t] of this.outgoing) if (ripe(t)) this.outgoing.delete(key);
    for (const [key, t] of this.incoming) if (ripe(t)) this.incoming.delete(key);
    for (const [id, t] of this.byLocalId) {
      const done = 'group' in t ? t.group.offers.every((o) => ripe(o)) : ripe(t);
      if (!done) continue;
      this.byLocalId.delete(id);
      this.forgotten.add(id);
      if (this.forgotten.size > FORGOTTEN_IDS_KEPT) this.forgotten.delete(this.forgotten.values().next().value as string);
    }
  }

  /**
   * Once a second: a record whose fragments stopped coming for RECORD_STALL_MS is given up and
   * asked for again (RecordAssembler.expire): a fragment whose clear header was corrupted in
   * transit went to another record or chunk, and was acknowledged there. A transfer that got no
   * new chunk for as long asks for its lowest missing chunks (FILE_RESEND without a record).
   */
  private expireStalledRecords(): void {
    for (const t of this.incoming.values()) {
      if (t.state !== 'receiving' || !t.receiver) continue;
      t.records?.expire(RECORD_STALL_MS);
      // For a chunk merely in flight, or not sent yet, the sender does nothing (TransferSender.resend).
      const missing = t.receiver.stalledChunks(RECORD_STALL_MS, MAX_RESEND_CHUNKS);
      const link = this.host.link(t.device);
      if (missing.length === 0 || !link) continue;
      this.host.log('warn', `transfer ${t.localId}: nothing new from ${t.peer} for ${RECORD_STALL_MS / 1000} s; asking for chunks ${missing.join(', ')} again`);
      this.control(link, { type: ControlType.FILE_RESEND, transferId: t.transferId, record: RESEND_NO_RECORD, chunks: missing });
    }
  }

  /** Transfers known (tests: forgetEnded leaves only those not ended long enough). */
  get known(): number {
    return this.outgoing.size + this.incoming.size;
  }

  /** Stops everything (leaving): partial files keep their maps for a later resume. */
  close(): void {
    clearInterval(this.forgetTimer);
    clearInterval(this.stallTimer);
    if (this.laneGapTimer) clearInterval(this.laneGapTimer);
    this.schedulerTimer.stop();
    for (const t of this.outgoing.values()) if (t.state === 'offered' || t.state === 'sending') this.failOutgoing(t, 'CANCELLED', 'You left.', true);
    for (const t of this.incoming.values()) if (t.state === 'receiving' || t.state === 'offered') this.failIncoming(t, 'CANCELLED', 'You left.', true);
    this.hashWorker.close();
  }

  private control(link: PeerLink, m: ControlMessage): void {
    link.channel.send(encodeControl(m));
    link.armChannelTimer();
  }
}

function asCode(code: string): ErrorCode {
  return (ERROR_HINTS as Record<string, string>)[code] ? (code as ErrorCode) : 'INTERNAL';
}

function countChunks(have: Array<[number, number]>, bytes: number, chunkSize: number): number {
  let n = 0;
  for (const [s, e] of have) n += Math.max(0, e - s);
  return Math.min(bytes, n * chunkSize);
}

/** The chunk map of a file of `bytes` in `chunkSize` chunks that has `have` (FILE_ACCEPT's ranges): `haveRanges` undone. */
function chunkMapOf(have: Array<[number, number]>, bytes: number, chunkSize: number): ChunkMap {
  const map = new ChunkMap(Math.ceil(bytes / chunkSize));
  for (const [s, e] of have) for (let i = s; i < e && i < map.size; i++) map.set(i);
  return map;
}

/**
 * Chunks already on disk as half-open ranges [start, end), for FILE_ACCEPT. Only the first
 * MAX_RESUME_RANGES are sent: a sender resends the rest, which costs bytes, not correctness.
 */
export function haveRanges(map: ChunkMap): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (const [ms, me] of map.missingRanges(MAX_RESUME_RANGES + 1)) {
    if (ms > start) out.push([start, ms]);
    start = me + 1;
  }
  if (start < map.size && map.missingRanges(MAX_RESUME_RANGES + 1).length <= MAX_RESUME_RANGES) out.push([start, map.size]);
  return out.slice(0, MAX_RESUME_RANGES);
}
