import { createHash, type Hash } from 'node:crypto';
import type { promises as fs } from 'node:fs';

/** A hasher for a file written out of order (PrefixHasher, and hashWorker.ts's OffThreadHasher). */
export interface FileHasher {
  /** `buf[from, to)` has just been written at `offset` (the buffer may be reused after the call). */
  written(offset: number, buf: Buffer, from: number, to: number): void;
  /** `[offset, end)` was on disk already (chunks kept from an earlier attempt). */
  onDisk(offset: number, end: number): void;
  /** SHA-256 of the whole file; call once every write has finished. */
  digest(): Promise<Buffer>;
  /** The transfer ended without a digest: forget it. */
  close(): void;
  /** Where the digest was computed: this thread, the worker, or this thread after the worker failed. */
  readonly via: 'thread' | 'worker' | 'fallback';
}

/** Bytes read back per positional read when catching up (bounded memory). */
const READ_BACK_BYTES = 1024 * 1024;

/**
 * SHA-256 of a file that is being written out of order, computed while it is written, so
 * that checking a finished transfer does not have to read the whole file again.
 *
 * The hash covers the bytes in file order. A run written exactly at the hashed prefix is
 * hashed from the buffer that was written (no read); a run written further on is remembered
 * (its offset and length only) and read back from the file once the prefix reaches it.
 * `digest()` reads back whatever is still missing — with a resumed transfer that is the part
 * received before, and in the worst case the whole file, which is what a plain re-read
 * costs — so the result never depends on every run having been reported.
 *
 * Runs may overlap what is already hashed (a late duplicate chunk written again): only the
 * part beyond the prefix counts, and it holds the same bytes (each chunk is authenticated).
 */
export class PrefixHasher implements FileHasher {
  private readonly hash: Hash = createHash('sha256');
  private hashed = 0;
  /** Written but not yet hashed: start → end (exclusive). */
  private readonly ahead = new Map<number, number>();
  private catchUp: Promise<void> = Promise.resolve();
  /** Catch-up passes scheduled and not finished: while > 0 the prefix may be mid-read. */
  private catchingUp = 0;
  private error: Error | null = null;
  private done = false;
  private readBuffer: Buffer | null = null;
  readonly via = 'thread';

  constructor(
    private readonly handle: fs.FileHandle,
    private readonly totalBytes: number,
  ) {}

  /** Bytes hashed so far (the prefix). */
  get hashedBytes(): number {
    return this.hashed;
  }

  /**
   * `buf[from, to)` has just been written at file offset `offset`. The caller must not change
   * those bytes before this returns (they are hashed synchronously or not at all).
   */
  written(offset: number, buf: Buffer, from: number, to: number): void {
    if (this.done || this.error) return;
    const end = offset + (to - from);
    if (end <= this.hashed) return;
    if (offset <= this.hashed && this.catchingUp === 0) {
      // The common case: the next bytes in order, straight from memory (never while a
      // read-back is under way: the hash must see the file in order).
      this.hash.update(buf.subarray(from + (this.hashed - offset), to));
      this.hashed = end;
      if (this.ahead.size > 0) this.scheduleCatchUp(); // runs written earlier may touch it now
      return;
    }
    const prev = this.ahead.get(offset);
    if (prev === undefined || prev < end) this.ahead.set(offset, end);
    this.scheduleCatchUp();
  }

  /** Marks `[offset, end)` as already on disk (chunks kept from an earlier attempt). */
  onDisk(offset: number, end: number): void {
    if (end <= this.hashed) return;
    const prev = this.ahead.get(offset);
    if (prev === undefined || prev < end) this.ahead.set(offset, end);
    this.scheduleCatchUp();
  }

  /** The SHA-256 of the whole file, reading back what was not hashed on the way. */
  async digest(): Promise<Buffer> {
    await this.catchUp;
    if (this.error) throw this.error;
    this.done = true;
    this.ahead.clear();
    await this.readBack(this.totalBytes);
    return this.hash.digest();
  }

  /** Nothing to release: the hash state goes with the object. */
  close(): void {
    this.done = true;
    this.ahead.clear();
  }

  private scheduleCatchUp(): void {
    this.catchingUp++;
    this.catchUp = this.catchUp
      .then(() => this.advance())
      .catch((err: unknown) => {
        this.error = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.catchingUp--;
      });
  }

  /** Reads back remembered runs that now touch the prefix. */
  private async advance(): Promise<void> {
    for (;;) {
      if (this.done) return;
      let reach = -1;
      for (const [start, end] of this.ahead) {
        if (start <= this.hashed) {
          this.ahead.delete(start);
          if (end > reach) reach = end;
        }
      }
      if (reach <= this.hashed) {
        if (reach < 0) return;
        continue;
      }
      await this.readBack(reach);
    }
  }

  /** Hashes the file from the prefix up to `end`, reading it. */
  private async readBack(end: number): Promise<void> {
    // One buffer for every read-back (catch-ups come often under loss; one at a time).
    const buf = (this.readBuffer ??= Buffer.allocUnsafe(READ_BACK_BYTES));
    while (this.hashed < end) {
      const want = Math.min(buf.length, end - this.hashed);
      const { bytesRead } = await this.handle.read(buf, 0, want, this.hashed);
      if (bytesRead <= 0) throw new Error(`file ends at ${this.hashed} bytes, expected ${end}`);
      this.hash.update(buf.subarray(0, bytesRead));
      this.hashed += bytesRead;
    }
  }
}
