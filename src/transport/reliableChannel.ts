/**
 * Reliable, ordered, exactly-once message channel to one peer (chat and control).
 *
 * Sender: every message gets the next u32 sequence number; messages are coalesced into
 * datagrams (with a pending ack piggybacked) and retransmitted until acknowledged. Loss is
 * detected RFC 9002 §6.1-style (a message is lost once a message transmitted ≥ 3 datagrams
 * later is acked, or 9/8 RTT after a later one was acked) and by a retransmission timeout
 * (RFC 9002 §6.2.1 PTO formula, doubled per consecutive timeout, capped at CHANNEL_MAX_RTO_MS).
 * At most `maxInFlight` sequence numbers beyond the oldest unacked one are outstanding.
 *
 * Receiver: delivers in order, exactly once; buffers out-of-order messages within
 * CHANNEL_REORDER_BUFFER; acks at once on a gap, a duplicate or every second message
 * (RFC 9000 §13.2.1, §13.2.2), otherwise after at most CHANNEL_ACK_DELAY_MS, and piggybacks
 * acks on outgoing messages.
 *
 * Timers: the channel never sets timers. After calling any method, the caller re-arms one
 * timer at `nextTimerAt()` (a value ≤ now means "as soon as possible", e.g. setImmediate)
 * and calls `onTimer()` when it fires. `send()` and `onFrame()` only queue work and make
 * `nextTimerAt()` return now, so several messages sent, or frames received, in one tick go
 * out in one datagram. `flush()` sends whatever is queued immediately.
 *
 * Sequence numbers do not wrap: 2^32 messages per session is out of reach for chat, and a
 * peer restart (`reset()`) starts both directions at 0 again. Stale datagrams from before a
 * restart cannot reach the channel because the client layer's keys change with the session.
 */
import {
  CHANNEL_ACK_DELAY_MS,
  CHANNEL_ACK_EVERY_MESSAGES,
  CHANNEL_MAX_IN_FLIGHT,
  CHANNEL_MAX_RTO_MS,
  CHANNEL_REORDER_BUFFER,
  CHANNEL_UNRESPONSIVE_MS,
  INITIAL_RTT_MS,
  MAX_MESSAGE_BYTES,
  MAX_MSG_ACK_RANGES,
  PACKET_THRESHOLD,
  TIME_THRESHOLD,
} from './limits';
import {
  encodedFrameSize,
  Frame,
  MSG_ACK_FIXED_BYTES,
  MSG_ACK_RANGE_BYTES,
  MSG_HEADER_BYTES,
  MsgAckFrame,
  MsgFrame,
  NumberRange,
} from './frames';
import { RttEstimator } from './rttEstimator';

export interface ReliableChannelOptions {
  /** Clock in milliseconds. */
  now(): number;
  /** Send one datagram holding these frames (the caller encodes, seals, sends; synchronously). */
  transmit(frames: Frame[]): void;
  /**
   * One message, in order, exactly once. Must not throw. `data` may be a view into the
   * received payload: copy it to keep it past the payload buffer's reuse (if any).
   */
  deliver(data: Buffer): void;
  /** Payload budget of one datagram (datagram size − PACKET_OVERHEAD). */
  maxPayloadBytes: number;
  /** Sequence span of unacknowledged messages (default CHANNEL_MAX_IN_FLIGHT, ≤ CHANNEL_REORDER_BUFFER). */
  maxInFlight?: number;
  /** Called each time every message sent so far has been acknowledged. */
  onAckedAll?: () => void;
  /** Called once per stall when nothing outstanding has been acked for CHANNEL_UNRESPONSIVE_MS. */
  onUnresponsive?: () => void;
}

export interface ReliableChannelStats {
  sentMessages: number;
  retransmittedMessages: number;
  deliveredMessages: number;
  duplicateMessages: number;
  droppedBeyondWindow: number;
  datagramsSent: number;
  srttMs: number;
}

interface OutgoingMessage {
  seq: number;
  data: Buffer;
  /** Time of the latest transmission; -1 if never sent. */
  sentAt: number;
  /** Datagram counter value of the latest transmission. */
  txNumber: number;
  transmissions: number;
  /** Declared lost (or timed out) and waiting for retransmission. */
  lost: boolean;
}

/** Smallest payload budget that holds a maximal message, and separately a maximal ack. */
const MIN_PAYLOAD_BYTES = Math.max(
  MSG_HEADER_BYTES + MAX_MESSAGE_BYTES,
  MSG_ACK_FIXED_BYTES + MSG_ACK_RANGE_BYTES * MAX_MSG_ACK_RANGES,
);

export class ReliableChannel {
  private readonly opts: ReliableChannelOptions;
  private readonly maxInFlight: number;
  private rtt = new RttEstimator();

  // --- sender ---
  private nextSeq = 0;
  /** Sent-or-queued messages by seq, in seq order (Map keeps insertion order). */
  private readonly outgoing = new Map<number, OutgoingMessage>();
  /** Lowest seq not yet transmitted for the first time. */
  private nextUnsent = 0;
  private txCounter = 0;
  private largestAckedTx = -1;
  private lossTime: number | null = null;
  private backoff = 0;
  private lastProgressAt = 0;
  private unresponsiveReported = false;
  private flushDue = false;

  // --- receiver ---
  private recvNext = 0;
  private readonly reorder = new Map<number, Buffer>();
  private ackDueAt: number | null = null;
  private unackedReceived = 0;

  private readonly counters: Omit<ReliableChannelStats, 'srttMs'> = {
    sentMessages: 0,
    retransmittedMessages: 0,
    deliveredMessages: 0,
    duplicateMessages: 0,
    droppedBeyondWindow: 0,
    datagramsSent: 0,
  };

  constructor(opts: ReliableChannelOptions) {
    if (opts.maxPayloadBytes < MIN_PAYLOAD_BYTES) {
      throw new RangeError(`maxPayloadBytes must be ≥ ${MIN_PAYLOAD_BYTES}`);
    }
    const maxInFlight = opts.maxInFlight ?? CHANNEL_MAX_IN_FLIGHT;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > CHANNEL_REORDER_BUFFER) {
      throw new RangeError(`maxInFlight must be 1..${CHANNEL_REORDER_BUFFER}`);
    }
    this.opts = opts;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Queue a message; returns its sequence number (see isAcked). Throws RangeError if longer than
   * MAX_MESSAGE_BYTES. The bytes are copied.
   */
  send(data: Buffer): number {
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new RangeError(`message of ${data.length} bytes exceeds MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES})`);
    }
    if (this.outgoing.size === 0) this.lastProgressAt = this.opts.now();
    const seq = this.nextSeq++;
    this.outgoing.set(seq, { seq, data: Buffer.from(data), sentAt: -1, txNumber: -1, transmissions: 0, lost: false });
    this.flushDue = true;
    return seq;
  }

  /** Whether the peer acknowledged message `seq` (one send() returned since the last reset()). */
  isAcked(seq: number): boolean {
    return Number.isInteger(seq) && seq >= 0 && seq < this.nextSeq && !this.outgoing.has(seq);
  }

  onFrame(frame: MsgFrame | MsgAckFrame): void {
    if (frame.type === 'msg') this.onMessage(frame.seq, frame.data);
    else this.onAck(frame.next, frame.ranges);
  }

  /** Messages queued or sent but not yet acknowledged. */
  get unacked(): number {
    return this.outgoing.size;
  }

  /** Nothing to send, nothing unacknowledged, no ack owed. */
  get idle(): boolean {
    return this.outgoing.size === 0 && this.ackDueAt === null;
  }

  nextTimerAt(): number | null {
    let t: number | null = null;
    const consider = (x: number | null) => {
      if (x !== null && (t === null || x < t)) t = x;
    };
    if (this.flushDue && this.hasSendable()) consider(this.opts.now());
    consider(this.ackDueAt);
    consider(this.lossTime);
    consider(this.rtoDeadline());
    if (this.outgoing.size > 0 && !this.unresponsiveReported) {
      consider(this.lastProgressAt + CHANNEL_UNRESPONSIVE_MS);
    }
    return t;
  }

  onTimer(): void {
    const now = this.opts.now();
    if (this.lossTime !== null && this.lossTime <= now) this.detectLoss(now);
    const rto = this.rtoDeadline();
    if (rto !== null && rto <= now) {
      // Retransmission timeout: every message whose own timer expired is resent.
      const timeout = this.rto();
      for (const m of this.outgoing.values()) {
        if (m.sentAt >= 0 && !m.lost && m.sentAt + timeout <= now) m.lost = true;
      }
      this.backoff++;
      this.flushDue = true;
    }
    if (
      this.outgoing.size > 0 &&
      !this.unresponsiveReported &&
      now - this.lastProgressAt >= CHANNEL_UNRESPONSIVE_MS
    ) {
      this.unresponsiveReported = true;
      this.opts.onUnresponsive?.();
    }
    if ((this.ackDueAt !== null && this.ackDueAt <= now) || this.flushDue) this.flush();
  }

  /** Transmit everything that may be sent now (queued and lost messages, a pending ack). */
  flush(): void {
    const now = this.opts.now();
    const budget = this.opts.maxPayloadBytes;
    let frames: Frame[] = [];
    let used = 0;
    const carried: OutgoingMessage[] = [];
    if (this.ackDueAt !== null) {
      const ack = this.buildAck();
      frames.push(ack);
      used += encodedFrameSize(ack);
      this.ackDueAt = null;
      this.unackedReceived = 0;
    }
    const emit = () => {
      if (frames.length === 0) return;
      const tx = this.txCounter++;
      for (const m of carried) {
        if (m.transmissions > 0) this.counters.retransmittedMessages++;
        else this.counters.sentMessages++;
        m.transmissions++;
        m.sentAt = now;
        m.txNumber = tx;
        m.lost = false;
      }
      this.counters.datagramsSent++;
      const out = frames;
      frames = [];
      carried.length = 0;
      used = 0;
      this.opts.transmit(out);
    };
    const add = (m: OutgoingMessage) => {
      const size = MSG_HEADER_BYTES + m.data.length;
      if (used + size > budget) emit();
      frames.push({ type: 'msg', seq: m.seq, data: m.data });
      carried.push(m);
      used += size;
    };
    // Retransmissions first, oldest first, then new messages within the window.
    const windowEnd = this.windowBase() + this.maxInFlight;
    for (const m of this.outgoing.values()) {
      if (m.lost) add(m);
    }
    while (this.nextUnsent < this.nextSeq && this.nextUnsent < windowEnd) {
      const m = this.outgoing.get(this.nextUnsent++);
      if (m) add(m);
    }
    emit();
    this.flushDue = false;
  }

  /**
   * Traffic moved to another path (relay ⇄ direct): the RTT estimate belongs to the old path
   * (RFC 9000 §9.4) and starts over, from `initialRttMs` when the new path's validation measured
   * one, and what was in flight there is sent again on the new one at once. An ack
   * goes out at once too, even with nothing to acknowledge: an authenticated datagram on the
   * new path tells the peer where we are now (docs/protocol.md "Direct paths": a peer that
   * hears us through the relay follows), when nothing else of ours would (file data goes in
   * records, which say nothing until a whole record authenticates).
   */
  pathChanged(initialRttMs?: number): void {
    // RFC 9002 §6.2.2: the round trip of the new path's validation may set its initial RTT.
    this.rtt = new RttEstimator(initialRttMs !== undefined && initialRttMs >= 0 ? Math.min(INITIAL_RTT_MS, initialRttMs) : INITIAL_RTT_MS);
    this.backoff = 0;
    this.lossTime = null;
    for (const m of this.outgoing.values()) if (m.sentAt >= 0) m.lost = true;
    if (this.outgoing.size > 0) this.flushDue = true;
    this.ackDueAt = this.opts.now();
  }

  /**
   * What the channel has transmitted so far was held back by the link (no end-to-end keys yet)
   * and goes on the wire only now: its send times start now, so the first RTT sample measures the
   * path, not the handshake wait (which would inflate the RTO and slow every retry after it).
   */
  heldUntilNow(): void {
    const now = this.opts.now();
    for (const m of this.outgoing.values()) if (m.sentAt >= 0 && !m.lost) m.sentAt = now;
  }

  /** Peer restarted: drop everything queued, unacked or buffered; both directions restart at 0. */
  reset(): void {
    this.nextSeq = 0;
    this.outgoing.clear();
    this.nextUnsent = 0;
    this.txCounter = 0;
    this.largestAckedTx = -1;
    this.lossTime = null;
    this.backoff = 0;
    this.unresponsiveReported = false;
    this.flushDue = false;
    this.recvNext = 0;
    this.reorder.clear();
    this.ackDueAt = null;
    this.unackedReceived = 0;
  }

  stats(): ReliableChannelStats {
    return { ...this.counters, srttMs: this.rtt.smoothedRtt };
  }

  // ------------------------------------------------------------------------------------------
  // receiver

  private onMessage(seq: number, data: Buffer): void {
    const now = this.opts.now();
    if (seq < this.recvNext || this.reorder.has(seq)) {
      // A duplicate: our ack was probably lost, so ack at once.
      this.counters.duplicateMessages++;
      this.ackDueAt = now;
      return;
    }
    if (seq >= this.recvNext + CHANNEL_REORDER_BUFFER) {
      // Beyond what we buffer: drop unacknowledged, the sender will retransmit.
      this.counters.droppedBeyondWindow++;
      return;
    }
    if (seq !== this.recvNext) {
      // RFC 9000 §13.2.1: an out-of-order arrival is acked immediately.
      this.reorder.set(seq, Buffer.from(data));
      this.ackDueAt = now;
      return;
    }
    const hadGap = this.reorder.size > 0;
    this.recvNext++;
    this.counters.deliveredMessages++;
    this.opts.deliver(data);
    while (this.reorder.size > 0) {
      const next = this.reorder.get(this.recvNext);
      if (next === undefined) break;
      this.reorder.delete(this.recvNext);
      this.recvNext++;
      this.counters.deliveredMessages++;
      this.opts.deliver(next);
    }
    this.unackedReceived++;
    if (hadGap || this.unackedReceived >= CHANNEL_ACK_EVERY_MESSAGES) {
      this.ackDueAt = now;
    } else if (this.ackDueAt === null) {
      this.ackDueAt = now + CHANNEL_ACK_DELAY_MS;
    }
  }

  private buildAck(): MsgAckFrame {
    const ranges: NumberRange[] = [];
    if (this.reorder.size > 0) {
      const seqs = [...this.reorder.keys()].sort((a, b) => a - b);
      let start = seqs[0];
      let end = start;
      for (let i = 1; i < seqs.length && ranges.length < MAX_MSG_ACK_RANGES; i++) {
        if (seqs[i] === end + 1) {
          end = seqs[i];
        } else {
          ranges.push([start, end]);
          start = end = seqs[i];
        }
      }
      if (ranges.length < MAX_MSG_ACK_RANGES) ranges.push([start, end]);
    }
    return { type: 'msgAck', next: this.recvNext, ranges };
  }

  // ------------------------------------------------------------------------------------------
  // sender

  private hasSendable(): boolean {
    if (this.ackDueAt !== null) return true;
    if (this.nextUnsent < this.nextSeq && this.nextUnsent < this.windowBase() + this.maxInFlight) return true;
    for (const m of this.outgoing.values()) if (m.lost) return true;
    return false;
  }

  /** Oldest unacknowledged seq (or the next seq when everything is acked). */
  private windowBase(): number {
    for (const seq of this.outgoing.keys()) return seq;
    return this.nextSeq;
  }

  /** RFC 9002 §6.2.1 PTO with the peer's ack delay, doubled per consecutive timeout, capped. */
  private rto(): number {
    const base = this.rtt.pto(CHANNEL_ACK_DELAY_MS);
    return Math.min(CHANNEL_MAX_RTO_MS, base * 2 ** this.backoff);
  }

  private rtoDeadline(): number | null {
    let oldest = Infinity;
    for (const m of this.outgoing.values()) {
      if (m.sentAt >= 0 && !m.lost && m.sentAt < oldest) oldest = m.sentAt;
    }
    return oldest === Infinity ? null : oldest + this.rto();
  }

  private onAck(next: number, ranges: readonly NumberRange[]): void {
    const now = this.opts.now();
    let newest: OutgoingMessage | null = null;
    let acked = 0;
    for (const m of this.outgoing.values()) {
      if (m.sentAt < 0) break; // never transmitted: cannot be acked (a confused peer)
      if (m.seq < next || inRanges(m.seq, ranges)) {
        this.outgoing.delete(m.seq);
        acked++;
        if (m.txNumber > this.largestAckedTx) this.largestAckedTx = m.txNumber;
        // Karn's rule: only messages transmitted once give unambiguous RTT samples.
        if (m.transmissions === 1 && (newest === null || m.sentAt > newest.sentAt)) newest = m;
      }
    }
    if (acked === 0) return;
    if (newest !== null) this.rtt.update(now - newest.sentAt);
    this.backoff = 0;
    this.lastProgressAt = now;
    this.unresponsiveReported = false;
    this.detectLoss(now);
    if (this.nextUnsent < this.nextSeq) this.flushDue = true; // the window may have opened
    if (this.outgoing.size === 0) this.opts.onAckedAll?.();
  }

  /** RFC 9002 §6.1: packet threshold and time threshold, on datagram transmission order. */
  private detectLoss(now: number): void {
    const lossDelay = this.rtt.lossDelay(TIME_THRESHOLD);
    this.lossTime = null;
    for (const m of this.outgoing.values()) {
      if (m.sentAt < 0 || m.lost || m.txNumber >= this.largestAckedTx) continue;
      if (this.largestAckedTx - m.txNumber >= PACKET_THRESHOLD || m.sentAt + lossDelay <= now) {
        m.lost = true;
        this.flushDue = true;
      } else {
        const t = m.sentAt + lossDelay;
        if (this.lossTime === null || t < this.lossTime) this.lossTime = t;
      }
    }
  }
}

function inRanges(seq: number, ranges: readonly NumberRange[]): boolean {
  for (const [s, e] of ranges) if (seq >= s && seq <= e) return true;
  return false;
}
