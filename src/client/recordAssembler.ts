/**
 * Receiving side of records (docs/protocol.md, "Records"): holds the ciphertext of each file
 * chunk that arrived in a PEER_RECORD fragment until every fragment of its record is here, then
 * opens the record once and hands each chunk its plaintext.
 *
 * The transfer receiver stages a chunk here only when it would write it (not a duplicate, within
 * credit), so this holds at most a receive window of chunks, and a record can complete only with
 * chunks that were never written before: replaying a record, or a fragment of one, cannot
 * deliver anything twice (the record number is not put through the session's replay window,
 * whose fixed width a record that waits for a retransmission could fall behind).
 *
 * A record that does not arrive intact is given up, and nothing of it is written:
 * - it fails to authenticate, or its fragments disagree (count, epoch, transfer, two fragments
 *   for one place): a corrupted or forged fragment;
 * - or it stops growing for `stallMs` (`expire`): a fragment whose clear header was corrupted
 *   went to another record or chunk, and was acknowledged there.
 * Each of its staged chunks is rejected with RecordResend (the receiver takes the chunk as
 * missing again), `onResend` asks the sender for the record's chunks (FILE_RESEND), and later
 * fragments of that record are refused the same way. Every fragment was acknowledged on arrival,
 * so without this the sender would never send those chunks again. Once more than `maxFailures`
 * records failed authentication and they are more than twice the records opened, the next
 * failure rejects its chunks with RecordRejected: the transfer stops with TAMPERED (corruption
 * that often is an attack, or a broken path).
 */
import type { RecordFragment } from '../protocol/peerPackets';

/** Opens a complete record: the plaintext of each part, or null if it does not authenticate. */
export type RecordOpener = (
  epoch: number,
  record: number,
  transferId: number,
  chunks: readonly number[],
  parts: readonly Buffer[],
  tag: Buffer,
) => Buffer[] | null;

/** A staged chunk that will not be written: the transfer stops (too many bad records). */
export class RecordRejected extends Error {
  /** TransferFailureCode of the receiver that stops on it. */
  readonly code = 'TAMPERED';
}

/** A staged chunk that will not be written now: its record was given up and asked for again. */
export class RecordResend extends Error {
  /** TransferReceiver takes the chunk as missing again. */
  readonly code = 'RESEND';
}

export interface RecordAssemblerOptions {
  open: RecordOpener;
  /** Clock in milliseconds (for `expire`). */
  now(): number;
  /** A record was given up: ask the sender for its chunks again (`chunks`: those staged from it). */
  onResend(record: number, chunks: number[], why: string): void;
  /**
   * Records that may fail authentication and be asked for again before the transfer stops
   * (default 8); past that, while they are at most twice the records opened.
   */
  maxFailures?: number;
}

/** Given-up record numbers remembered, to refuse their late fragments. */
const GAVE_UP_REMEMBERED = 1024;

interface Waiter {
  resolve(plain: Buffer): void;
  reject(err: Error): void;
}

interface PendingRecord {
  epoch: number;
  count: number;
  transferId: number;
  have: number;
  chunks: number[];
  parts: Buffer[];
  tag: Buffer | null;
  waiters: Waiter[];
  /** When its latest fragment was staged. */
  lastAt: number;
}

export class RecordAssembler {
  private readonly pending = new Map<number, PendingRecord>();
  /** Records given up, as `epoch/record`. */
  private readonly given = new Set<string>();
  private readonly maxFailures: number;
  private counters = { opened: 0, failed: 0, stalled: 0 };

  constructor(private readonly opts: RecordAssemblerOptions) {
    this.maxFailures = opts.maxFailures ?? 8;
  }

  /** Records waiting for fragments. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Records opened; records that failed authentication or disagreed; records given up stalled. */
  get stats(): { opened: number; failed: number; stalled: number; waiting: number } {
    return { ...this.counters, waiting: this.pending.size };
  }

  /**
   * Stages one fragment's chunk. Resolves with the chunk's plaintext once the whole record has
   * authenticated; rejects with RecordResend when the record is given up, RecordRejected when
   * the transfer must stop, or an Error when closed.
   */
  stage(f: RecordFragment): Promise<Buffer> {
    // A late fragment of a record given up: its chunk comes again on its own. (Record numbers
    // start over with a new session, hence the epoch.)
    if (this.given.size > 0 && this.given.has(`${f.epoch}/${f.record}`)) {
      return Promise.reject(new RecordResend(`record ${f.record} was given up and asked for again`));
    }
    let r = this.pending.get(f.record);
    if (r === undefined) {
      r = {
        epoch: f.epoch,
        count: f.count,
        transferId: f.transferId,
        have: 0,
        chunks: new Array<number>(f.count).fill(-1),
        parts: new Array<Buffer>(f.count),
        tag: null,
        waiters: new Array<Waiter>(f.count),
        lastAt: 0,
      };
      this.pending.set(f.record, r);
    }
    const rec = r;
    let conflict = false;
    const promise = new Promise<Buffer>((resolve, reject) => {
      if (rec.count !== f.count || rec.epoch !== f.epoch || rec.transferId !== f.transferId || rec.chunks[f.index] !== -1) {
        // Only a forged or corrupted fragment can disagree with its record's others: this chunk
        // goes with the record (it was acknowledged, so it too must be asked for again).
        conflict = true;
        rec.waiters.push({ resolve, reject });
        rec.chunks.push(f.chunk);
        return;
      }
      rec.chunks[f.index] = f.chunk;
      rec.parts[f.index] = f.ciphertext;
      if (f.tag !== null) rec.tag = f.tag;
      rec.waiters[f.index] = { resolve, reject };
      rec.have++;
      rec.lastAt = this.opts.now();
    });
    if (conflict) this.giveUp(f.record, rec, `its fragments disagree (fragment ${f.index})`, true);
    else if (rec.have === rec.count) this.complete(f.record, rec);
    return promise;
  }

  /** Gives up every record that has not grown for `stallMs` (see the class comment). */
  expire(stallMs: number): void {
    const now = this.opts.now();
    for (const [n, r] of this.pending) {
      if (now - r.lastAt >= stallMs) {
        this.counters.stalled++;
        this.giveUp(n, r, `${r.have} of its ${r.count} fragments arrived in ${Math.round(stallMs / 1000)} s`, false);
      }
    }
  }

  /** Stops: every staged chunk is rejected (the transfer is over). */
  close(): void {
    for (const [n, r] of this.pending) {
      this.pending.delete(n);
      const err = new Error('transfer closed');
      for (const w of r.waiters) w?.reject(err);
    }
  }

  private complete(n: number, r: PendingRecord): void {
    this.pending.delete(n);
    const plain = r.tag === null ? null : this.opts.open(r.epoch, n, r.transferId, r.chunks, r.parts, r.tag);
    if (plain === null || plain.length !== r.count) {
      this.giveUp(n, r, 'it failed authentication: tampered with or corrupted in transit', true);
      return;
    }
    this.counters.opened++;
    for (let i = 0; i < r.count; i++) r.waiters[i].resolve(plain[i]);
  }

  /** No chunk of record `n` is written; its chunks are asked for again, or the transfer stops. */
  private giveUp(n: number, r: PendingRecord, why: string, failed: boolean): void {
    if (this.pending.get(n) === r) this.pending.delete(n);
    const key = `${r.epoch}/${n}`;
    if (!this.given.has(key)) {
      this.given.add(key);
      if (this.given.size > GAVE_UP_REMEMBERED) this.given.delete(this.given.values().next().value as string);
    }
    if (failed) this.counters.failed++;
    const chunks = [...new Set(r.chunks.filter((c) => c >= 0))];
    const waiters = r.waiters.filter((w) => w !== undefined);
    r.waiters = [];
    const { failed: failures, opened } = this.counters;
    if (failed && failures > this.maxFailures && failures > 2 * opened) {
      const err = new RecordRejected(`record ${n}: ${why} (${this.counters.failed} records did not arrive intact)`);
      for (const w of waiters) w.reject(err);
      return;
    }
    const err = new RecordResend(`record ${n}: ${why}; asked for again`);
    for (const w of waiters) w.reject(err);
    this.opts.onResend(n, chunks, why);
  }
}
