/**
 * A file's bytes over stream lanes (docs/protocol.md "Stream lanes"), both ends: the sender
 * reads the chunks the receiver lacks, a megabyte at a time, and seals them as records (up to
 * MAX_LANE_RECORD_DATA_BYTES of consecutive chunks each) straight out of the read buffer; the
 * receiver cuts a record back into chunks and refuses one that does not fit the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { MAX_LANE_RECORD_DATA_BYTES } from '../protocol/laneFrames';
import type { NumberRange } from '../transport/frames';
import type { OutLane } from './streamLane';

/** Below this many bytes still to send, a file goes as datagrams: a lane would not pay for its setup. */
export const LANE_MIN_BYTES = 4 * 1024 * 1024;

export interface LaneSend {
  transferId: number;
  bytes: number;
  chunkSize: number;
  handle: FileHandle;
  /** False once the transfer ended or left the lanes: every lane's loop stops. */
  stillSending(): boolean;
  /** File bytes done: the receiver's at the start, plus those the lanes' kernels took since (not those queued). */
  progress(bytes: number): void;
  /** Every chunk asked for was handed to a lane's kernel (the receiver's check comes next). */
  allQueued?(): void;
  /** The file could not be read: the transfer fails. */
  readFailed(err: Error): void;
  /** The debug log. */
  log?(message: string): void;
  /** `lane` closed under the transfer; `left` lanes still carry it (0: none). */
  laneLost?(lane: OutLane, left: number): void;
}

/** File bytes read at once (records of one read are consecutive): 16 records of 64 KiB. */
const READ_BYTES = 1024 * 1024;
/** Reads under way ahead of each lane's socket (they go to libuv's thread pool and overlap). */
const READS_AHEAD = 3;
/** Bytes queued in a lane's socket before its loop waits for it to drain. */
const QUEUE_BYTES = 1024 * 1024;
/**
 * A lead lane whose socket took nothing for this long (ms) is stuck (a retransmission timeout,
 * not a loss that fast retransmit repairs within a round trip): the standbys take reads.
 */
export const STANDBY_AFTER_MS = 25;

/**
 * Sends a file's missing chunks over one or more lanes, which draw reads from one queue
 * (docs/protocol.md "Stream lanes"). The first lane leads; the others stand by and take reads
 * only while the lead's socket has taken nothing for `standbyAfterMs` (its TCP connection waiting
 * out a retransmission timeout, 200 ms at least on Linux) or once it closed. On a clean path one
 * connection carries the file (two in parallel cost both ends more CPU: 273 against 290 MB/s on
 * the lab); on a lossy one a stalled connection no longer stalls the transfer. The receiver does
 * not care which lane a record came by: each names its transfer and first chunk.
 *
 * Per lane, the file is read READ_BYTES at a time (several consecutive records per read, into
 * buffers used again once their records are sealed: a fresh 64 KiB buffer per record cost the
 * sender more CPU in allocation, page faults and thread-pool round trips than the reading
 * itself), READS_AHEAD reads ahead, and up to QUEUE_BYTES wait in the socket, so reading, sealing
 * and the kernel's sending overlap instead of taking turns.
 *
 * What a lane holds when it closes or stalls at the end is not in the queue any more; the
 * receiver names what it lacks (FILE_ACCEPT: a lane closed, or nothing new came for a while) and
 * `resend` plans the queue again from that.
 */
export class LaneSender {
  private readonly perRecord: number;
  private readonly recordsPerRead: number;
  private readonly bufferBytes: number;
  /** Reads to do, [first chunk, chunks], at most recordsPerRead records of one missing range each. */
  private reads: Array<[number, number]> = [];
  private next = 0;
  /** Bumped by `resend`: a read taken before it is not counted again. */
  private generation = 0;
  /** Lanes in the order added: the first open one leads. */
  private readonly lanes: OutLane[] = [];
  private readonly running = new Set<OutLane>();
  private readonly spare: Buffer[] = [];
  /** Since when the lead waits for its socket to drain (null: it does not). */
  private leadWaitingSince: number | null = null;
  private standbyWaiters: Array<() => void> = [];
  /** The lead was stuck once: every lane takes reads (`mayTake`). */
  private helping = false;
  /** File bytes sealed into lanes, all lanes (since the last `resend`), and the base below them. */
  private handed = 0;
  private base = 0;
  private lastTaken = 0;
  private failed = false;
  private detached = false;
  /** Reads taken by standing-by lanes, and times the lead was stuck (stats, tests). */
  standbyReads = 0;
  stalls = 0;

  constructor(
    private readonly s: LaneSend,
    missing: NumberRange[],
    /** Bytes the receiver had when it accepted: progress counts from them. */
    resumedBytes = 0,
    /** How long the lead's socket may take nothing before the others help (ms). */
    private readonly standbyAfterMs: () => number = () => STANDBY_AFTER_MS,
  ) {
    this.base = resumedBytes;
    this.perRecord = Math.max(1, Math.floor(MAX_LANE_RECORD_DATA_BYTES / s.chunkSize));
    this.recordsPerRead = Math.max(1, Math.floor(READ_BYTES / (this.perRecord * s.chunkSize)));
    this.bufferBytes = this.recordsPerRead * this.perRecord * s.chunkSize;
    this.plan(missing);
  }

  /** Lanes sending now (not closed). */
  get liveLanes(): number {
    return this.lanes.filter((l) => !l.closed).length;
  }

  /**
   * Starts sending on `lane` too (from the shared queue). The transfer holds it (`users`, which
   * keeps LaneManager from closing it as idle) until it closes or `detach`.
   */
  add(lane: OutLane): boolean {
    if (this.detached || this.lanes.includes(lane) || lane.closed) return false;
    this.lanes.push(lane);
    lane.users++;
    lane.once('closed', this.onLaneClosed);
    this.run(lane);
    return true;
  }

  /**
   * The transfer is done with its lanes (done, failed, or going on as datagrams): it lets go of
   * them, and they carry the next files. Loops still running stop at their next check of
   * `stillSending`. Returns the lanes it held.
   */
  detach(): OutLane[] {
    this.detached = true;
    const held = this.lanes.splice(0);
    for (const lane of held) {
      lane.off('closed', this.onLaneClosed);
      lane.users--;
    }
    this.wakeStandbys();
    return held;
  }

  /** Closes the lanes whose bytes have not moved for `ms` (ms): on a path that died. */
  closeStuck(ms: number, reason: string): void {
    for (const lane of [...this.lanes]) if (!lane.closed && lane.stuckMs >= ms) lane.close(reason);
  }

  private readonly onLaneClosed = (): void => {
    const lost = this.lanes.filter((l) => l.closed);
    for (const lane of lost) {
      this.lanes.splice(this.lanes.indexOf(lane), 1);
      lane.users--;
    }
    this.wakeStandbys(); // the lead may be gone: another takes over
    for (const lane of lost) this.s.laneLost?.(lane, this.lanes.length);
  };

  /**
   * The receiver lacks these chunks (ranges inclusive) and has `doneBytes`: plan the queue again
   * from them, for every lane. Chunks still in flight may come twice; the receiver writes a
   * chunk once.
   */
  resend(missing: NumberRange[], doneBytes: number): void {
    this.generation++;
    this.base = doneBytes;
    this.handed = 0;
    this.lastTaken = 0;
    this.plan(missing);
    for (const lane of this.lanes) if (!this.running.has(lane)) this.run(lane);
    this.wakeStandbys();
  }

  private plan(missing: NumberRange[]): void {
    const step = this.perRecord * this.recordsPerRead;
    this.reads = [];
    this.next = 0;
    for (const [first, last] of missing) {
      for (let c = first; c <= last; c += step) this.reads.push([c, Math.min(step, last + 1 - c)]);
    }
  }

  private get dry(): boolean {
    return this.next >= this.reads.length;
  }

  private take(): [number, number] | undefined {
    return this.next < this.reads.length ? this.reads[this.next++] : undefined;
  }

  private lead(): OutLane | undefined {
    return this.lanes.find((l) => !l.closed);
  }

  /**
   * Whether `lane` may take reads now: it leads, or the lead has been stuck once (from then on
   * every lane takes reads: a connection recovering from a timeout moves slowly for a while, in
   * short bursts, and a path that caused one will cause more).
   */
  private mayTake(lane: OutLane): boolean {
    if (this.helping || this.lead() === lane) return true;
    if (this.leadWaitingSince === null || performance.now() - this.leadWaitingSince < this.standbyAfterMs()) return false;
    this.helping = true;
    return true;
  }

  /** A standby waits until woken (the lead stuck or gone, a resend) or `standbyAfterMs` passed. */
  private standBy(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.standbyAfterMs());
      this.standbyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wakeStandbys(): void {
    const w = this.standbyWaiters;
    this.standbyWaiters = [];
    for (const f of w) f();
  }

  private async read([c, n]: [number, number]): Promise<Buffer> {
    const s = this.s;
    const from = c * s.chunkSize;
    const length = Math.min(s.bytes, (c + n) * s.chunkSize) - from;
    const buf = this.spare.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
    for (let got = 0; got < length; ) {
      const { bytesRead } = await s.handle.read(buf, got, length - got, from + got);
      if (bytesRead === 0) throw new Error('the file is shorter than when it was offered');
      got += bytesRead;
    }
    return buf.subarray(0, length);
  }

  /**
   * Bytes the kernels took: handed, less what waits in the live lanes' sockets (which counts
   * each record's framing too: never less than said before, within one plan).
   */
  private taken(): number {
    let queued = 0;
    for (const l of this.lanes) if (!l.closed) queued += l.queuedBytes;
    this.lastTaken = Math.max(this.lastTaken, Math.min(this.s.bytes, this.base + Math.max(0, this.handed - queued)));
    return this.lastTaken;
  }

  private run(lane: OutLane): void {
    this.running.add(lane);
    this.loop(lane).then(
      (finished) => {
        this.running.delete(lane);
        if (finished && this.dry && ![...this.running].some((l) => this.lead() === l) && this.s.stillSending()) {
          this.wakeStandbys(); // those standing by see the queue dry and end
          if (this.running.size === 0) {
            this.s.progress(this.taken());
            this.s.allQueued?.();
          }
        }
      },
      (err: Error) => {
        this.running.delete(lane);
        this.wakeStandbys();
        if (this.failed) return;
        this.failed = true;
        this.s.readFailed(err);
      },
    );
  }

  /** Waits for `lane` to drain; while the lead waits, the standbys may help once it is long. */
  private async drained(lane: OutLane): Promise<void> {
    if (this.lead() !== lane) return lane.drained();
    const since = performance.now();
    this.leadWaitingSince = since;
    const timer = setTimeout(() => {
      this.stalls++;
      if (this.liveLanes > 1 && !this.helping) this.s.log?.(`the lead lane took nothing for ${Math.round(performance.now() - since)} ms; from now on ${this.liveLanes} lanes take reads`);
      this.wakeStandbys();
    }, this.standbyAfterMs());
    try {
      await lane.drained();
    } finally {
      clearTimeout(timer);
      if (this.leadWaitingSince === since) this.leadWaitingSince = null;
    }
  }

  /** One lane's loop: true when the queue ran dry, false when it stopped (ended, closed). */
  private async loop(lane: OutLane): Promise<boolean> {
    const s = this.s;
    const generation = this.generation;
    const ahead: Array<{ at: [number, number]; bytes: Promise<Buffer> }> = [];
    const fill = (): void => {
      if (!this.mayTake(lane)) return;
      const standby = this.lead() !== lane;
      while (ahead.length < READS_AHEAD && this.generation === generation) {
        const at = this.take();
        if (!at) break;
        if (standby) this.standbyReads++;
        const bytes = this.read(at);
        bytes.catch(() => undefined); // awaited in order below; a rejection is not unhandled meanwhile
        ahead.push({ at, bytes });
      }
    };
    const recordBytes = this.perRecord * s.chunkSize;
    for (;;) {
      if (!s.stillSending() || lane.closed || this.failed) return false;
      fill();
      if (ahead.length === 0) {
        if (this.dry) return true;
        if (this.generation !== generation) return this.loop(lane);
        await this.standBy(); // not the lead, and the lead is moving
        continue;
      }
      const { at, bytes: pending } = ahead.shift()!;
      const bytes = await pending;
      for (let o = 0, c = at[0]; o < bytes.length; o += recordBytes, c += this.perRecord) {
        if (!s.stillSending() || lane.closed || this.failed) return false;
        const data = bytes.subarray(o, Math.min(bytes.length, o + recordBytes));
        lane.sendChunks(s.transferId, c, data); // sealed before it returns: `bytes` may be reused after
        if (this.generation === generation) this.handed += data.length;
        if (lane.queuedBytes > QUEUE_BYTES) {
          s.progress(this.taken());
          fill();
          await this.drained(lane);
          if (!s.stillSending() || lane.closed) return false;
        }
      }
      this.spare.push(Buffer.from(bytes.buffer, bytes.byteOffset, this.bufferBytes));
      s.progress(this.taken());
      if (this.generation !== generation) {
        // `resend` planned the queue again: what this loop read ahead is in the new plan too.
        ahead.length = 0;
        return this.loop(lane);
      }
    }
  }
}

/**
 * Whether a record's bytes fit a file of `bytes` bytes in chunks of `chunkSize`: they start at a
 * chunk inside the file and end at a chunk boundary or at the file's end.
 */
export function recordFits(firstChunk: number, length: number, chunkSize: number, bytes: number): boolean {
  const start = firstChunk * chunkSize;
  const end = start + length;
  return length > 0 && start < bytes && end <= bytes && (end === bytes || length % chunkSize === 0);
}
