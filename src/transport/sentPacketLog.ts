/**
 * Record of the transfer packets sent and not yet acknowledged or declared lost (RFC 9002
 * Appendix A.1 "sent_packets"), as a ring of parallel typed arrays indexed by packet number:
 * no per-packet object on the send hot path. Packet numbers are consecutive, so the ring holds
 * [base, next) and grows by doubling when the span outgrows it.
 *
 * Per packet it keeps what loss detection needs (send time, size, chunk) and the connection
 * state snapshot that delivery-rate estimation needs (draft-cheng-iccrg-delivery-rate-
 * estimation §3.2: delivered, delivered_time, first_sent_time, is_app_limited).
 */

export enum PacketState {
  /** Slot not in use. */
  Empty = 0,
  InFlight = 1,
  Acked = 2,
  Lost = 3,
}

export enum PacketFlag {
  AppLimited = 1,
  /** A newer packet carries the same chunk (a PTO probe): losing this one queues nothing. */
  Superseded = 2,
  Retransmission = 4,
  /**
   * Its chunk was sent again from scratch after the receiver gave up the record it was in
   * (TransferSender.resend): an ack of this packet no longer means the chunk arrived.
   */
  Void = 8,
}

const INITIAL_CAPACITY = 1024;

export class SentPacketLog {
  /** Lowest packet number still tracked; everything below is acked or lost and forgotten. */
  base = 0;
  /** Next packet number to be sent. */
  next = 0;
  private mask = INITIAL_CAPACITY - 1;
  state = new Uint8Array(INITIAL_CAPACITY);
  flags = new Uint8Array(INITIAL_CAPACITY);
  chunk = new Uint32Array(INITIAL_CAPACITY);
  size = new Uint32Array(INITIAL_CAPACITY);
  sentTime = new Float64Array(INITIAL_CAPACITY);
  delivered = new Float64Array(INITIAL_CAPACITY);
  deliveredTime = new Float64Array(INITIAL_CAPACITY);
  firstSentTime = new Float64Array(INITIAL_CAPACITY);

  /** Slot of packet number `pn` (valid for base ≤ pn < next). */
  slot(pn: number): number {
    return pn & this.mask;
  }

  /** Append the next packet number; returns its slot. */
  push(): number {
    if (this.next - this.base > this.mask) this.grow();
    const s = this.next & this.mask;
    this.next++;
    return s;
  }

  /** Forget packets at the bottom that are no longer in flight. */
  advanceBase(): void {
    while (this.base < this.next) {
      const s = this.base & this.mask;
      if (this.state[s] === PacketState.InFlight) break;
      this.state[s] = PacketState.Empty;
      this.base++;
    }
  }

  /** Oldest in-flight packet number without any of `withoutFlags`, or -1. */
  oldestInFlight(withoutFlags = 0): number {
    for (let pn = this.base; pn < this.next; pn++) {
      const s = pn & this.mask;
      if (this.state[s] === PacketState.InFlight && (this.flags[s] & withoutFlags) === 0) return pn;
    }
    return -1;
  }

  private grow(): void {
    const oldMask = this.mask;
    const cap = (oldMask + 1) * 2;
    const newMask = cap - 1;
    const move = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      for (let pn = this.base; pn < this.next; pn++) b[pn & newMask] = a[pn & oldMask];
      return b;
    };
    this.state = move(this.state, (n) => new Uint8Array(n));
    this.flags = move(this.flags, (n) => new Uint8Array(n));
    this.chunk = move(this.chunk, (n) => new Uint32Array(n));
    this.size = move(this.size, (n) => new Uint32Array(n));
    this.sentTime = move(this.sentTime, (n) => new Float64Array(n));
    this.delivered = move(this.delivered, (n) => new Float64Array(n));
    this.deliveredTime = move(this.deliveredTime, (n) => new Float64Array(n));
    this.firstSentTime = move(this.firstSentTime, (n) => new Float64Array(n));
    this.mask = newMask;
  }
}
