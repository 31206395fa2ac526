/**
 * Set of received packet numbers kept as disjoint inclusive ranges, ascending, bounded to the
 * most recent `limit` ranges (older history is forgotten, RFC 9000 §13.2.3 lets a receiver
 * bound the ranges it reports). Appending the next packet number is O(1).
 */
import type { NumberRange } from './frames';

export class PacketNumberRanges {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly limit: number) {}

  get largest(): number {
    return this.ends.length > 0 ? this.ends[this.ends.length - 1] : -1;
  }

  get rangeCount(): number {
    return this.starts.length;
  }

  /** Add `pn`; returns false if it was already present (a duplicate). */
  add(pn: number): boolean {
    const n = this.starts.length;
    if (n === 0) {
      this.starts.push(pn);
      this.ends.push(pn);
      return true;
    }
    const lastEnd = this.ends[n - 1];
    if (pn === lastEnd + 1) {
      this.ends[n - 1] = pn;
      return true;
    }
    if (pn > lastEnd + 1) {
      this.starts.push(pn);
      this.ends.push(pn);
      this.trim();
      return true;
    }
    // Below the largest: find the last range whose start ≤ pn.
    let lo = 0;
    let hi = n - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= pn) {
        idx = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (idx >= 0 && pn <= this.ends[idx]) return false;
    if (idx < 0 && n >= this.limit && pn < this.starts[0]) {
      // Older than everything remembered while the history is full: too old to track.
      return true;
    }
    const joinsPrev = idx >= 0 && this.ends[idx] === pn - 1;
    const joinsNext = idx + 1 < n && this.starts[idx + 1] === pn + 1;
    if (joinsPrev && joinsNext) {
      this.ends[idx] = this.ends[idx + 1];
      this.starts.splice(idx + 1, 1);
      this.ends.splice(idx + 1, 1);
    } else if (joinsPrev) {
      this.ends[idx] = pn;
    } else if (joinsNext) {
      this.starts[idx + 1] = pn;
    } else {
      this.starts.splice(idx + 1, 0, pn);
      this.ends.splice(idx + 1, 0, pn);
      this.trim();
    }
    return true;
  }

  /** The highest `max` ranges, descending (the order of an XFER_ACK). */
  descending(max: number): NumberRange[] {
    const out: NumberRange[] = [];
    for (let i = this.starts.length - 1; i >= 0 && out.length < max; i--) out.push([this.starts[i], this.ends[i]]);
    return out;
  }

  private trim(): void {
    const excess = this.starts.length - this.limit;
    if (excess > 0) {
      this.starts.splice(0, excess);
      this.ends.splice(0, excess);
    }
  }
}
