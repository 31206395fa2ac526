/**
 * A token bucket (RFC 2697's single-rate meter without colours): `ratePerSec` tokens are added
 * per second up to `burst`; each admitted event takes one. Pure: the caller passes the time
 * (ms, any monotonic origin), so tests drive it with a fake clock and the relay's hot path reads
 * the clock once per datagram for all its buckets.
 *
 * Cost: a few float operations, no allocation. It starts full so a new client can burst at once.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(ratePerSec >= 0) || !(burst >= 1)) {
      throw new RangeError(`token bucket needs rate >= 0 and burst >= 1, got ${ratePerSec}/${burst}`);
    }
    this.perMs = ratePerSec / 1000;
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes `n` tokens if there are that many (after refilling up to `nowMs`); true if it did. */
  take(nowMs: number, n = 1): boolean {
    this.refill(nowMs);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Tokens available at `nowMs` (refills first). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.last;
    // A clock that goes backwards (or an equal reading) adds nothing and does not move `last`
    // back, so a later forward reading is not double-counted.
    if (elapsed <= 0) return;
    this.last = nowMs;
    const t = this.tokens + elapsed * this.perMs;
    this.tokens = t < this.burst ? t : this.burst;
  }
}
