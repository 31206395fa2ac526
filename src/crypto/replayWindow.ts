/**
 * Anti-replay sliding window over packet numbers, as in IPsec ESP (RFC 4303 §3.4.3) and DTLS
 * (RFC 6347 §4.1.2.6): remember the largest authenticated packet number and a bitmap of which
 * of the `size` numbers at or below it were seen. Newer numbers slide the window forward;
 * numbers older than the window are rejected because we can no longer tell whether they were
 * seen. The bitmap is a ring indexed by `pn mod capacity` (RFC 6479's layout), so sliding
 * clears only the bits that come into the window instead of shifting the whole map.
 *
 * Use: `wouldAccept(pn)` may be called before decrypting (cheap early reject), but `commit(pn)`
 * only after the packet authenticated; otherwise a forged packet number could slide the window
 * and make genuine packets look old (RFC 4303 §3.4.3: "update ... only if the integrity
 * verification succeeds").
 */

/**
 * Default window: how far behind the largest packet number a packet may arrive and still be
 * accepted. RFC 4303 suggests at least 32 and 64 as default; we carry bulk transfers with
 * windows of hundreds of datagrams in flight, and reordering within a window of that order
 * must not look like replay, so 1024.
 */
export const DEFAULT_REPLAY_WINDOW = 1024;
/** Upper bound on the window: the bitmap costs size/8 bytes per session and per sender key. */
export const MAX_REPLAY_WINDOW = 1 << 16;

const BITS_PER_WORD = 32;

export class ReplayWindow {
  /** Number of packet numbers tracked at or below `largest`. */
  readonly size: number;
  private readonly bits: Uint32Array;
  /** Ring capacity in bits: `size` rounded up to whole words, so indices of tracked numbers are distinct. */
  private readonly capacity: number;
  private largestSeen = -1;

  constructor(size = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW) {
      throw new RangeError(`replay window size must be an integer in 1..${MAX_REPLAY_WINDOW}`);
    }
    this.size = size;
    const words = Math.ceil(size / BITS_PER_WORD);
    this.bits = new Uint32Array(words);
    this.capacity = words * BITS_PER_WORD;
  }

  /** Largest committed packet number, or -1 before the first commit. */
  get largest(): number {
    return this.largestSeen;
  }

  /** True if `pn` is a valid packet number that is newer than the window's edge and not yet committed. */
  wouldAccept(pn: number): boolean {
    if (!Number.isSafeInteger(pn) || pn < 0) return false;
    if (pn > this.largestSeen) return true;
    if (this.largestSeen - pn >= this.size) return false; // too old to judge: reject
    return !this.isSet(pn);
  }

  /**
   * Records `pn` as seen. Call only after the packet authenticated. Committing a number the
   * window would reject (replayed or too old) changes nothing.
   */
  commit(pn: number): void {
    if (!this.wouldAccept(pn)) return;
    if (pn > this.largestSeen) {
      this.clearRange(this.largestSeen + 1, pn);
      this.largestSeen = pn;
    }
    const index = pn % this.capacity;
    this.bits[index >>> 5] |= 1 << (index & 31);
  }

  private isSet(pn: number): boolean {
    const index = pn % this.capacity;
    return (this.bits[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  /** Clears the bits of numbers `from..to` (inclusive), which are entering the window. */
  private clearRange(from: number, to: number): void {
    if (to - from + 1 >= this.capacity) {
      this.bits.fill(0);
      return;
    }
    for (let n = from; n <= to; n++) {
      const index = n % this.capacity;
      if ((index & 31) === 0 && n + 31 <= to) {
        this.bits[index >>> 5] = 0; // a whole word enters the window at once
        n += 31;
      } else {
        this.bits[index >>> 5] &= ~(1 << (index & 31));
      }
    }
  }
}
