/**
 * Receiving side of one file transfer.
 *
 * - Each XFER_DATA chunk is checked (index, length, credit), written at its position
 *   (positional writes: no reordering buffer), and its packet number acknowledged.
 * - Acks (RFC 9000 §13.2): at once when a packet arrives out of order (a new gap, or filling
 *   one below the largest), else after every XFER_ACK_EVERY_PACKETS packets, else within
 *   XFER_MAX_ACK_DELAY_MS. "At once" means when the datagrams read in the same event-loop
 *   turn have been handled (the ack is due now; the timer driver sends it after pending I/O). Each XFER_ACK carries the most recent MAX_XFER_ACK_RANGES pn
 *   ranges, the ack delay, the credit and the count of chunks written.
 * - Flow control: `maxChunk` is advanced so that (chunks not yet received below maxChunk)
 *   + (chunks received but not yet written) ≤ window chunks (windowBytes / chunkSize). Every
 *   chunk the sender may send is one of those, so data in flight plus data waiting for the
 *   disk never exceeds the window, and the credit never shrinks. A packet for a chunk at or
 *   beyond the credit is dropped unacknowledged.
 * - A receiver that is not complete and hears nothing re-sends its ack with backoff
 *   (XFER_ACK_REPEAT_MIN_MS → XFER_ACK_REPEAT_MAX_MS), so a lost credit update or first ack
 *   cannot stall the sender; after TRANSFER_IDLE_TIMEOUT_MS without data it fails (TIMEOUT).
 *
 * Buffer ownership: `writeChunk(chunk, data)` gets a view into the decoded payload (no copy).
 * It stays valid until the returned promise settles as long as the caller does not reuse the
 * payload buffer (Node's decipher returns a fresh Buffer per call, so it does not); the
 * receiver drops its reference when the promise settles. A writer that keeps the bytes longer
 * must copy them.
 *
 * Timers: call `nextTimerAt()` after construction (the first ack, announcing the credit, is
 * due at once) and after every call; call `onTimer()` when it fires; re-arm also when
 * `onTimerUpdate` is called (writes complete asynchronously). Keep the receiver around for a
 * while after `complete` (e.g. TRANSFER_IDLE_TIMEOUT_MS, or until the sender reports done on
 * the control channel) so that retransmissions caused by lost final acks are answered.
 */
import { EventEmitter } from 'node:events';
import { ChunkMap, ChunkSet } from './chunkMap';
import {
  Frame,
  XFER_PROBE_HEADER_BYTES,
  XferAckFrame,
  XferDataFrame,
  XferProbeAckFrame,
  XferProbeFrame,
} from './frames';
import {
  MAX_CHUNK_COUNT,
  MAX_PN_JUMP,
  MAX_XFER_ACK_RANGES,
  MIN_RECEIVE_WINDOW_CHUNKS,
  PACKET_OVERHEAD,
  PROGRESS_INTERVAL_MS,
  TRANSFER_IDLE_TIMEOUT_MS,
  XFER_ACK_BATCH_MAX_PACKETS,
  XFER_ACK_EVERY_PACKETS,
  XFER_ACK_REPEAT_MAX_MS,
  XFER_ACK_REPEAT_MIN_MS,
  XFER_MAX_ACK_DELAY_MS,
  XFER_TRACKED_PN_RANGES,
} from './limits';
import { PacketNumberRanges } from './packetNumberRanges';
import type { TransferFailureCode } from './transferSender';

export interface TransferReceiverEvents {
  /** Throttled to one per PROGRESS_INTERVAL_MS, and once at the end. */
  progress: [bytesWritten: number, total: number];
  /** Every chunk is written. */
  complete: [];
  failed: [code: TransferFailureCode, message: string];
}

export interface TransferReceiverOptions {
  transferId: number;
  totalBytes: number;
  chunkSize: number;
  /** Resume: chunks already written in the .part file (it is used and updated in place). */
  have?: ChunkMap;
  /**
   * Positional write of one chunk; see "Buffer ownership" above. `frame` is the frame it came
   * in (a caller whose frames carry ciphertext decrypts first, see RecordAssembler). A rejection
   * whose `code` is 'RESEND' leaves the chunk missing (it will come again in another packet); one
   * whose `code` is a TransferFailureCode fails the transfer with that code, any other with
   * WRITE_FAILED.
   */
  writeChunk(chunk: number, data: Buffer, frame: XferDataFrame): Promise<void>;
  /**
   * Positional write of `count` consecutive chunks from `first` (stream lanes, see
   * acceptStreamRun); absent: one writeChunk per chunk.
   */
  writeRun?(first: number, count: number, data: Buffer): Promise<void>;
  /** Send one datagram holding these frames (the caller encodes, seals, sends). */
  transmit(frames: Frame[]): void;
  /** Clock in milliseconds. */
  now(): number;
  /**
   * Receive window in bytes. Size it from the socket receive buffer the kernel granted; Linux
   * charges each datagram its full skb (≈ 2 × a 1200-byte payload), so half the granted
   * SO_RCVBUF is a safe figure. Never below MIN_RECEIVE_WINDOW_CHUNKS chunks.
   */
  windowBytes: number;
  /** Called when a write completed asynchronously and `nextTimerAt()` may have changed. */
  onTimerUpdate?: () => void;
}

export interface TransferReceiverStats {
  packets: number;
  duplicateChunks: number;
  /** Chunks dropped because they were at or beyond the credit (a misbehaving sender). */
  beyondCredit: number;
  /** Packets with a chunk index or length that does not fit the file, or an implausible packet number. */
  malformed: number;
  acksSent: number;
  /** Chunks that came over a stream lane (not counted in `packets`). */
  streamChunks: number;
  /** Chunks taken, then not written: they will come again (`writeChunk` rejected with code RESEND). */
  unstaged: number;
  chunksWritten: number;
  pendingWrites: number;
  maxChunk: number;
  windowChunks: number;
}

type ReceiverState = 'receiving' | 'complete' | 'failed' | 'closed';

/** The XFER_PROBE_ACK answering a probe that arrived alone in its datagram. */
export function probeAckFor(probe: XferProbeFrame): XferProbeAckFrame {
  return {
    type: 'xferProbeAck',
    transferId: probe.transferId,
    probeId: probe.probeId,
    size: XFER_PROBE_HEADER_BYTES + probe.padding + PACKET_OVERHEAD,
  };
}

export class TransferReceiver extends EventEmitter<TransferReceiverEvents> {
  readonly transferId: number;
  readonly totalBytes: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  readonly windowChunks: number;

  private readonly opts: TransferReceiverOptions;
  private state: ReceiverState = 'receiving';
  private completeEmitted = false;
  private readonly written: ChunkMap;
  /** Chunks handed to the disk and not yet written. */
  private readonly pending: ChunkSet;
  private bytesWritten = 0;
  private maxChunk = 0;
  /** Chunks below maxChunk neither written nor pending. */
  private missingBelow = 0;
  private advertisedMaxChunk = -1;
  private readonly received = new PacketNumberRanges(XFER_TRACKED_PN_RANGES);
  private largestAt = 0;
  private elicitingSinceAck = 0;
  private ackDueAt: number | null;
  private lastAckSentAt: number;
  private lastDataAt: number;
  /** When a chunk not held before last came (stalledChunks). */
  private lastNewChunkAt: number;
  /** When a chunk not held before last came over a stream lane (`newStreamChunkAt`). */
  private lastNewStreamChunkAt = -Infinity;
  private repeatDelay = XFER_ACK_REPEAT_MIN_MS;
  private lastProgressAt = -Infinity;
  /**
   * The last data came over a stream lane: the sender is not waiting for credit, so the
   * receiver does not send window updates (one ack per quarter window was ~500 datagrams and
   * their handling per 256 MiB); the repeat acks of `onTimer` still go. Datagram data, or an
   * `announce()`, ends it.
   */
  private streaming = false;
  private readonly counters = { packets: 0, duplicateChunks: 0, beyondCredit: 0, malformed: 0, acksSent: 0, streamChunks: 0, unstaged: 0 };

  constructor(opts: TransferReceiverOptions) {
    super();
    const { transferId, totalBytes, chunkSize } = opts;
    if (!Number.isInteger(transferId) || transferId < 0 || transferId > 0xffffffff) {
      throw new RangeError('transferId must be a u32');
    }
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) throw new RangeError('totalBytes must be a safe integer ≥ 0');
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError('chunkSize must be a positive integer');
    const chunkCount = ChunkMap.chunkCountFor(totalBytes, chunkSize);
    if (chunkCount > MAX_CHUNK_COUNT) throw new RangeError('file has more chunks than a u32 can index');
    if (opts.have && opts.have.size !== chunkCount) throw new RangeError('have map does not match the file');
    this.opts = opts;
    this.transferId = transferId;
    this.totalBytes = totalBytes;
    this.chunkSize = chunkSize;
    this.chunkCount = chunkCount;
    this.pending = new ChunkSet(chunkCount);
    this.windowChunks = Math.max(MIN_RECEIVE_WINDOW_CHUNKS, Math.floor(opts.windowBytes / chunkSize));
    this.written = opts.have ?? new ChunkMap(chunkCount);
    this.bytesWritten = this.written.count * chunkSize;
    if (chunkCount > 0 && this.written.has(chunkCount - 1)) this.bytesWritten -= chunkSize - this.chunkLength(chunkCount - 1);
    if (this.written.complete) {
      this.bytesWritten = totalBytes;
      this.state = 'complete';
    }
    this.extendCredit();
    const now = opts.now();
    this.ackDueAt = now; // announce the credit at once
    this.lastAckSentAt = now;
    this.lastDataAt = now;
    this.lastNewChunkAt = now;
  }

  get complete(): boolean {
    return this.state === 'complete';
  }

  /** The chunks written so far (persist `chunkMap().serialize()` for resume). */
  chunkMap(): ChunkMap {
    return this.written;
  }

  onData(frame: XferDataFrame): void {
    if (frame.transferId !== this.transferId || this.state === 'failed' || this.state === 'closed') return;
    const now = this.opts.now();
    this.counters.packets++;
    const c = frame.chunk;
    // A packet number far beyond any sent so far is a record fragment's clear header corrupted in
    // transit (docs/protocol.md "Records"): acknowledged, it would hide every real ack beneath it.
    if (c >= this.chunkCount || frame.data.length !== this.chunkLength(c) || frame.pn > Math.max(0, this.received.largest) + MAX_PN_JUMP) {
      this.counters.malformed++;
      return; // not acknowledged: nothing of it was kept
    }
    if (this.written.has(c) || this.pending.has(c)) {
      this.counters.duplicateChunks++;
    } else if (c >= this.maxChunk) {
      this.counters.beyondCredit++;
      this.streaming = false; // a sender on datagrams again: it needs the window updates
      return; // not acknowledged: the sender will resend it within credit
    } else {
      this.pending.add(c);
      this.missingBelow--;
      this.lastNewChunkAt = now;
      void this.write(c, frame);
    }
    this.lastDataAt = now;
    this.streaming = false;
    this.repeatDelay = XFER_ACK_REPEAT_MIN_MS;
    const largestBefore = this.received.largest;
    if (!this.received.add(frame.pn)) return; // a duplicated datagram: acked already
    if (frame.pn > largestBefore) this.largestAt = now;
    this.elicitingSinceAck++;
    // RFC 9000 §13.2.1: ack at once when the packet is out of order (below the largest, or
    // above it with a gap); RFC 9000 §13.2.2: at least every second ack-eliciting packet.
    // The ack is made due now rather than sent from here: the timer driver runs due timers
    // after the datagrams already read in this event-loop turn (setImmediate), so a burst read
    // at once gets one ack, not one per two packets. Each ack costs the receiver a seal and a
    // send, the relay a forward and the sender an open; at 1200-byte datagrams that was a
    // third of all datagrams. A receiver keeping up reads one or two datagrams per turn and
    // still acks every second packet, so the sender's delivery-rate samples stay dense.
    if (this.elicitingSinceAck >= XFER_ACK_BATCH_MAX_PACKETS) {
      this.sendAck(now); // a long batch still gets an ack every few packets (one lost ack must not stall the sender)
    } else if (frame.pn !== largestBefore + 1 || this.elicitingSinceAck >= XFER_ACK_EVERY_PACKETS) {
      this.ackDueAt = now;
    } else if (this.ackDueAt === null) {
      this.ackDueAt = now + XFER_MAX_ACK_DELAY_MS;
    }
  }

  /**
   * File bytes that came over a stream lane (docs/protocol.md "Stream lanes"): consecutive chunks
   * from `first`, as one record carried them. TCP delivered them in order and the lane's own
   * flow control paced them, so they carry no packet number, are never acknowledged and are not
   * held to the credit. The chunks not here yet are written a run at a time (`writeRun`, one
   * call per run rather than per chunk). Returns the promise of those writes (failures fail the
   * transfer as any write's do), or null when nothing was taken: not receiving, every chunk here
   * already, or bytes that do not fit the file (counted in `malformed`; nothing of them is kept).
   */
  acceptStreamRun(first: number, data: Buffer): Promise<void> | null {
    if (this.state !== 'receiving') return null;
    const ends: number[] = [];
    let o = 0;
    for (let c = first; o < data.length; c++) {
      if (!Number.isInteger(c) || c < 0 || c >= this.chunkCount) break;
      o += this.chunkLength(c);
      ends.push(o);
    }
    if (data.length === 0 || o !== data.length) {
      this.counters.malformed++;
      return null;
    }
    this.lastDataAt = this.opts.now();
    this.streaming = true;
    const writes: Array<Promise<void>> = [];
    let runStart = -1;
    const flushRun = (end: number): void => {
      if (runStart < 0) return;
      const from = runStart === first ? 0 : ends[runStart - first - 1];
      writes.push(this.writeRunOf(runStart, end - runStart, data.subarray(from, ends[end - first - 1])));
      runStart = -1;
    };
    for (let i = 0; i < ends.length; i++) {
      const c = first + i;
      if (this.written.has(c) || this.pending.has(c)) {
        this.counters.duplicateChunks++;
        flushRun(c);
        continue;
      }
      this.counters.streamChunks++;
      this.lastNewChunkAt = this.lastDataAt;
      this.lastNewStreamChunkAt = this.lastDataAt;
      this.pending.add(c);
      if (c < this.maxChunk) this.missingBelow--;
      if (runStart < 0) runStart = c;
    }
    flushRun(first + ends.length);
    if (writes.length === 0) return null;
    return writes.length === 1 ? writes[0] : Promise.all(writes).then(() => undefined);
  }

  /** Writes `count` pending chunks from `first` (one call when the caller can write a run). */
  private writeRunOf(first: number, count: number, data: Buffer): Promise<void> {
    let p: Promise<void>;
    const run = this.opts.writeRun;
    try {
      if (run) {
        p = run(first, count, data);
      } else {
        const parts: Array<Promise<void>> = [];
        for (let i = 0, o = 0; i < count; i++) {
          const len = this.chunkLength(first + i);
          parts.push(this.opts.writeChunk(first + i, data.subarray(o, o + len), { type: 'xferData', transferId: this.transferId, pn: -1, chunk: first + i, data: data.subarray(o, o + len) }));
          o += len;
        }
        p = Promise.all(parts).then(() => undefined);
      }
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      () => {
        if (this.state !== 'receiving') return;
        for (let c = first; c < first + count; c++) {
          this.pending.delete(c);
          this.written.set(c);
        }
        this.bytesWritten += data.length;
        this.afterWrites();
      },
      (err: unknown) => this.fail('WRITE_FAILED', `writing chunks ${first}–${first + count - 1} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  /**
   * When no new chunk came for `stallMs` (none since the last call that answered): up to `limit`
   * chunks the sender may send (below the credit), neither written nor being written, lowest
   * first, to ask for again (FILE_RESEND). A clear header corrupted in transit can have a chunk
   * acknowledged that never arrived (docs/protocol.md "Records"). Else, or when not receiving: [].
   */
  stalledChunks(stallMs: number, limit: number): number[] {
    const now = this.opts.now();
    if (this.state !== 'receiving' || now - this.lastNewChunkAt < stallMs) return [];
    this.lastNewChunkAt = now;
    return this.missingChunks(limit);
  }

  /** When a chunk not held before last came over a stream lane (-Infinity: none yet). */
  get newStreamChunkAt(): number {
    return this.lastNewStreamChunkAt;
  }

  /** Up to `limit` chunks below the credit, neither written nor being written, lowest first. */
  missingChunks(limit: number): number[] {
    const out: number[] = [];
    for (let c = this.written.firstMissing; c < this.maxChunk && out.length < limit; c = this.written.nextMissing(c + 1)) {
      if (!this.pending.has(c)) out.push(c);
    }
    return out;
  }

  /** Makes an ack due now (a sender is about to send as datagrams: it needs the credit). */
  announce(): void {
    if (this.state !== 'receiving') return;
    this.streaming = false;
    this.ackDueAt = this.opts.now();
    this.repeatDelay = XFER_ACK_REPEAT_MIN_MS;
  }

  /** Answer a size probe (it must have arrived alone in its datagram). */
  onProbe(frame: XferProbeFrame): void {
    if (frame.transferId !== this.transferId || this.state === 'closed') return;
    this.opts.transmit([probeAckFor(frame)]);
  }

  nextTimerAt(): number | null {
    if (this.state === 'failed' || this.state === 'closed') return null;
    if (this.state === 'complete' && !this.completeEmitted) return this.opts.now();
    let t = this.ackDueAt;
    if (this.state === 'receiving') {
      const repeat = Math.max(this.lastAckSentAt, this.lastDataAt) + this.repeatDelay;
      const timeout = this.lastDataAt + TRANSFER_IDLE_TIMEOUT_MS;
      const m = Math.min(repeat, timeout);
      if (t === null || m < t) t = m;
    }
    return t;
  }

  onTimer(): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    const now = this.opts.now();
    if (this.state === 'receiving' && now - this.lastDataAt >= TRANSFER_IDLE_TIMEOUT_MS) {
      this.fail('TIMEOUT', `no data for ${TRANSFER_IDLE_TIMEOUT_MS / 1000} s`);
      return;
    }
    if (this.ackDueAt !== null && this.ackDueAt <= now) {
      this.sendAck(now);
    } else if (this.state === 'receiving' && now >= Math.max(this.lastAckSentAt, this.lastDataAt) + this.repeatDelay) {
      this.sendAck(now);
      this.repeatDelay = Math.min(this.repeatDelay * 2, XFER_ACK_REPEAT_MAX_MS);
    }
    if (this.state === 'complete' && !this.completeEmitted) this.emitComplete();
  }

  /** Stop: no more acks, no timers; pending writes finish but are not reported. */
  close(): void {
    this.state = 'closed';
  }

  stats(): TransferReceiverStats {
    return {
      ...this.counters,
      chunksWritten: this.written.count,
      pendingWrites: this.pending.size,
      maxChunk: this.maxChunk,
      windowChunks: this.windowChunks,
    };
  }

  // ------------------------------------------------------------------------------------------

  private chunkLength(c: number): number {
    return c === this.chunkCount - 1 ? this.totalBytes - c * this.chunkSize : this.chunkSize;
  }

  /** Move the credit up while the window has room (see the class comment). */
  private extendCredit(): void {
    while (this.maxChunk < this.chunkCount && this.missingBelow + this.pending.size < this.windowChunks) {
      // A chunk pending already (one a stream lane brought beyond the credit) is not missing.
      if (!this.written.has(this.maxChunk) && !this.pending.has(this.maxChunk)) this.missingBelow++;
      this.maxChunk++;
    }
  }

  private write(c: number, frame: XferDataFrame): Promise<void> {
    let p: Promise<void>;
    try {
      p = this.opts.writeChunk(c, frame.data, frame);
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      () => this.onWritten(c),
      (err: unknown) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (code === 'RESEND') this.unstage(c);
        else if (code === 'TAMPERED') this.fail('TAMPERED', `chunk ${c}: ${(err as Error).message}`);
        else this.fail('WRITE_FAILED', `writing chunk ${c} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  /**
   * Chunk `c` was not written and will come again (its record was given up and asked for again,
   * see RecordAssembler): it is missing once more, and a later packet with it is taken.
   */
  private unstage(c: number): void {
    if (this.state !== 'receiving' || !this.pending.delete(c)) return;
    if (c < this.maxChunk) this.missingBelow++;
    this.counters.unstaged++;
  }

  private onWritten(c: number): void {
    if (this.state !== 'receiving') return;
    this.pending.delete(c);
    this.written.set(c);
    this.bytesWritten += this.chunkLength(c);
    this.afterWrites();
  }

  /** Chunks reached the disk: credit, completion, progress, a window update. */
  private afterWrites(): void {
    this.extendCredit();
    const now = this.opts.now();
    if (this.written.complete) {
      this.state = 'complete';
      this.sendAck(now);
      this.emitComplete();
    } else {
      if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) {
        this.lastProgressAt = now;
        this.emit('progress', this.bytesWritten, this.totalBytes);
      }
      // A window update worth telling the sender about now rather than with the next ack.
      if (!this.streaming && this.maxChunk - this.advertisedMaxChunk >= Math.max(1, this.windowChunks >> 2)) this.sendAck(now);
    }
    this.opts.onTimerUpdate?.();
  }

  private sendAck(now: number): void {
    const largest = this.received.largest;
    const frame: XferAckFrame = {
      type: 'xferAck',
      transferId: this.transferId,
      largest: largest < 0 ? 0 : largest,
      ackDelayUs: largest < 0 ? 0 : Math.min(0xffffffff, Math.max(0, Math.round((now - this.largestAt) * 1000))),
      ranges: this.received.descending(MAX_XFER_ACK_RANGES),
      maxChunk: this.maxChunk,
      written: this.written.count,
    };
    this.advertisedMaxChunk = this.maxChunk;
    this.elicitingSinceAck = 0;
    this.ackDueAt = null;
    this.lastAckSentAt = now;
    this.counters.acksSent++;
    this.opts.transmit([frame]);
  }

  private emitComplete(): void {
    if (this.completeEmitted) return;
    this.completeEmitted = true;
    this.emit('progress', this.totalBytes, this.totalBytes);
    this.emit('complete');
  }

  private fail(code: TransferFailureCode, message: string): void {
    if (this.state !== 'receiving') return;
    this.state = 'failed';
    this.emit('failed', code, message);
  }
}
