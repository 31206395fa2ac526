/**
 * Bulk sender of one file transfer: selective repeat in the manner of QUIC (RFC 9002).
 *
 * - Every datagram carries one XFER_DATA frame with a fresh packet number (RFC 9000 §12.3:
 *   never reused); a lost chunk is resent in a new packet.
 * - Loss detection per RFC 9002 §6.1: a packet is lost when a packet sent ≥ 3 later is acked
 *   (kPacketThreshold) or when it was sent more than 9/8 × max(smoothed_rtt, latest_rtt)
 *   before an acked one (kTimeThreshold); the probe timeout of §6.2 covers tail losses.
 * - RTT per RFC 9002 §5 (rttEstimator.ts), delivery rate per
 *   draft-cheng-iccrg-delivery-rate-estimation, congestion control behind an interface
 *   (BBR by default, congestionController.ts), pacing by token bucket (pacer.ts).
 * - Flow control: only chunks with index < maxChunk from the receiver's latest XFER_ACK are
 *   sent (the receiver sizes that credit to its socket buffer).
 * - Memory is flat: file bytes are read into a fixed pool of datagram buffers
 *   (READ_AHEAD_BYTES) right behind the 13-byte XFER_DATA header, and each buffer goes back to
 *   the pool as soon as `transmit` returns. Sent packets are tracked in typed arrays.
 *
 * Driving it: call `start()`; feed every XFER_ACK for this transfer to `onAck()`; keep one
 * timer at `nextTimerAt()` and call `onTimer()` when it fires (≤ now means "as soon as
 * possible"). Re-arm after every call into the sender and whenever `onTimerUpdate` is called
 * (reads complete asynchronously). Or add it to a SendScheduler, which does all of this
 * for every sender it holds.
 *
 * `transmit(datagram, length)`: `datagram[0..length)` is the plaintext payload; the buffer is
 * reused as soon as `transmit` returns, so the caller seals (copies) it synchronously.
 *
 * Records (optional, `records`): at small datagram sizes the client seals up to
 * `records.maxChunks` chunks at once (one AEAD message, a record) and sends each chunk's
 * ciphertext in its own datagram. The sender then seals new chunks a record at a time, right
 * before the first of them goes out, returns their read buffers to the pool at once, and keeps
 * each record until every one of its chunks is acknowledged: a lost chunk is resent as the
 * same fragment (same ciphertext, same record nonce) in a new packet, never re-read and
 * re-sealed (the file may have changed: same nonce, different plaintext).
 *
 * Datagram size: fixed per transfer (chunkSize = datagram size − PACKET_OVERHEAD −
 * XFER_DATA_HEADER_BYTES). If the path stops carrying that size (BLACK_HOLE_PTO_COUNT probe
 * timeouts in a row with a datagram above DEFAULT_DATAGRAM_BYTES, on a path that acknowledged
 * something before, while smallDatagramsGetThrough says so), the sender fails with
 * DATAGRAM_TOO_BIG; the caller restarts the transfer at DEFAULT_DATAGRAM_BYTES, converting the
 * receiver's map with `ChunkMap.rechunk` so nothing already received is sent again
 * (RFC 8899 §4.3: black-hole detection falls back to the base size).
 */
import { EventEmitter } from 'node:events';
import { ChunkMap } from './chunkMap';
import { CongestionControlKind, CongestionController, createCongestionController } from './congestionController';
import { encodeXferDataInto, NumberRange, XFER_DATA_HEADER_BYTES, XferAckFrame } from './frames';
import {
  BLACK_HOLE_PTO_COUNT,
  DEFAULT_DATAGRAM_BYTES,
  MAX_CHUNK_COUNT,
  MAX_DATAGRAM_BYTES,
  PACKET_OVERHEAD,
  PACKET_THRESHOLD,
  PERSISTENT_CONGESTION_THRESHOLD,
  PROGRESS_INTERVAL_MS,
  READ_AHEAD_BYTES,
  READ_AHEAD_MAX_BUFFERS,
  READ_AHEAD_MIN_BUFFERS,
  TIME_THRESHOLD,
  TIMER_GRANULARITY_MS,
  TRANSFER_IDLE_TIMEOUT_MS,
  TRANSFER_MAX_PTO_MS,
  XFER_MAX_ACK_DELAY_MS,
} from './limits';
import { Pacer } from './pacer';
import { RttEstimator } from './rttEstimator';
import { PacketFlag, PacketState, SentPacketLog } from './sentPacketLog';

/** TAMPERED: data that failed authentication was staged (records only: see RecordAssembler). */
export type TransferFailureCode = 'TIMEOUT' | 'READ_FAILED' | 'WRITE_FAILED' | 'DATAGRAM_TOO_BIG' | 'TAMPERED';

export interface TransferSenderEvents {
  /** Throttled to one per PROGRESS_INTERVAL_MS, and once at the end. */
  progress: [bytesAcked: number, total: number];
  /** Every chunk is acknowledged by the receiver (it may still be writing the last ones). */
  done: [];
  failed: [code: TransferFailureCode, message: string];
}

export interface TransferSenderOptions {
  transferId: number;
  /** File size; may exceed 4 GiB (chunk indices are u32). */
  totalBytes: number;
  /** Bytes per chunk; the datagram is chunkSize + XFER_DATA_HEADER_BYTES + PACKET_OVERHEAD. */
  chunkSize: number;
  /** Resume: chunks the receiver already has (called once per chunk by `start()`). */
  skipChunks?: (chunk: number) => boolean;
  /** Read `length` file bytes of `chunk` into `into[offset..offset+length)`. */
  readChunk(chunk: number, into: Buffer, offset: number, length: number): Promise<void>;
  /** Send `datagram[0..length)`; the buffer is reused once this returns. */
  transmit(datagram: Buffer, length: number): void;
  /** Clock in milliseconds. */
  now(): number;
  /** A shared pacing budget to draw from in addition to the sender's own pacing. */
  pacer?: Pacer;
  /** 'bbr' (default), 'newReno', or a controller instance. */
  congestionControl?: CongestionControlKind | CongestionController;
  /** Credit before the first XFER_ACK (default 0: wait for the receiver's first ack). */
  initialMaxChunk?: number;
  /** The receiver's max_ack_delay (default XFER_MAX_ACK_DELAY_MS). */
  peerMaxAckDelayMs?: number;
  /** Read-ahead memory (default READ_AHEAD_BYTES). */
  readAheadBytes?: number;
  /** Seal chunks several at a time (see the class comment); `transmit` is then used for none. */
  records?: RecordSealer;
  /** Called when a read completed asynchronously and `nextTimerAt()` may have changed. */
  onTimerUpdate?: () => void;
  /**
   * Whether a small datagram sent at or after `since` (ms, this clock) made the round trip to
   * the peer and back, for example a direct path's keepalive challenge that was answered. Probe
   * timeouts end the transfer with DATAGRAM_TOO_BIG only if it says so for the time since the
   * streak of timeouts began: when our small datagrams do not get through either, the path is
   * out (it will be switched), not too narrow. Something merely heard from the peer is no such
   * evidence: it says nothing of the direction our data takes.
   * Absent: every probe timeout counts, as RFC 8899's black-hole detection assumes.
   */
  smallDatagramsGetThrough?: (since: number) => boolean;
}

export interface TransferSenderStats {
  state: TransferSenderState;
  sentPackets: number;
  /** Wire bytes sent (payload + PACKET_OVERHEAD), first transmissions and retransmissions. */
  sentBytes: number;
  retransmittedPackets: number;
  /** Records sealed (0 without `records`). */
  records: number;
  /** Chunks kept sealed in records until they are acknowledged. */
  recordChunksHeld: number;
  /** File bytes sent again. */
  retransmittedBytes: number;
  lostPackets: number;
  /** Packets declared lost whose ack arrived afterwards. */
  spuriousLosses: number;
  probeTimeouts: number;
  srttMs: number;
  minRttMs: number;
  cwndBytes: number;
  pacingRateBytesPerSec: number;
  bytesInFlight: number;
  bytesAcked: number;
  chunksAcked: number;
  maxChunk: number;
  written: number;
}

export type TransferSenderState = 'created' | 'running' | 'done' | 'failed' | 'cancelled';

/** A record as the sealing layer made it; opaque to the sender apart from its sizes. */
export interface SealedRecord {
  /** Wire bytes of each fragment's datagram (for congestion control and pacing). */
  readonly wireBytes: readonly number[];
  /** The record's number, as a receiver's FILE_RESEND names it. */
  readonly record: number;
}

/** The sealing layer's side of records (see the class comment). */
export interface RecordSealer {
  /** Most chunks in one record (2..16). */
  readonly maxChunks: number;
  /** Seals chunk `chunks[i]` = `data[i]` as one record; the views are reused after the call. */
  seal(chunks: readonly number[], data: readonly Buffer[]): SealedRecord;
  /** Sends fragment `index` of `record` as transfer packet `pn`. */
  send(record: SealedRecord, index: number, pn: number): void;
}

/** A record is kept while any fragment refers to it (fragmentOf and the send queues). */
interface RecordState {
  sealed: SealedRecord;
  chunks: number[];
  /** The receiver gave it up (resend): none of its fragments goes out again. */
  dropped: boolean;
}

/** One chunk's fragment, ready to go out. */
interface Fragment {
  rec: RecordState;
  index: number;
  chunk: number;
  retransmit: boolean;
}

/** Hooks a SendScheduler installs: it pumps the sender and supplies the shared budget. */
export interface SenderAttachment {
  wake(): void;
  pacer: Pacer | null;
}

interface Slot {
  buf: Buffer;
  chunk: number;
  length: number;
  retransmit: boolean;
}

/** Buffers kept back from new-chunk reads so a retransmission never waits for the pool. */
const RESERVED_RETRANSMIT_SLOTS = 1;
/**
 * Records whose chunks are remembered by number for a receiver's FILE_RESEND, the newest ones (a
 * receiver asks within a round trip of a record's last fragment, or RECORD_STALL_MS later). Only
 * their chunk numbers: a record's ciphertext goes once all of it is acknowledged.
 */
const RECORDS_REMEMBERED = 4096;
/**
 * FILE_RESENDs a transfer honours beyond one per record sealed; the next one fails it (TAMPERED:
 * a receiver that keeps asking for the same records again is broken, or the path keeps corrupting).
 */
export const EXTRA_RECORD_RESENDS = 64;

export class TransferSender extends EventEmitter<TransferSenderEvents> {
  readonly transferId: number;
  readonly totalBytes: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  /** Wire size of a full datagram of this transfer. */
  readonly datagramBytes: number;

  private readonly opts: TransferSenderOptions;
  private state: TransferSenderState = 'created';
  private readonly acked: ChunkMap;
  private bytesAcked = 0;
  private nextNew = 0;
  private readonly retx: number[] = [];
  private retxHead = 0;
  private readonly free: Slot[] = [];
  private readonly readyRetx: Slot[] = [];
  private readonly readyNew: Slot[] = [];
  private readyNewHead = 0;
  private readonly records: RecordSealer | null;
  /** Chunk → its fragment, for every chunk sent in a record and not yet acknowledged. */
  private readonly fragmentOf = new Map<number, Fragment>();
  /** Fragments of the newest record not sent yet, then lost ones to resend (retransmit first). */
  private readonly newFragments: Fragment[] = [];
  private newFragmentsHead = 0;
  private readonly retxFragments: Fragment[] = [];
  /** The chunks of the newest RECORDS_REMEMBERED records, by record number (resend). */
  private readonly recentRecords = new Map<number, readonly number[]>();
  private resends = 0;
  /** Reused by sealNextRecord. */
  private readonly recordChunks: number[] = [];
  private readonly recordData: Buffer[] = [];
  private readonly log = new SentPacketLog();
  private bytesInFlight = 0;
  private largestAcked = -1;
  private lossTime: number | null = null;
  private ptoCount = 0;
  /** When the current streak of probe timeouts began (see smallDatagramsGetThrough). */
  private ptoStreakStart = 0;
  /**
   * A packet sent on the current path was acknowledged. Probe timeouts count towards a
   * datagram-size black hole only after that: the search restarts per path (RFC 8899 §4.3, RFC
   * 9000 §9.4), and a path that never acknowledged anything is not known to carry any size. The
   * idle timeout (TRANSFER_IDLE_TIMEOUT_MS) still ends a transfer that hears nothing at all.
   */
  private ackedOnPath = false;
  private probesPending = 0;
  private lastAckElicitingSentAt = 0;
  private maxChunk: number;
  private written = 0;
  private lastAckAt = 0;
  private rtt = new RttEstimator();
  private cc: CongestionController;
  private readonly pacer: Pacer;
  private attachment: SenderAttachment | null = null;
  private pumping = false;
  private readonly peerMaxAckDelay: number;
  // draft-cheng-iccrg-delivery-rate-estimation §3.1 connection state
  private delivered = 0;
  private deliveredTime = 0;
  private firstSentTime = 0;
  private appLimitedUntil = 0;
  private lastProgressAt = -Infinity;
  /** Ranges of the last ack processed (descending). */
  private prevAckRanges: readonly NumberRange[] = [];
  private readonly counters = {
    sentPackets: 0,
    sentBytes: 0,
    retransmittedPackets: 0,
    records: 0,
    retransmittedBytes: 0,
    lostPackets: 0,
    spuriousLosses: 0,
    probeTimeouts: 0,
  };

  constructor(opts: TransferSenderOptions) {
    super();
    const { transferId, totalBytes, chunkSize } = opts;
    if (!Number.isInteger(transferId) || transferId < 0 || transferId > 0xffffffff) {
      throw new RangeError('transferId must be a u32');
    }
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) throw new RangeError('totalBytes must be a safe integer ≥ 0');
    const maxChunkSize = MAX_DATAGRAM_BYTES - PACKET_OVERHEAD - XFER_DATA_HEADER_BYTES;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > maxChunkSize) {
      throw new RangeError(`chunkSize must be 1..${maxChunkSize}`);
    }
    const chunkCount = ChunkMap.chunkCountFor(totalBytes, chunkSize);
    if (chunkCount > MAX_CHUNK_COUNT) throw new RangeError('file has more chunks than a u32 can index');
    this.opts = opts;
    const records = opts.records ?? null;
    if (records && (!Number.isInteger(records.maxChunks) || records.maxChunks < 2 || records.maxChunks > 16)) {
      throw new RangeError('records.maxChunks must be 2..16');
    }
    this.records = records;
    this.transferId = transferId;
    this.totalBytes = totalBytes;
    this.chunkSize = chunkSize;
    this.chunkCount = chunkCount;
    this.datagramBytes = chunkSize + XFER_DATA_HEADER_BYTES + PACKET_OVERHEAD;
    this.acked = new ChunkMap(chunkCount);
    this.maxChunk = Math.min(opts.initialMaxChunk ?? 0, chunkCount);
    this.peerMaxAckDelay = opts.peerMaxAckDelayMs ?? XFER_MAX_ACK_DELAY_MS;
    const cc = opts.congestionControl ?? 'bbr';
    this.cc = typeof cc === 'string' ? createCongestionController(cc, this.datagramBytes, transferId) : cc;
    this.pacer = new Pacer(opts.now(), this.cc.pacingRate, this.datagramBytes);
    const poolSize = Math.max(
      READ_AHEAD_MIN_BUFFERS,
      Math.min(READ_AHEAD_MAX_BUFFERS, Math.floor((opts.readAheadBytes ?? READ_AHEAD_BYTES) / this.datagramBytes)),
    );
    for (let i = 0; i < poolSize; i++) {
      this.free.push({
        buf: Buffer.allocUnsafe(chunkSize + XFER_DATA_HEADER_BYTES),
        chunk: 0,
        length: 0,
        retransmit: false,
      });
    }
    this.pacer.setRate(opts.now(), this.cc.pacingRate);
  }

  get status(): TransferSenderState {
    return this.state;
  }

  /** Begin: mark skipped chunks, start reading and sending. May emit `done` at once. */
  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    const now = this.opts.now();
    this.lastAckAt = now;
    const skip = this.opts.skipChunks;
    if (skip) {
      for (let c = 0; c < this.chunkCount; c++) {
        if (skip(c) && this.acked.set(c)) this.bytesAcked += this.chunkLength(c);
      }
    }
    this.nextNew = this.acked.firstMissing;
    if (this.acked.complete) {
      this.finish();
      return;
    }
    this.pump();
  }

  /** Stop sending; no event is emitted. */
  cancel(): void {
    if (this.state !== 'running' && this.state !== 'created') return;
    this.state = 'cancelled';
    this.lossTime = null;
    this.dropRecords();
    this.attachment?.wake();
  }

  /** Process an XFER_ACK addressed to this transfer. */
  onAck(ack: XferAckFrame): void {
    if (ack.transferId !== this.transferId) return;
    if (this.state !== 'running' && this.state !== 'created') return;
    // Credit is taken even before start(): the receiver's first ack may arrive first.
    if (ack.maxChunk > this.maxChunk) this.maxChunk = Math.min(ack.maxChunk, this.chunkCount);
    if (ack.written > this.written) this.written = Math.min(ack.written, this.chunkCount);
    if (this.state !== 'running') return;
    const now = this.opts.now();
    this.lastAckAt = now;
    if (ack.ranges.length > 0) this.processAckRanges(ack, now);
    if (this.state === 'running') this.pump();
  }

  /**
   * The receiver gave up record `record` (it failed authentication, or never completed: see
   * docs/protocol.md "Records") and asks for it again (FILE_RESEND): every chunk sealed in it,
   * and each of `chunks` (what the receiver staged from it) that was acknowledged or sent in a
   * record, is read afresh and sent one per sealed packet. Acks still to come for their earlier
   * packets no longer count (PacketFlag.Void). A sender that was done runs again (the caller
   * schedules it again). Past one per record sealed, plus EXTRA_RECORD_RESENDS, the transfer fails
   * with TAMPERED. Returns how many chunks go again.
   */
  resend(record: number, chunks: readonly number[]): number {
    if (this.state !== 'running' && this.state !== 'done') return 0;
    if (++this.resends > this.counters.records + EXTRA_RECORD_RESENDS) {
      if (this.state === 'done') this.state = 'running';
      this.fail('TAMPERED', `the receiver asked for ${this.resends} records again: the path corrupts or forges data`);
      return 0;
    }
    const again = new Set<number>();
    const dropRecord = (rec: RecordState | undefined): void => {
      if (rec === undefined || rec.dropped) return;
      rec.dropped = true;
      for (const c of rec.chunks) again.add(c);
    };
    for (const c of [...(this.recentRecords.get(record) ?? []), ...chunks]) {
      if (!(Number.isInteger(c) && c >= 0 && c < this.chunkCount)) continue;
      dropRecord(this.fragmentOf.get(c)?.rec); // a record still in flight: none of it goes again as it was
      again.add(c);
    }
    const reopened = new Set<number>();
    for (const c of again) {
      const inRecord = this.fragmentOf.delete(c);
      const wasAcked = this.acked.unset(c);
      if (!inRecord && !wasAcked) continue; // not sent yet, or in flight on its own: it goes as any chunk
      if (wasAcked) this.bytesAcked -= this.chunkLength(c);
      reopened.add(c);
      this.retx.push(c);
    }
    if (reopened.size === 0) return 0;
    const log = this.log;
    for (let pn = log.base; pn < log.next; pn++) {
      const s = log.slot(pn);
      if (log.state[s] !== PacketState.Empty && reopened.has(log.chunk[s])) log.flags[s] |= PacketFlag.Void | PacketFlag.Superseded;
    }
    if (this.state === 'done') {
      this.state = 'running';
      this.lastAckAt = this.opts.now();
    }
    this.pump();
    return reopened.size;
  }

  nextTimerAt(): number | null {
    if (this.state !== 'running') return null;
    let t = this.lastAckAt + TRANSFER_IDLE_TIMEOUT_MS;
    const loss = this.lossTime ?? this.ptoDeadline();
    if (loss !== null && loss < t) t = loss;
    const now = this.opts.now();
    const send = this.readyAt(now);
    if (send < t) t = send;
    return t;
  }

  onTimer(): void {
    if (this.state !== 'running') return;
    const now = this.opts.now();
    if (now - this.lastAckAt >= TRANSFER_IDLE_TIMEOUT_MS) {
      this.fail('TIMEOUT', `no acknowledgment for ${TRANSFER_IDLE_TIMEOUT_MS / 1000} s`);
      return;
    }
    if (this.lossTime !== null) {
      if (this.lossTime <= now) this.detectLoss(now);
    } else {
      const pto = this.ptoDeadline();
      if (pto !== null && pto <= now) this.onProbeTimeout(now);
    }
    if (this.state === 'running') this.pump();
  }

  stats(): TransferSenderStats {
    return {
      state: this.state,
      ...this.counters,
      recordChunksHeld: this.fragmentOf.size,
      srttMs: this.rtt.smoothedRtt,
      minRttMs: this.rtt.minRtt,
      cwndBytes: this.cc.cwnd,
      pacingRateBytesPerSec: this.cc.pacingRate * 1000,
      bytesInFlight: this.bytesInFlight,
      bytesAcked: this.bytesAcked,
      chunksAcked: this.acked.count,
      maxChunk: this.maxChunk,
      written: this.written,
    };
  }

  // ------------------------------------------------------------------------------------------
  // SendScheduler interface

  /** Called by SendScheduler.add: from now on the scheduler pumps this sender. */
  attach(attachment: SenderAttachment | null): void {
    this.attachment = attachment;
  }

  /**
   * Earliest time the next datagram may go: ≤ now if now, a future time when waiting for
   * pacing tokens, Infinity when waiting for an event (ack, read, credit) or not running.
   */
  readyAt(now: number): number {
    if (this.state !== 'running') return Infinity;
    const wire = this.nextWireBytes();
    if (wire === 0) return Infinity;
    if (this.probesPending > 0) return now; // RFC 9002 §6.2.4: probes ignore cwnd and pacing
    if (this.bytesInFlight + wire > this.cc.cwnd) return Infinity;
    let t = this.pacer.nextSendTime(now, wire);
    const shared = this.sharedPacer();
    if (shared) t = Math.max(t, shared.nextSendTime(now, wire));
    return t;
  }

  /** Send one datagram if one is ready (the caller checked `readyAt`); returns its wire bytes. */
  transmitOne(now: number): number {
    if (this.records !== null) {
      const f = this.nextFragment();
      if (f !== null) return this.transmitFragment(now, f);
    }
    let slot: Slot | undefined;
    while ((slot = this.readyRetx.shift()) !== undefined) {
      if (!this.acked.has(slot.chunk)) break;
      this.free.push(slot); // acknowledged meanwhile (a spurious loss): nothing to resend
    }
    if (slot === undefined) {
      if (this.records !== null) {
        const f = this.nextFragment(); // every lost slot was acknowledged meanwhile
        return f === null ? 0 : this.transmitFragment(now, f);
      }
      if (this.readyNewHead >= this.readyNew.length) return 0;
      slot = this.readyNew[this.readyNewHead++];
      if (this.readyNewHead > 64 && this.readyNewHead * 2 > this.readyNew.length) {
        this.readyNew.splice(0, this.readyNewHead);
        this.readyNewHead = 0;
      }
    }
    const pn = this.log.next;
    encodeXferDataInto(slot.buf, 0, this.transferId, pn, slot.chunk);
    const length = XFER_DATA_HEADER_BYTES + slot.length;
    this.logSent(now, slot.chunk, length + PACKET_OVERHEAD, slot.retransmit, slot.length);
    try {
      this.opts.transmit(slot.buf, length);
    } finally {
      this.free.push(slot);
    }
    this.fillReads();
    return length + PACKET_OVERHEAD;
  }

  // ------------------------------------------------------------------------------------------
  // internals

  /** Records the packet about to be sent as `log.next` and charges it to cwnd and pacing. */
  private logSent(now: number, chunk: number, wire: number, retransmit: boolean, chunkBytes: number): void {
    const log = this.log;
    const s = log.push();
    // draft-cheng-iccrg-delivery-rate-estimation §3.2: restart the interval after idle.
    if (this.bytesInFlight === 0) this.firstSentTime = this.deliveredTime = now;
    log.state[s] = PacketState.InFlight;
    log.flags[s] = (this.appLimitedUntil !== 0 ? PacketFlag.AppLimited : 0) | (retransmit ? PacketFlag.Retransmission : 0);
    log.chunk[s] = chunk;
    log.size[s] = wire;
    log.sentTime[s] = now;
    log.delivered[s] = this.delivered;
    log.deliveredTime[s] = this.deliveredTime;
    log.firstSentTime[s] = this.firstSentTime;
    this.bytesInFlight += wire;
    this.lastAckElicitingSentAt = now;
    if (this.probesPending > 0) this.probesPending--;
    this.pacer.consume(now, wire);
    this.sharedPacer()?.consume(now, wire);
    this.cc.onPacketSent(now, wire, this.bytesInFlight);
    this.counters.sentPackets++;
    this.counters.sentBytes += wire;
    if (retransmit) {
      this.counters.retransmittedPackets++;
      this.counters.retransmittedBytes += chunkBytes;
    }
  }

  private transmitFragment(now: number, f: Fragment): number {
    const pn = this.log.next;
    const wire = f.rec.sealed.wireBytes[f.index];
    this.logSent(now, f.chunk, wire, f.retransmit, this.chunkLength(f.chunk));
    this.records!.send(f.rec.sealed, f.index, pn);
    this.fillReads();
    return wire;
  }

  /**
   * The next fragment to send, sealing a new record from the chunks read so far when there is
   * no fragment left but a new chunk is ready; null when a (retransmitted) slot goes first or
   * nothing is ready. Lost fragments go before everything else, as lost slots do.
   */
  private nextFragment(): Fragment | null {
    let f: Fragment | undefined;
    while ((f = this.retxFragments.shift()) !== undefined) {
      if (!this.acked.has(f.chunk) && !f.rec.dropped) return f;
    }
    if (this.readyRetx.length > 0) return null;
    for (;;) {
      if (this.newFragmentsHead >= this.newFragments.length) {
        this.newFragments.length = 0;
        this.newFragmentsHead = 0;
        if (!this.sealNextRecord()) return null;
      }
      f = this.newFragments[this.newFragmentsHead++];
      if (!f.rec.dropped) return f;
    }
  }

  /** Seals up to maxChunks ready new chunks as one record and queues its fragments. */
  private sealNextRecord(): boolean {
    const records = this.records!;
    const chunks = this.recordChunks;
    const data = this.recordData;
    chunks.length = 0;
    data.length = 0;
    const first = this.readyNewHead;
    while (this.readyNewHead < this.readyNew.length && chunks.length < records.maxChunks) {
      const slot = this.readyNew[this.readyNewHead++];
      chunks.push(slot.chunk);
      data.push(slot.buf.subarray(XFER_DATA_HEADER_BYTES, XFER_DATA_HEADER_BYTES + slot.length));
    }
    if (chunks.length === 0) return false;
    let sealed: SealedRecord;
    try {
      sealed = records.seal(chunks, data);
    } finally {
      for (let i = first; i < this.readyNewHead; i++) this.free.push(this.readyNew[i]);
      if (this.readyNewHead > 64 && this.readyNewHead * 2 > this.readyNew.length) {
        this.readyNew.splice(0, this.readyNewHead);
        this.readyNewHead = 0;
      }
      data.length = 0;
    }
    this.counters.records++;
    const rec: RecordState = { sealed, chunks: chunks.slice(), dropped: false };
    this.recentRecords.set(sealed.record, rec.chunks);
    if (this.recentRecords.size > RECORDS_REMEMBERED) this.recentRecords.delete(this.recentRecords.keys().next().value as number);
    for (let i = 0; i < chunks.length; i++) {
      const f: Fragment = { rec, index: i, chunk: chunks[i], retransmit: false };
      this.fragmentOf.set(chunks[i], f);
      this.newFragments.push(f);
    }
    return true;
  }

  /** Wire bytes of whatever goes out next, 0 if nothing is ready. */
  private nextWireBytes(): number {
    if (this.records !== null) {
      // Lost fragments acknowledged meanwhile (spurious losses) go: the head is what is sent next.
      const retx = this.retxFragments;
      while (retx.length > 0 && (this.acked.has(retx[0].chunk) || retx[0].rec.dropped)) retx.shift();
      if (retx.length > 0) return retx[0].rec.sealed.wireBytes[retx[0].index];
      while (this.newFragmentsHead < this.newFragments.length && this.newFragments[this.newFragmentsHead].rec.dropped) this.newFragmentsHead++;
      if (this.readyRetx.length === 0 && this.newFragmentsHead < this.newFragments.length) {
        const f = this.newFragments[this.newFragmentsHead];
        return f.rec.sealed.wireBytes[f.index];
      }
    }
    const slot = this.peekReady();
    return slot === null ? 0 : slot.length + XFER_DATA_HEADER_BYTES + PACKET_OVERHEAD;
  }

  /** A chunk is acknowledged: its record goes once all of its chunks are. */
  private releaseFragment(c: number): void {
    this.fragmentOf.delete(c);
  }

  /** Drops every record in flight (the transfer is over; recentRecords stay for a resend). */
  private dropRecords(): void {
    this.fragmentOf.clear();
    this.newFragments.length = 0;
    this.newFragmentsHead = 0;
    this.retxFragments.length = 0;
  }

  private sharedPacer(): Pacer | null {
    return this.attachment?.pacer ?? this.opts.pacer ?? null;
  }

  private chunkLength(c: number): number {
    return c === this.chunkCount - 1 ? this.totalBytes - c * this.chunkSize : this.chunkSize;
  }

  private peekReady(): Slot | null {
    if (this.readyRetx.length > 0) return this.readyRetx[0];
    if (this.readyNewHead < this.readyNew.length) return this.readyNew[this.readyNewHead];
    return null;
  }

  private pump(): void {
    if (this.state !== 'running' || this.pumping) return;
    this.pumping = true;
    try {
      this.fillReads();
      if (this.attachment) {
        this.attachment.wake();
      } else {
        const now = this.opts.now();
        while (this.state === 'running' && this.readyAt(now) <= now) this.transmitOne(now);
      }
      this.checkAppLimited();
    } finally {
      this.pumping = false;
    }
  }

  /**
   * draft-cheng-iccrg-delivery-rate-estimation §3.4: when the sender has nothing to send
   * while cwnd has room (waiting for the disk or for flow-control credit), rate samples are
   * marked app-limited so they do not pull the bandwidth estimate down.
   */
  private checkAppLimited(): void {
    if (this.nextWireBytes() === 0 && this.bytesInFlight < this.cc.cwnd) {
      this.appLimitedUntil = this.delivered + this.bytesInFlight || 1;
    }
  }

  /** Start reads into free buffers: retransmissions first, then new chunks within credit. */
  private fillReads(): void {
    if (this.records !== null) this.queueLostFragments();
    while (this.free.length > 0 && this.state === 'running') {
      let chunk = -1;
      let retransmit = false;
      while (this.retxHead < this.retx.length) {
        const c = this.retx[this.retxHead++];
        if (!this.acked.has(c)) {
          chunk = c;
          retransmit = true;
          break;
        }
      }
      if (this.retxHead > 0 && this.retxHead === this.retx.length) {
        this.retx.length = 0;
        this.retxHead = 0;
      }
      if (chunk < 0) {
        if (this.free.length <= RESERVED_RETRANSMIT_SLOTS) return;
        if (this.nextNew >= this.maxChunk) return;
        chunk = this.nextNew;
        this.nextNew = this.acked.nextMissing(chunk + 1);
      }
      const slot = this.free.pop()!;
      slot.chunk = chunk;
      slot.length = this.chunkLength(chunk);
      slot.retransmit = retransmit;
      this.startRead(slot);
    }
  }

  /** Lost chunks that went out in a record are resent as the same fragment: no read, no slot. */
  private queueLostFragments(): void {
    let w = this.retxHead;
    for (let r = this.retxHead; r < this.retx.length; r++) {
      const c = this.retx[r];
      if (this.acked.has(c)) continue;
      const f = this.fragmentOf.get(c);
      if (f !== undefined) this.retxFragments.push({ rec: f.rec, index: f.index, chunk: c, retransmit: true });
      else this.retx[w++] = c;
    }
    this.retx.length = w;
  }

  private startRead(slot: Slot): void {
    let p: Promise<void>;
    try {
      p = this.opts.readChunk(slot.chunk, slot.buf, XFER_DATA_HEADER_BYTES, slot.length);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      () => {
        if (this.state !== 'running') {
          this.free.push(slot);
          return;
        }
        if (slot.retransmit) this.readyRetx.push(slot);
        else this.readyNew.push(slot);
        this.pump(); // attached: wakes the scheduler, which notifies its own owner
        if (!this.attachment) this.opts.onTimerUpdate?.();
      },
      (err: unknown) => {
        this.free.push(slot);
        this.fail('READ_FAILED', `reading chunk ${slot.chunk} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  private processAckRanges(ack: XferAckFrame, now: number): void {
    const log = this.log;
    let ackedBytes = 0;
    let newest = -1; // largest newly acknowledged pn: the rate sample's packet
    // Only the parts of the ranges that the previous ack did not cover can hold newly acked
    // packets: scanning just those keeps ack processing proportional to what is new.
    const prev = this.prevAckRanges;
    let j = 0;
    for (const [start, end] of ack.ranges) {
      const s = Math.max(start, log.base);
      let hi = Math.min(end, log.next - 1);
      while (hi >= s) {
        while (j < prev.length && prev[j][0] > hi) j++;
        let lo = s;
        let nextHi = -1;
        if (j < prev.length && prev[j][1] >= s) {
          lo = Math.max(s, prev[j][1] + 1);
          nextHi = prev[j][0] - 1;
        }
        for (let pn = hi; pn >= lo; pn--) {
          const slot = log.slot(pn);
          const st = log.state[slot];
          if (st === PacketState.InFlight) {
            log.state[slot] = PacketState.Acked;
            const size = log.size[slot];
            this.bytesInFlight -= size;
            ackedBytes += size;
            this.delivered += size;
            if (pn > newest) newest = pn;
            const c = log.chunk[slot];
            if ((log.flags[slot] & PacketFlag.Void) === 0 && this.acked.set(c)) {
              this.bytesAcked += this.chunkLength(c);
              this.releaseFragment(c);
            }
          } else if (st === PacketState.Lost) {
            log.state[slot] = PacketState.Acked;
            this.counters.spuriousLosses++;
            const c = log.chunk[slot];
            if ((log.flags[slot] & PacketFlag.Void) === 0 && this.acked.set(c)) {
              this.bytesAcked += this.chunkLength(c);
              this.releaseFragment(c);
            }
          }
        }
        hi = nextHi;
      }
    }
    this.prevAckRanges = ack.ranges;
    if (ackedBytes === 0) {
      this.maybeFinish(now);
      return;
    }
    this.deliveredTime = now;
    // An ack may name packet numbers we never sent: a record fragment's transfer packet number
    // is in clear (docs/protocol.md "Records"), and one corrupted in transit is acknowledged as
    // it arrived. Only what we sent counts; ignoring the whole ack would stall the transfer.
    const largest = Math.min(ack.largest, log.next - 1);
    if (largest > this.largestAcked) this.largestAcked = largest;

    // RFC 9002 §5.1: an RTT sample only when the largest acknowledged is newly acknowledged.
    let rttSample: number | null = null;
    const ackDelay = Math.min(ack.ackDelayUs / 1000, this.peerMaxAckDelay);
    const ns = log.slot(newest);
    if (newest === largest) {
      rttSample = now - log.sentTime[ns];
      this.rtt.update(rttSample, ackDelay, this.peerMaxAckDelay);
    }

    // Delivery-rate sample from the most recently sent newly-acked packet (draft §3.3).
    const priorDelivered = log.delivered[ns];
    const sendElapsed = log.sentTime[ns] - log.firstSentTime[ns];
    const ackElapsed = this.deliveredTime - log.deliveredTime[ns];
    const isAppLimited = (log.flags[ns] & PacketFlag.AppLimited) !== 0;
    this.firstSentTime = log.sentTime[ns];
    if (this.appLimitedUntil !== 0 && this.delivered > this.appLimitedUntil) this.appLimitedUntil = 0;
    const interval = Math.max(sendElapsed, ackElapsed);
    const deliveredInInterval = this.delivered - priorDelivered;
    const valid = interval > 0 && interval >= this.rtt.minRtt;
    const largestAckedSentTime = log.sentTime[ns];

    this.ptoCount = 0; // RFC 9002 §6.2.1: reset on an acknowledgment
    this.ackedOnPath = true; // only packets in flight on this path count in ackedBytes
    this.probesPending = 0;
    this.detectLoss(now);
    this.cc.onAck({
      now,
      ackedBytes,
      bytesInFlight: this.bytesInFlight,
      delivered: this.delivered,
      rttSample,
      ackDelay,
      rtt: this.rtt,
      rate: {
        deliveryRate: valid ? deliveredInInterval / interval : 0,
        isAppLimited,
        priorDelivered,
        delivered: deliveredInInterval,
        interval,
      },
      largestAckedSentTime,
    });
    this.pacer.setRate(now, this.cc.pacingRate);
    log.advanceBase();
    this.maybeFinish(now);
  }

  private maybeFinish(now: number): void {
    if (this.acked.complete) {
      this.finish();
    } else if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) {
      this.lastProgressAt = now;
      this.emit('progress', this.bytesAcked, this.totalBytes);
    }
  }

  /** RFC 9002 §6.1 (packet and time thresholds) and §7.6 (persistent congestion). */
  private detectLoss(now: number): void {
    this.lossTime = null;
    if (this.largestAcked < 0) return;
    const log = this.log;
    const lossDelay = this.rtt.lossDelay(TIME_THRESHOLD);
    const pcDuration = this.rtt.pto(this.peerMaxAckDelay) * PERSISTENT_CONGESTION_THRESHOLD;
    let lostBytes = 0;
    let largestLostSentTime = -Infinity;
    let runStart = -1;
    let persistent = false;
    const end = Math.min(this.largestAcked, log.next);
    for (let pn = log.base; pn < end; pn++) {
      const s = log.slot(pn);
      const st = log.state[s];
      if (st !== PacketState.InFlight) {
        if (st === PacketState.Acked) runStart = -1;
        continue;
      }
      const sent = log.sentTime[s];
      // Compare the same expression that arms lossTime, so the timer cannot fire early.
      const deadline = sent + lossDelay;
      if (this.largestAcked - pn >= PACKET_THRESHOLD || deadline <= now) {
        log.state[s] = PacketState.Lost;
        const size = log.size[s];
        this.bytesInFlight -= size;
        lostBytes += size;
        this.counters.lostPackets++;
        if (sent > largestLostSentTime) largestLostSentTime = sent;
        const c = log.chunk[s];
        if ((log.flags[s] & PacketFlag.Superseded) === 0 && !this.acked.has(c)) this.retx.push(c);
        if (runStart < 0) runStart = sent;
        else if (sent - runStart > pcDuration) persistent = true;
      } else if (this.lossTime === null || deadline < this.lossTime) {
        this.lossTime = deadline;
      }
    }
    if (lostBytes > 0) {
      this.cc.onLoss({ now, lostBytes, bytesInFlight: this.bytesInFlight, largestLostSentTime });
      if (persistent && this.rtt.hasSample) this.cc.onPersistentCongestion(now);
      log.advanceBase();
    }
  }

  private ptoDeadline(): number | null {
    if (this.bytesInFlight === 0) return null;
    const pto = Math.min(TRANSFER_MAX_PTO_MS, this.rtt.pto(this.peerMaxAckDelay) * 2 ** this.ptoCount);
    return this.lastAckElicitingSentAt + Math.max(pto, TIMER_GRANULARITY_MS);
  }

  /** RFC 9002 §6.2.4: send probes; resend the oldest outstanding chunk in a new packet. */
  private onProbeTimeout(now: number): void {
    this.ptoCount++;
    this.counters.probeTimeouts++;
    if (this.ptoCount === 1) this.ptoStreakStart = now;
    const narrow = this.opts.smallDatagramsGetThrough?.(this.ptoStreakStart) ?? true;
    if (this.ptoCount >= BLACK_HOLE_PTO_COUNT && this.datagramBytes > DEFAULT_DATAGRAM_BYTES && this.ackedOnPath && narrow) {
      this.fail(
        'DATAGRAM_TOO_BIG',
        `${this.ptoCount} probe timeouts in a row with ${this.datagramBytes}-byte datagrams; ` +
          `restart the transfer at ${DEFAULT_DATAGRAM_BYTES} bytes`,
      );
      return;
    }
    this.probesPending = 2;
    // The oldest chunk still in flight whose latest copy is not already a probe's.
    const oldest = this.log.oldestInFlight(PacketFlag.Superseded);
    if (oldest >= 0) {
      const s = this.log.slot(oldest);
      this.log.flags[s] |= PacketFlag.Superseded;
      if (!this.acked.has(this.log.chunk[s])) this.retx.push(this.log.chunk[s]);
    }
    // Probes restart the timer from their own send time (lastAckElicitingSentAt); if nothing
    // can be sent right now, restart it from now so backoff still applies.
    this.lastAckElicitingSentAt = now;
  }

  /**
   * The path under this transfer changed (relay ⇄ direct). RTT, congestion control and pacing
   * belong to a path, so they start over, and every packet in flight on the old path is declared
   * lost and sent again on the new one (RFC 9000 §9.4). Records are resent as they were sealed.
   */
  onPathChange(now: number): void {
    if (this.state !== 'running') return;
    const log = this.log;
    for (let pn = log.base; pn < log.next; pn++) {
      const s = log.slot(pn);
      if (log.state[s] !== PacketState.InFlight) continue;
      log.state[s] = PacketState.Lost;
      const c = log.chunk[s];
      if ((log.flags[s] & PacketFlag.Superseded) === 0 && !this.acked.has(c)) this.retx.push(c);
    }
    log.advanceBase();
    this.bytesInFlight = 0;
    this.lossTime = null;
    this.ptoCount = 0;
    this.ackedOnPath = false;
    this.rtt = new RttEstimator();
    const cc = this.opts.congestionControl ?? 'bbr';
    this.cc = typeof cc === 'string' ? createCongestionController(cc, this.datagramBytes, this.transferId) : cc;
    this.pacer.setRate(now, this.cc.pacingRate);
    this.attachment?.wake();
  }

  private finish(): void {
    if (this.state !== 'running') return;
    this.state = 'done';
    this.lossTime = null;
    this.dropRecords();
    this.emit('progress', this.bytesAcked, this.totalBytes);
    this.emit('done');
    this.attachment?.wake(); // lets a scheduler drop this sender
  }

  private fail(code: TransferFailureCode, message: string): void {
    if (this.state !== 'running') return;
    this.state = 'failed';
    this.lossTime = null;
    this.dropRecords();
    this.emit('failed', code, message);
    this.attachment?.wake();
  }
}
