/**
 * Token-bucket pacer. Tokens (bytes) accrue at `rate` bytes per ms up to a depth of
 * max(PACER_MIN_BURST_DATAGRAMS datagrams, PACER_BURST_MS of rate): small flows send bursts of
 * a few datagrams, fast flows bursts covering the ~1–2 ms a Node timer or event-loop turn takes
 * (RFC 9002 §7.7 leaves the pacing algorithm open and allows such bursts).
 *
 * Used per sender (at its congestion controller's pacing rate) and shared by SendScheduler as
 * a bulk budget. `consume` may take the bucket below zero (chat that must not wait is charged
 * to the budget; bulk then waits until the debt is repaid).
 */
import { PACER_BURST_MS, PACER_MIN_BURST_DATAGRAMS } from './limits';

export class Pacer {
  private rate: number;
  private capacity = 0;
  private tokens = 0;
  private last: number;

  /** `rateBytesPerMs` may be Infinity (no pacing). */
  constructor(
    now: number,
    rateBytesPerMs: number,
    private readonly datagramBytes: number,
  ) {
    this.rate = rateBytesPerMs;
    this.last = now;
    this.setRate(now, rateBytesPerMs);
    this.tokens = this.capacity;
  }

  get rateBytesPerMs(): number {
    return this.rate;
  }

  setRate(now: number, rateBytesPerMs: number): void {
    this.refill(now);
    this.rate = rateBytesPerMs > 0 ? rateBytesPerMs : 0;
    this.capacity = Math.max(PACER_MIN_BURST_DATAGRAMS * this.datagramBytes, this.rate * PACER_BURST_MS);
    if (this.tokens > this.capacity) this.tokens = this.capacity;
  }

  /** Earliest time `bytes` may be sent: ≤ now means now. */
  nextSendTime(now: number, bytes: number): number {
    if (this.rate === Infinity) return now;
    this.refill(now);
    if (this.tokens >= bytes) return now;
    if (this.rate === 0) return Infinity;
    return now + (bytes - this.tokens) / this.rate;
  }

  consume(now: number, bytes: number): void {
    if (this.rate === Infinity) return;
    this.refill(now);
    this.tokens -= bytes;
  }

  private refill(now: number): void {
    if (now > this.last) {
      if (this.rate === Infinity) this.tokens = this.capacity;
      else this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.rate);
      this.last = now;
    }
  }
}
