import type { promises as fs } from 'node:fs';
import { ChunkMap } from '../transport/chunkMap';

/** Target bytes per disk write on the receiving side. */
const TARGET_BLOCK_BYTES = 256 * 1024;
/** Blocks being filled at once (memory: about 4 MiB whatever the file size). */
const MAX_OPEN_BLOCKS = 16;
/**
 * Blocks handed to the disk and not yet written. When the disk is slower than the network
 * (page-cache writeback throttling, a sync under way) new chunks wait here, so their promises
 * settle later, the receiver's window closes and the sender slows down. Without this bound the
 * queue of written-but-pending blocks grew with the gap between network and disk: a 1 GiB
 * transfer at 166 MB/s left the receiver at 344 MB peak RSS.
 */
const MAX_QUEUED_BLOCKS = 16;
/** A partly filled block is written out after this long without news (ms). */
const IDLE_FLUSH_MS = 20;

interface Block {
  index: number;
  /** A TARGET-sized buffer from the pool; `buf` is its first `length` bytes. */
  backing: Buffer;
  buf: Buffer;
  have: Uint8Array;
  filled: number;
  chunks: number;
  idleTimer: NodeJS.Timeout | null;
}

/**
 * Collects received chunks into blocks of whole chunks (≈256 KiB) and writes each block with
 * one positional write, instead of one small write per datagram. A chunk's promise resolves
 * once its bytes are in a block buffer; `flush()` resolves once everything is on disk (the
 * chunk map is saved, and the file hashed, only after a flush). When too many blocks are
 * open, new chunks wait for the oldest to be written: memory stays bounded.
 */
export class BlockWriter {
  private readonly chunksPerBlock: number;
  private readonly blockBytes: number;
  private readonly open = new Map<number, Block>();
  /**
   * Block buffers whose bytes are on disk, ready for reuse: without it every 256 KiB block was
   * a fresh allocation (4,096 per GiB), which V8 frees only at its next GC, so the receiver's
   * RSS grew with its speed (216 MB peak for 1 GiB at 133 MB/s).
   */
  private readonly pool: Buffer[] = [];
  /** Completion of each block handed to the disk, oldest first (at most MAX_QUEUED_BLOCKS). */
  private readonly queued: Promise<void>[] = [];
  private writes: Promise<void> = Promise.resolve();
  /** Runs (writeRun) waiting for the next batch, and whether that batch is in the chain already. */
  private runs: Array<{ first: number; data: Buffer; done: () => void }> = [];
  private runsScheduled = false;
  private error: Error | null = null;
  /**
   * Chunks whose bytes a write has put in the file (plus those that were there when we started).
   * When a write fails (the disk filled), this — not what the network delivered — is the map a
   * resume may trust: buffered chunks that never reached the file are not in it.
   */
  readonly onDisk: ChunkMap;

  /**
   * `onWritten(offset, buf, from, to)`: `buf[from, to)` is now on disk at `offset` (called in
   * write order, before the buffer is dropped; see PrefixHasher).
   */
  constructor(
    private readonly handle: fs.FileHandle,
    private readonly chunkSize: number,
    private readonly totalBytes: number,
    private readonly onWritten?: (offset: number, buf: Buffer, from: number, to: number) => void,
    alreadyOnDisk?: ChunkMap,
  ) {
    this.chunksPerBlock = Math.max(1, Math.floor(TARGET_BLOCK_BYTES / chunkSize));
    this.blockBytes = this.chunksPerBlock * chunkSize;
    const copy = alreadyOnDisk ? ChunkMap.deserialize(alreadyOnDisk.serialize()) : null;
    this.onDisk = copy ?? new ChunkMap(Math.ceil(totalBytes / chunkSize));
  }

  async write(chunk: number, data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    const index = Math.floor(chunk / this.chunksPerBlock);
    let block = this.open.get(index);
    if (!block) {
      for (;;) {
        if (this.queued.length >= MAX_QUEUED_BLOCKS) await this.queued[0];
        else if (this.open.size >= MAX_OPEN_BLOCKS) void this.writeBlock(this.open.values().next().value as Block);
        else break;
        if (this.error) throw this.error;
      }
      block = this.open.get(index);
      if (!block) {
        const start = index * this.blockBytes;
        const length = Math.min(this.blockBytes, this.totalBytes - start);
        const chunks = Math.ceil(length / this.chunkSize);
        const backing = this.pool.pop() ?? Buffer.allocUnsafe(this.blockBytes);
        block = { index, backing, buf: backing.subarray(0, length), have: new Uint8Array(chunks), filled: 0, chunks, idleTimer: null };
        this.open.set(index, block);
      }
    }
    const i = chunk - index * this.chunksPerBlock;
    if (!block.have[i]) {
      data.copy(block.buf, i * this.chunkSize);
      block.have[i] = 1;
      block.filled++;
    }
    if (block.filled === block.chunks) {
      void this.writeBlock(block);
    } else {
      if (block.idleTimer) clearTimeout(block.idleTimer);
      const b = block;
      block.idleTimer = setTimeout(() => void this.writeBlock(b), IDLE_FLUSH_MS);
    }
  }

  /**
   * Writes consecutive whole chunks from `first` (the last may be the file's short one) straight
   * to the file, in order with the blocks: for bytes that arrive as a run already (stream lanes),
   * where copying them into blocks would only cost. Runs that arrive while a write is under way
   * go out together with the next one (one `writev` per stretch of adjacent runs), so the cost
   * of a write's round trip to the thread pool is paid per batch, not per record. Resolves once
   * they are on disk. The caller never passes a chunk it passed before or that a block holds.
   */
  async writeRun(first: number, data: Buffer): Promise<void> {
    if (this.error) throw this.error;
    while (this.queued.length >= MAX_QUEUED_BLOCKS) {
      await this.queued[0];
      if (this.error) throw this.error;
    }
    await new Promise<void>((resolve) => {
      this.runs.push({ first, data, done: resolve });
      if (this.runsScheduled) return;
      this.runsScheduled = true;
      const done = this.writes.then(() => this.writeRuns());
      this.queued.push(done);
      this.writes = done;
    });
    if (this.error) throw this.error;
  }

  /** Writes every run waiting: adjacent ones with one writev each. */
  private async writeRuns(): Promise<void> {
    this.runsScheduled = false; // runs from now on go in the next batch
    const batch = this.runs.sort((a, b) => a.first - b.first);
    this.runs = [];
    for (let i = 0; i < batch.length && !this.error; ) {
      const offset = batch[i].first * this.chunkSize;
      let end = offset + batch[i].data.length;
      let j = i + 1;
      while (j < batch.length && batch[j].first * this.chunkSize === end) {
        end += batch[j].data.length;
        j++;
      }
      const group = batch.slice(i, j);
      try {
        let buffers = group.map((g) => g.data);
        for (let w = offset; w < end; ) {
          const { bytesWritten } = await this.handle.writev(buffers, w);
          w += bytesWritten;
          buffers = remainingAfter(buffers, bytesWritten);
        }
        for (const g of group) {
          const last = g.first + Math.ceil(g.data.length / this.chunkSize);
          for (let c = g.first; c < last; c++) this.onDisk.set(c);
          this.onWritten?.(g.first * this.chunkSize, g.data, 0, g.data.length);
        }
      } catch (err) {
        this.error = err as Error;
      }
      i = j;
    }
    for (const g of batch) g.done();
    this.queued.shift();
  }

  /**
   * Drops the spare block buffers (up to MAX_OPEN_BLOCKS + MAX_QUEUED_BLOCKS of 256 KiB): the
   * transfer is over. A write after this still works, with fresh buffers.
   */
  release(): void {
    this.pool.length = 0;
  }

  /** Writes every buffered chunk; resolves when all writes so far are done. */
  async flush(): Promise<void> {
    for (const b of [...this.open.values()]) void this.writeBlock(b);
    await this.writes;
    if (this.error) throw this.error;
  }

  /** Writes the filled runs of a block and forgets it (later chunks of it open it again). */
  private writeBlock(b: Block): Promise<void> {
    if (this.open.get(b.index) !== b) return this.writes;
    this.open.delete(b.index);
    if (b.idleTimer) clearTimeout(b.idleTimer);
    const base = b.index * this.blockBytes;
    const runs: Array<[number, number]> = [];
    for (let i = 0; i < b.chunks; ) {
      if (!b.have[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < b.chunks && b.have[j]) j++;
      runs.push([i * this.chunkSize, Math.min(j * this.chunkSize, b.buf.length)]);
      i = j;
    }
    const done = this.writes.then(async () => {
      for (const [s, e] of runs) {
        try {
          await this.handle.write(b.buf, s, e - s, base + s);
          const first = b.index * this.chunksPerBlock + s / this.chunkSize;
          const end = b.index * this.chunksPerBlock + Math.ceil(e / this.chunkSize);
          for (let c = first; c < end; c++) this.onDisk.set(c);
          this.onWritten?.(base + s, b.buf, s, e);
        } catch (err) {
          this.error = err as Error;
        }
      }
      // Nothing refers to the block any more (it left `open` above; onWritten is synchronous).
      if (this.pool.length < MAX_OPEN_BLOCKS + MAX_QUEUED_BLOCKS) this.pool.push(b.backing);
      this.queued.shift(); // writes complete in order: this one is the oldest
    });
    this.queued.push(done);
    this.writes = done;
    return this.writes;
  }
}

/** `buffers` without their first `n` bytes (after a partial writev). */
function remainingAfter(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
