/**
 * The relay's socket and its coalescing (docs/protocol.md "Coalescing"): every datagram the relay
 * receives enters here, and everything it sends to a registered client leaves through deliver().
 *
 * Coalescing. A datagram of at most MAX_COALESCED_DATAGRAM_BYTES for a registered session is
 * queued for that session, and the queues are flushed once per event-loop turn (one
 * setImmediate, armed by the first queued datagram, runs after the socket's batch of received
 * datagrams), each packed in order into BATCH datagrams of at most BATCH_MAX_BYTES (relayBatch.ts;
 * LOOPBACK_BATCH_MAX_BYTES to a client on this machine); a run that fits only one datagram goes
 * out alone, unwrapped. In a broadcast storm the flush may wait a few more turns
 * (FLUSH_DEFER_MIN_CLIENTS: only while the socket has more waiting and the flush would fan out
 * wide; at most MAX_FLUSH_DEFER_MS). A larger datagram (file data) is sent at once, after flushing
 * that session's queue (all queues, once something has waited MAX_QUEUE_HOLD_MS), so each client
 * still gets its datagrams in the order the relay accepted them, and the bulk path allocates
 * nothing. A queue is capped at maxQueuedBytes; beyond it datagrams are dropped and counted
 * (dropped.clientQueueFull). Nothing is ever queued for, or batched to, an unvalidated address:
 * sendRaw() is for those (the caller applies the 3x rule). A broadcast to n clients thus costs
 * about n × size / BATCH_MAX_BYTES sends in a busy turn instead of n.
 *
 * Other queues flushed at the same moment (the cluster mesh's, one per peer relay) register with
 * onFlush() and arm the flush with armFlush().
 */
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { HEADER_BYTES } from '../protocol/limits';
import { BATCH_LENGTH_BYTES, encodeBatchInto } from '../protocol/relayBatch';
import { withCheck } from '../protocol/relayMessages';
import {
  BATCH_MAX_BYTES,
  FLUSH_DEFER_MIN_CLIENTS,
  LOOPBACK_BATCH_MAX_BYTES,
  MAX_COALESCED_DATAGRAM_BYTES,
  MAX_FLUSH_DEFER_MS,
  MAX_FLUSH_DEFERRALS,
  MAX_QUEUE_HOLD_MS,
  UDP_READS_PER_TURN,
} from './relayLimits';
import type { DropReason } from './relayStats';

/** A validated destination with a coalescing queue (a registered session). */
export interface Outbound {
  /** The session id a BATCH for it is addressed to. */
  readonly id: number;
  address: string;
  port: number;
  /**
   * Small datagrams waiting for this event-loop turn's flush, oldest first. The array is kept and
   * emptied after each flush, so queuing allocates nothing per datagram.
   */
  readonly outQueue: Buffer[];
  /** What outQueue would take inside BATCH datagrams (each datagram + its length prefix). */
  outBytes: number;
  /** Listed for this turn's flush (so a client is listed once however many datagrams it gets). */
  outListed: boolean;
  /** Largest BATCH for this address: BATCH_MAX_BYTES, or LOOPBACK_BATCH_MAX_BYTES on loopback. */
  batchMax: number;
  /**
   * The client asked for checked relay messages (its REGISTER had FLAG_CHECKED): every relay
   * message to it leaves with the CRC-32C trailer (docs/protocol.md "Checked relay messages").
   */
  checked?: boolean;
}

// Hot-path copies of imported constants: a module-local const is a plain load, while an
// imported binding may compile to a property getter on the other module's exports (tsx/CJS).
const HOT_HEADER_BYTES = HEADER_BYTES;
const HOT_MAX_COALESCED = MAX_COALESCED_DATAGRAM_BYTES;
const HOT_LENGTH_BYTES = BATCH_LENGTH_BYTES;

export class RelayTransport {
  // Counters, kept as plain number fields so the hot path increments them cheaply.
  datagramsIn = 0;
  bytesIn = 0;
  datagramsOut = 0;
  bytesOut = 0;
  batches = 0;
  batchedDatagrams = 0;

  /** Sessions with datagrams queued this turn (deliver), flushed together by flushQueues. */
  private readonly outList: Outbound[] = [];
  private outFlush: NodeJS.Immediate | undefined;
  /** Datagrams read since the flush was armed or deferred (a full turn: more are waiting). */
  private outReads = 0;
  /** The most bytes any queue holds now (a deferral must leave room for another turn). */
  private outPeakBytes = 0;
  /** When the first datagram now queued was queued (performance.now()). */
  private outSince = 0;
  /** Deferrals in a row, and when the first of them was (performance.now()). */
  private outDeferrals = 0;
  private outDeferredAt = 0;
  /** Every BATCH is written here while sends complete synchronously (see flushSession). */
  private batchBuffer = Buffer.allocUnsafeSlow(LOOPBACK_BATCH_MAX_BYTES);
  private readonly flushHooks: Array<() => void> = [];
  private receiving = true;

  constructor(
    readonly socket: dgram.Socket,
    private readonly maxQueuedBytes: number,
    private readonly dropped: Record<DropReason, number>,
    private readonly onDatagram: (buf: Buffer, rinfo: dgram.RemoteInfo) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    socket.on('message', this.onMessage);
    socket.on('error', (err) => this.onError(err));
  }

  /** Where the socket is bound. */
  address(): { host: string; port: number } {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  /** Stops reading (close): what arrives from now on is ignored. */
  stopReceiving(): void {
    this.receiving = false;
    this.socket.off('message', this.onMessage);
  }

  /** Another set of queues to flush at the end of each turn (after the sessions'). */
  onFlush(hook: () => void): void {
    this.flushHooks.push(hook);
  }

  /** Makes sure a flush runs at the end of this turn (for queues kept elsewhere). */
  armFlush(): void {
    if (this.outFlush === undefined) {
      if (this.outList.length === 0) this.outSince = performance.now();
      this.outFlush = setImmediate(this.flushQueues);
      this.outReads = 0;
    }
  }

  /** True if something has waited in a queue for MAX_QUEUE_HOLD_MS or more (bulk is passing). */
  queuesHeldTooLong(): boolean {
    return this.outFlush !== undefined && performance.now() - this.outSince >= MAX_QUEUE_HOLD_MS;
  }

  private readonly onMessage = (buf: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (!this.receiving) return;
    this.datagramsIn++;
    this.bytesIn += buf.length;
    try {
      this.onDatagram(buf, rinfo);
    } catch (err) {
      this.onError(err);
    }
    // After handling, so the datagram that armed the flush (deliver resets the count) counts.
    this.outReads++;
  };

  /**
   * Sends `buf` to a registered session: queued for this turn's flush if it is small enough to
   * share a BATCH, else at once behind what is queued. False if dropped (queue full).
   * Hot path: no allocation (the queue array is reused), no closure per datagram.
   */
  deliver(s: Outbound, buf: Buffer): boolean {
    if (s.checked === true && buf[2] < 0x40) buf = this.checkedForm(buf);
    const len = buf.length;
    if (len > HOT_MAX_COALESCED) {
      // Bulk data: queues wait no longer than MAX_QUEUE_HOLD_MS for the turn's end; this
      // client's own queue goes first in any case, to keep its order.
      if (this.outList.length !== 0 && performance.now() - this.outSince >= MAX_QUEUE_HOLD_MS) this.flushListed();
      else if (s.outQueue.length !== 0) this.flushSession(s);
      this.socket.send(buf, s.port, s.address);
      this.datagramsOut++;
      this.bytesOut += len;
      return true;
    }
    const cost = len + HOT_LENGTH_BYTES;
    if (s.outBytes + cost > this.maxQueuedBytes) {
      this.dropped.clientQueueFull++;
      return false;
    }
    s.outQueue.push(buf);
    const queued = (s.outBytes += cost);
    if (queued > this.outPeakBytes) this.outPeakBytes = queued;
    if (!s.outListed) {
      s.outListed = true;
      if (this.outList.length === 0 && this.outFlush === undefined) this.outSince = performance.now();
      this.outList.push(s);
      if (this.outFlush === undefined) {
        this.outFlush = setImmediate(this.flushQueues);
        this.outReads = 0;
      }
    }
    return true;
  }

  /**
   * withCheck(buf), remembering the last one: a presence datagram goes to every client in a row,
   * so it is checked once for all those that asked.
   */
  private checkedForm(buf: Buffer): Buffer {
    if (buf !== this.lastPlain) {
      this.lastPlain = buf;
      this.lastChecked = withCheck(buf);
    }
    return this.lastChecked!;
  }

  private lastPlain: Buffer | null = null;
  private lastChecked: Buffer | null = null;

  /** Sends one datagram now, not queued (unvalidated addresses, the mesh). */
  sendRaw(buf: Buffer, port: number, address: string): void {
    this.socket.send(buf, port, address);
    this.countOut(buf.length);
  }

  /** Sends the pieces of one datagram now (scatter/gather: no copy into one buffer). */
  sendParts(parts: Buffer[], bytes: number, port: number, address: string): void {
    this.socket.send(parts, port, address);
    this.countOut(bytes);
  }

  countOut(bytes: number): void {
    this.datagramsOut++;
    this.bytesOut += bytes;
  }

  /**
   * Whether this turn's flush should wait for the next turn (see FLUSH_DEFER_MIN_CLIENTS): the
   * turn read a full UDP_READS_PER_TURN (more is waiting), the flush would fan out wide, it has not
   * waited too often or too long yet, and every queue has room for another full turn.
   */
  private deferFlush(): boolean {
    if (this.outReads < UDP_READS_PER_TURN || this.outList.length < FLUSH_DEFER_MIN_CLIENTS) return false;
    if (this.outDeferrals >= MAX_FLUSH_DEFERRALS) return false;
    if (this.outPeakBytes + UDP_READS_PER_TURN * (HOT_MAX_COALESCED + HOT_LENGTH_BYTES) > this.maxQueuedBytes) return false;
    const now = performance.now();
    if (this.outDeferrals === 0) this.outDeferredAt = now;
    else if (now - this.outDeferredAt >= MAX_FLUSH_DEFER_MS) return false;
    return true;
  }

  /** The end of a turn: every queue that received something goes out (sessions that left too). */
  private readonly flushQueues = (): void => {
    if (this.deferFlush()) {
      this.outDeferrals++;
      this.outReads = 0;
      this.outFlush = setImmediate(this.flushQueues);
      return;
    }
    this.flushAll();
  };

  /** Everything queued goes out now (the armed flush is cancelled). */
  flushAll(): void {
    if (this.outFlush !== undefined) clearImmediate(this.outFlush);
    this.outFlush = undefined;
    this.outDeferrals = 0;
    this.flushListed();
  }

  /** Sends every listed queue now (the armed flush, if any, still runs and finds them empty). */
  flushListed(): void {
    this.outPeakBytes = 0;
    const list = this.outList;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      s.outListed = false;
      if (s.outQueue.length === 0) continue;
      try {
        this.flushSession(s);
      } catch (err) {
        // A send that throws (socket closed under us) must not strand the other queues.
        s.outQueue.length = 0;
        s.outBytes = 0;
        this.onError(err);
      }
    }
    list.length = 0;
    for (let i = 0; i < this.flushHooks.length; i++) {
      try {
        this.flushHooks[i]();
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /**
   * Sends a session's queue in order: greedy runs of datagrams that fit the client's batch size
   * together become one BATCH each; a run of one goes out as it is (a wrapper would only add bytes).
   */
  flushSession(s: Outbound): void {
    const q = s.outQueue;
    const n = q.length;
    const max = s.batchMax;
    let i = 0;
    while (i < n) {
      let bytes = HOT_HEADER_BYTES + HOT_LENGTH_BYTES + q[i].length;
      let j = i + 1;
      while (j < n && bytes + HOT_LENGTH_BYTES + q[j].length <= max) bytes += HOT_LENGTH_BYTES + q[j++].length;
      const len = j - i > 1 ? encodeBatchInto(this.batchBuffer, q, s.id, i, j) : -1;
      if (len < 0) {
        // One datagram alone (or, never expected, a run the encoder refused: sent one by one).
        for (; i < j; i++) {
          this.socket.send(q[i], s.port, s.address);
          this.countOut(q[i].length);
        }
        continue;
      }
      this.socket.send(this.batchBuffer, 0, len, s.port, s.address);
      // The kernel normally takes the bytes inside send(). If its buffer was full, libuv queued
      // the send and reads them later: the next batch must go elsewhere. (Reusing one buffer
      // spares a 1-64 KB allocation per batch, megabytes of garbage in a broadcast storm.)
      if (this.socket.getSendQueueCount() !== 0) this.batchBuffer = Buffer.allocUnsafeSlow(LOOPBACK_BATCH_MAX_BYTES);
      this.countOut(len);
      this.batches++;
      this.batchedDatagrams += j - i;
      i = j;
    }
    q.length = 0;
    s.outBytes = 0;
  }

  /** Closes the socket (resolves when it is closed, or at once if it already was). */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}

/**
 * BATCH_MAX_BYTES, or LOOPBACK_BATCH_MAX_BYTES for a loopback address (as the socket reports it:
 * IPv4 127.0.0.0/8, IPv6 ::1, or IPv4-mapped ::ffff:127.x.y.z on a dual-stack socket).
 */
export function batchMaxFor(address: string): number {
  return isLoopback(address) ? LOOPBACK_BATCH_MAX_BYTES : BATCH_MAX_BYTES;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
