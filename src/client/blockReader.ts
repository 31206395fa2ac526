import type { promises as fs } from 'node:fs';
import { PeerChatError } from '../protocol/errors';

/** Bytes read from disk at once by a sender: one read serves ~228 chunks of 1147 bytes. */
const READ_BLOCK_BYTES = 256 * 1024;

/** Blocks a BlockReader keeps: covers the sender's read-ahead (1 MiB) plus recent retransmissions. */
const READ_BLOCKS_KEPT = 8;

/**
 * Serves a sender's chunk reads from 256 KiB blocks, so the disk sees a few large sequential
 * reads instead of one small read per datagram. Memory: at most READ_BLOCKS_KEPT blocks
 * (2 MiB), whatever the file size. Buffers of evicted blocks are reused (a fresh 256 KiB per
 * block was garbage that V8 frees only at its next GC, and GC pauses are what chat waits behind
 * in a busy sender) — but only once the block's own disk read has finished and no read is still
 * waiting to copy out of it, so a reader can never see another block's bytes.
 */
export class BlockReader {
  private blocks: ReadBlock[] = [];
  private readonly spare: Buffer[] = [];

  constructor(private readonly handle: fs.FileHandle) {}

  async read(position: number, into: Buffer, offset: number, length: number): Promise<void> {
    const block = this.block(position);
    block.readers++;
    try {
      await block.ready;
      const inBlock = position - block.start;
      const n = Math.min(length, block.length - inBlock);
      if (n <= 0) throw new PeerChatError('IO_ERROR', 'The file is shorter than when it was offered.');
      block.buf.copy(into, offset, inBlock, inBlock + n);
      if (n < length) await this.read(position + n, into, offset + n, length - n);
    } finally {
      block.readers--;
      this.recycle(block);
    }
  }

  private block(position: number): ReadBlock {
    const hit = this.blocks.find((b) => position >= b.start && position < b.start + READ_BLOCK_BYTES);
    if (hit) return hit;
    const start = position - (position % READ_BLOCK_BYTES);
    if (this.blocks.length >= READ_BLOCKS_KEPT) {
      const old = this.blocks.shift()!;
      old.evicted = true;
      this.recycle(old);
    }
    const buf = this.spare.pop() ?? Buffer.allocUnsafe(READ_BLOCK_BYTES);
    const entry: ReadBlock = { start, length: 0, buf, ready: Promise.resolve(), loaded: false, readers: 0, evicted: false };
    entry.ready = this.handle.read(buf, 0, READ_BLOCK_BYTES, start).then(
      (r) => {
        entry.length = r.bytesRead;
        entry.loaded = true;
        this.recycle(entry);
      },
      (err: unknown) => {
        entry.loaded = true; // the buffer is not ours again until the read is over
        this.recycle(entry);
        throw err;
      },
    );
    this.blocks.push(entry);
    return entry;
  }

  /**
   * Drops every block and spare buffer: the transfer is over. A read still under way finishes
   * into its own block, which is then nobody's; a later read works, with fresh buffers.
   */
  release(): void {
    this.blocks = [];
    this.spare.length = 0;
  }

  /** An evicted block whose disk read is over and that nobody is copying from gives its buffer back. */
  private recycle(b: ReadBlock): void {
    if (!b.evicted || !b.loaded || b.readers > 0 || this.spare.length >= READ_BLOCKS_KEPT) return;
    b.evicted = false; // give the buffer back once only
    this.spare.push(b.buf);
  }
}

interface ReadBlock {
  start: number;
  length: number;
  buf: Buffer;
  ready: Promise<void>;
  /** The disk read into `buf` has finished (or failed). */
  loaded: boolean;
  /** Reads waiting for or copying out of this block. */
  readers: number;
  evicted: boolean;
}
