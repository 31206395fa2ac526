/**
 * Bitmap of the chunks of one transfer: 1 bit per chunk (a 4 GiB file in 1147-byte chunks
 * takes 469 KiB), used for "received/written" on the receiver, "acknowledged" on the sender,
 * and persisted next to the `.part` file for resume.
 *
 * Serialized form (all big-endian):
 *   magic "PCM1" (4 bytes) · chunkCount u32 · setCount u32 · bitmap ⌈chunkCount/8⌉ bytes
 * Bit i is bit (i & 7) (least significant first) of byte i >> 3; padding bits must be zero.
 */
import { MAX_CHUNK_COUNT } from './limits';
import type { NumberRange } from './frames';

const MAGIC = 0x50434d31; // "PCM1"
const HEADER_BYTES = 12;

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export class ChunkMap {
  readonly size: number;
  private readonly words: Uint32Array;
  private setCount = 0;
  private lowestMissing = 0;

  /** `size` = number of chunks (0..2^32−1). */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_CHUNK_COUNT) {
      throw new RangeError(`chunk count must be an integer 0..${MAX_CHUNK_COUNT}`);
    }
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** Chunks in a file of `totalBytes` cut in `chunkSize` pieces. */
  static chunkCountFor(totalBytes: number, chunkSize: number): number {
    return Math.ceil(totalBytes / chunkSize);
  }

  /** Mark chunk i; returns true if it was not set before. Out-of-range indices are ignored. */
  set(i: number): boolean {
    if (!(i >= 0 && i < this.size)) return false;
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    if ((this.words[w] & bit) !== 0) return false;
    this.words[w] |= bit;
    this.setCount++;
    if (i === this.lowestMissing) this.advanceLowestMissing();
    return true;
  }

  has(i: number): boolean {
    if (!(i >= 0 && i < this.size)) return false;
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Unmark chunk i (a sender's chunk whose record the receiver could not use); true if it was set. */
  unset(i: number): boolean {
    if (!this.has(i)) return false;
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.setCount--;
    if (i < this.lowestMissing) this.lowestMissing = i;
    return true;
  }

  get count(): number {
    return this.setCount;
  }

  get complete(): boolean {
    return this.setCount === this.size;
  }

  /** Lowest chunk not set, or `size` when complete. */
  get firstMissing(): number {
    return this.lowestMissing;
  }

  /** Lowest chunk ≥ from that is not set, or `size`. */
  nextMissing(from: number): number {
    let i = Math.max(0, from);
    while (i < this.size) {
      const w = this.words[i >>> 5];
      if (w === 0xffffffff && (i & 31) === 0) {
        i += 32;
        continue;
      }
      if ((w & (1 << (i & 31))) === 0) return i;
      i++;
    }
    return this.size;
  }

  /** Missing chunks as inclusive ranges, ascending. At most `limit` ranges. */
  missingRanges(limit = Infinity): NumberRange[] {
    const out: NumberRange[] = [];
    let i = this.lowestMissing;
    while (i < this.size && out.length < limit) {
      let j = i;
      while (j + 1 < this.size && !this.has(j + 1)) j++;
      out.push([i, j]);
      i = this.nextMissing(j + 1);
    }
    return out;
  }

  serialize(): Buffer {
    const bytes = Math.ceil(this.size / 8);
    const out = Buffer.alloc(HEADER_BYTES + bytes);
    out.writeUInt32BE(MAGIC, 0);
    out.writeUInt32BE(this.size, 4);
    out.writeUInt32BE(this.setCount, 8);
    for (let b = 0; b < bytes; b++) {
      out[HEADER_BYTES + b] = (this.words[b >>> 2] >>> ((b & 3) * 8)) & 0xff;
    }
    return out;
  }

  /** Parse `serialize()` output; returns null if the buffer is not a valid chunk map. */
  static deserialize(buf: Buffer): ChunkMap | null {
    if (buf.length < HEADER_BYTES || buf.readUInt32BE(0) !== MAGIC) return null;
    const size = buf.readUInt32BE(4);
    const declared = buf.readUInt32BE(8);
    const bytes = Math.ceil(size / 8);
    if (buf.length !== HEADER_BYTES + bytes || declared > size) return null;
    const map = new ChunkMap(size);
    for (let b = 0; b < bytes; b++) {
      map.words[b >>> 2] |= buf[HEADER_BYTES + b] << ((b & 3) * 8);
    }
    // Padding bits past `size` must be zero.
    if (size % 32 !== 0 && map.words.length > 0) {
      const last = map.words[map.words.length - 1];
      if (last >>> (size % 32) !== 0) return null;
    }
    let count = 0;
    for (let w = 0; w < map.words.length; w++) count += popcount32(map.words[w]);
    if (count !== declared) return null;
    map.setCount = count;
    map.advanceLowestMissing();
    return map;
  }

  /**
   * The same bytes seen with another chunk size (fallback to a smaller datagram size on
   * resume): a new chunk is set only if every old chunk overlapping it is set.
   */
  rechunk(oldChunkSize: number, newChunkSize: number, totalBytes: number): ChunkMap {
    const out = new ChunkMap(ChunkMap.chunkCountFor(totalBytes, newChunkSize));
    for (let j = 0; j < out.size; j++) {
      const start = j * newChunkSize;
      const end = Math.min(totalBytes, start + newChunkSize) - 1;
      const first = Math.floor(start / oldChunkSize);
      const last = Math.floor(end / oldChunkSize);
      let all = true;
      for (let i = first; i <= last; i++) {
        if (!this.has(i)) {
          all = false;
          break;
        }
      }
      if (all) out.set(j);
    }
    return out;
  }

  private advanceLowestMissing(): void {
    this.lowestMissing = this.nextMissing(this.lowestMissing);
  }
}

/**
 * A set of chunk indices below `size`, as a bitmap: add, delete, has and size without allocating.
 * For sets that grow and shrink all the time, such as the chunks a receiver is writing: a `Set`
 * of numbers reallocates its table as it does, and past ~128 KiB V8 puts each new table in the
 * old generation — in the lab a receiver whose disk fell behind spent more CPU in the resulting
 * mark-compact collections (23 in one 256 MiB transfer, none in another) than in decryption.
 */
export class ChunkSet {
  private readonly words: Uint32Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.words = new Uint32Array(Math.ceil(capacity / 32));
  }

  get size(): number {
    return this.count;
  }

  has(i: number): boolean {
    if (!(i >= 0 && i < this.capacity)) return false;
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Adds `i` (ignored outside 0..capacity−1); true if it was not there. */
  add(i: number): boolean {
    if (!(i >= 0 && i < this.capacity)) return false;
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    if ((this.words[w] & bit) !== 0) return false;
    this.words[w] |= bit;
    this.count++;
    return true;
  }

  /** Removes `i`; true if it was there. */
  delete(i: number): boolean {
    if (!(i >= 0 && i < this.capacity)) return false;
    const w = i >>> 5;
    const bit = 1 << (i & 31);
    if ((this.words[w] & bit) === 0) return false;
    this.words[w] &= ~bit;
    this.count--;
    return true;
  }
}
