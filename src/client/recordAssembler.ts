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
 * A record that fails to authenticate, or whose fragments disagree about the record (count,
 * epoch, transfer, or two fragments for one place), rejects every chunk staged in it with a
 * RecordRejected error; nothing of it is written.
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

/** Why a staged chunk will not be written. */
export class RecordRejected extends Error {
  /** TransferFailureCode of the receiver that stops on it. */
  readonly code = 'TAMPERED';
}

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
}

export class RecordAssembler {
  private readonly pending = new Map<number, PendingRecord>();
  private counters = { opened: 0, rejected: 0 };

  constructor(private readonly open: RecordOpener) {}

  /** Records waiting for fragments. */
  get waiting(): number {
    return this.pending.size;
  }

  get stats(): { opened: number; rejected: number; waiting: number } {
    return { ...this.counters, waiting: this.pending.size };
  }

  /**
   * Stages one fragment's chunk. Resolves with the chunk's plaintext once the whole record has
   * authenticated; rejects with RecordRejected if it does not, or with an Error when closed.
   */
  stage(f: RecordFragment): Promise<Buffer> {
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
      };
      this.pending.set(f.record, r);
    }
    const promise = new Promise<Buffer>((resolve, reject) => {
      const rec = r!;
      if (rec.count !== f.count || rec.epoch !== f.epoch || rec.transferId !== f.transferId || rec.chunks[f.index] !== -1) {
        // Only a forged or corrupted fragment can disagree with its record's others.
        reject(new RecordRejected(`record ${f.record}: fragment ${f.index} does not match the others`));
        this.reject(f.record, rec, `record ${f.record} has conflicting fragments`);
        return;
      }
      rec.chunks[f.index] = f.chunk;
      rec.parts[f.index] = f.ciphertext;
      if (f.tag !== null) rec.tag = f.tag;
      rec.waiters[f.index] = { resolve, reject };
      rec.have++;
    });
    if (r.have === r.count && this.pending.get(f.record) === r) this.complete(f.record, r);
    return promise;
  }

  /** Stops: every staged chunk is rejected (the transfer is over). */
  close(): void {
    for (const [n, r] of this.pending) this.reject(n, r, 'transfer closed', Error);
  }

  private complete(n: number, r: PendingRecord): void {
    this.pending.delete(n);
    const plain = r.tag === null ? null : this.open(r.epoch, n, r.transferId, r.chunks, r.parts, r.tag);
    if (plain === null || plain.length !== r.count) {
      this.counters.rejected++;
      const err = new RecordRejected(`record ${n} failed authentication: tampered with or corrupted in transit`);
      for (const w of r.waiters) w?.reject(err);
      return;
    }
    this.counters.opened++;
    for (let i = 0; i < r.count; i++) r.waiters[i].resolve(plain[i]);
  }

  private reject(n: number, r: PendingRecord, why: string, As: new (m: string) => Error = RecordRejected): void {
    if (this.pending.get(n) === r) this.pending.delete(n);
    if (As === RecordRejected) this.counters.rejected++;
    const err = new As(why);
    for (const w of r.waiters) w?.reject(err);
    r.waiters = [];
  }
}
