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

/**
 * Sends every missing chunk over `lane`. Resolves true when all were queued, false when it
 * stopped (the transfer ended or the lane closed); rejects when the file cannot be read.
 */
export async function sendOverLane(lane: OutLane, s: LaneSend): Promise<boolean> {
  const perRecord = Math.max(1, Math.floor(MAX_LANE_RECORD_DATA_BYTES / s.chunkSize));
  let queued = 0;
  for (const [first, last] of s.missing) {
    for (let c = first; c <= last; c += perRecord) {
      const n = Math.min(perRecord, last + 1 - c);
      const from = c * s.chunkSize;
      const length = Math.min(s.bytes, (c + n) * s.chunkSize) - from;
      const record = Buffer.allocUnsafe(LANE_RECORD_HEADER_BYTES + length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await s.handle.read(record, LANE_RECORD_HEADER_BYTES + got, length - got, from + got);
        if (bytesRead === 0) throw new Error('the file is shorter than when it was offered');
        got += bytesRead;
      }
      if (!s.stillSending() || lane.closed) return false;
      queued += length;
      if (!lane.sendChunks(s.transferId, c, record)) {
        if (lane.closed) return false;
        s.progress(Math.max(0, queued - lane.queuedBytes));
        await lane.drained();
        if (!s.stillSending() || lane.closed) return false;
      }
      s.progress(Math.max(0, queued - lane.queuedBytes));
    }
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
