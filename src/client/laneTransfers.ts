/**
 * A file's bytes over a stream lane (docs/protocol.md "Stream lanes"), both ends: the sender
 * reads the chunks the receiver lacks, a record (up to MAX_LANE_RECORD_DATA_BYTES of consecutive
 * chunks) at a time, straight into the record's buffer; the receiver cuts a record back into
 * chunks and refuses one that does not fit the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { LANE_RECORD_HEADER_BYTES, MAX_LANE_RECORD_DATA_BYTES } from '../protocol/laneFrames';
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

/** Records read ahead of the socket (the reads go to libuv's thread pool and overlap). */
const READ_AHEAD_RECORDS = 8;
/** Bytes queued in the lane's socket before the sender waits for it to drain. */
const QUEUE_BYTES = 1024 * 1024;

/**
 * Sends every missing chunk over `lane`. Resolves true when all were queued, false when it
 * stopped (the transfer ended or the lane closed); rejects when the file cannot be read. Reads
 * run READ_AHEAD_RECORDS ahead, and up to QUEUE_BYTES wait in the socket, so reading, sealing and
 * the kernel's sending overlap instead of taking turns.
 */
export async function sendOverLane(lane: OutLane, s: LaneSend): Promise<boolean> {
  const perRecord = Math.max(1, Math.floor(MAX_LANE_RECORD_DATA_BYTES / s.chunkSize));
  const records: Array<[number, number]> = []; // [first chunk, chunks]
  for (const [first, last] of s.missing) for (let c = first; c <= last; c += perRecord) records.push([c, Math.min(perRecord, last + 1 - c)]);
  // A record's buffer is free again once sealed (sendChunks seals before it returns): reusing
  // them spares a 64 KiB allocation, and its page faults and sweep, per record.
  const recordBytes = LANE_RECORD_HEADER_BYTES + perRecord * s.chunkSize;
  const spare: Buffer[] = [];
  const read = async ([c, n]: [number, number]): Promise<Buffer> => {
    const from = c * s.chunkSize;
    const length = Math.min(s.bytes, (c + n) * s.chunkSize) - from;
    const record = (spare.pop() ?? Buffer.allocUnsafe(recordBytes)).subarray(0, LANE_RECORD_HEADER_BYTES + length);
    for (let got = 0; got < length; ) {
      const { bytesRead } = await s.handle.read(record, LANE_RECORD_HEADER_BYTES + got, length - got, from + got);
      if (bytesRead === 0) throw new Error('the file is shorter than when it was offered');
      got += bytesRead;
    }
    return record;
  };
  const ahead: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = (): void => {
    while (ahead.length < READ_AHEAD_RECORDS && next < records.length) {
      const p = read(records[next++]);
      p.catch(() => undefined); // awaited in order below; a rejection is not unhandled meanwhile
      ahead.push(p);
    }
  };
  let queued = 0;
  for (let i = 0; i < records.length; i++) {
    fill();
    const record = await ahead.shift()!;
    if (!s.stillSending() || lane.closed) return false;
    lane.sendChunks(s.transferId, records[i][0], record);
    queued += record.length - LANE_RECORD_HEADER_BYTES;
    spare.push(Buffer.from(record.buffer, record.byteOffset, recordBytes));
    if (lane.queuedBytes > QUEUE_BYTES) {
      s.progress(Math.max(0, queued - lane.queuedBytes));
      fill();
      await lane.drained();
      if (!s.stillSending() || lane.closed) return false;
    }
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
