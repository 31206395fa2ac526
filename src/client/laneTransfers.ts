/**
 * A file's bytes over a stream lane (docs/protocol.md "Stream lanes"), both ends: the sender
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
  /** Chunk ranges to send, inclusive (ChunkMap.missingRanges()). */
  missing: NumberRange[];
  /** False once the transfer ended or left this lane: the loop stops. */
  stillSending(): boolean;
  /** File bytes the kernel took so far (those queued in the lane not counted). */
  progress(bytes: number): void;
}

/** File bytes read at once (records of one read are consecutive): 16 records of 64 KiB. */
const READ_BYTES = 1024 * 1024;
/** Reads under way ahead of the socket (they go to libuv's thread pool and overlap). */
const READS_AHEAD = 3;
/** Bytes queued in the lane's socket before the sender waits for it to drain. */
const QUEUE_BYTES = 1024 * 1024;

/**
 * Sends every missing chunk over `lane`. Resolves true when all were queued, false when it
 * stopped (the transfer ended or the lane closed); rejects when the file cannot be read. The
 * file is read READ_BYTES at a time (several consecutive records per read, into buffers used
 * again once their records are sealed: a fresh 64 KiB buffer per record cost the sender more
 * CPU in allocation, page faults and thread-pool round trips than the reading itself), READS_AHEAD
 * reads ahead, and up to QUEUE_BYTES wait in the socket, so reading, sealing and the kernel's
 * sending overlap instead of taking turns.
 */
export async function sendOverLane(lane: OutLane, s: LaneSend): Promise<boolean> {
  const perRecord = Math.max(1, Math.floor(MAX_LANE_RECORD_DATA_BYTES / s.chunkSize));
  const recordsPerRead = Math.max(1, Math.floor(READ_BYTES / (perRecord * s.chunkSize)));
  // Reads: [first chunk, chunks], at most recordsPerRead records of one missing range each.
  const reads: Array<[number, number]> = [];
  for (const [first, last] of s.missing) {
    for (let c = first; c <= last; c += perRecord * recordsPerRead) reads.push([c, Math.min(perRecord * recordsPerRead, last + 1 - c)]);
  }
  const bufferBytes = recordsPerRead * perRecord * s.chunkSize;
  const spare: Buffer[] = [];
  const read = async ([c, n]: [number, number]): Promise<Buffer> => {
    const from = c * s.chunkSize;
    const length = Math.min(s.bytes, (c + n) * s.chunkSize) - from;
    const buf = spare.pop() ?? Buffer.allocUnsafe(bufferBytes);
    for (let got = 0; got < length; ) {
      const { bytesRead } = await s.handle.read(buf, got, length - got, from + got);
      if (bytesRead === 0) throw new Error('the file is shorter than when it was offered');
      got += bytesRead;
    }
    return buf.subarray(0, length);
  };
  const ahead: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = (): void => {
    while (ahead.length < READS_AHEAD && next < reads.length) {
      const p = read(reads[next++]);
      p.catch(() => undefined); // awaited in order below; a rejection is not unhandled meanwhile
      ahead.push(p);
    }
  };
  let queued = 0;
  for (let i = 0; i < reads.length; i++) {
    fill();
    const bytes = await ahead.shift()!;
    const recordBytes = perRecord * s.chunkSize;
    for (let o = 0, c = reads[i][0]; o < bytes.length; o += recordBytes, c += perRecord) {
      if (!s.stillSending() || lane.closed) return false;
      const data = bytes.subarray(o, Math.min(bytes.length, o + recordBytes));
      lane.sendChunks(s.transferId, c, data); // sealed before it returns: `bytes` may be reused after
      queued += data.length;
      if (lane.queuedBytes > QUEUE_BYTES) {
        s.progress(Math.max(0, queued - lane.queuedBytes));
        fill();
        await lane.drained();
        if (!s.stillSending() || lane.closed) return false;
      }
    }
    spare.push(Buffer.from(bytes.buffer, bytes.byteOffset, bufferBytes));
    s.progress(Math.max(0, queued - lane.queuedBytes));
  }
  return true;
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
