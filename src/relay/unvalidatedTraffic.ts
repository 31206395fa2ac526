import { TokenBucket } from './tokenBucket';
import { AMPLIFICATION_FACTOR, MAX_UNVALIDATED_ENTRIES } from './relayLimits';

interface ByteCredit {
  received: number;
  sent: number;
}

/**
 * What the relay remembers about traffic from addresses it has not validated (no session bound
 * to them, no valid cookie in hand): a token bucket per source IP (UNREGISTERED_RATE_*) and, per
 * ip:port, the bytes received from it and sent to it, so that answers never exceed
 * AMPLIFICATION_FACTOR x what came in (RFC 9000 §8.1). Spoofing a victim's address therefore
 * buys an attacker at most 3x its own bandwidth, and only at the IP's rate.
 *
 * Memory is bounded: each map holds at most `maxEntries`, evicting the least recently used
 * (Map iteration order is insertion order; a touched entry is re-inserted). Forgetting an entry
 * is safe: a forgotten bucket starts full again (bounded by the IP rate of new entries) and a
 * forgotten credit restarts at zero received, zero sent (it loses credit, never gains it).
 *
 * Pure: the caller passes the time.
 */
export class UnvalidatedTraffic {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly credits = new Map<string, ByteCredit>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly maxEntries: number = MAX_UNVALIDATED_ENTRIES,
  ) {}

  /** Charges one datagram to `ip`'s bucket; false means drop it unanswered. */
  admit(ip: string, nowMs: number): boolean {
    let b = this.buckets.get(ip);
    if (b) {
      this.buckets.delete(ip);
    } else {
      b = new TokenBucket(this.ratePerSec, this.burst, nowMs);
      this.evictIfFull(this.buckets);
    }
    this.buckets.set(ip, b);
    return b.take(nowMs);
  }

  /** Records `bytes` received from `addr` (an "ip|port" key). */
  received(addr: string, bytes: number): void {
    this.credit(addr).received += bytes;
  }

  /** Bytes that may still be sent to `addr` under the amplification limit. */
  allowance(addr: string): number {
    const c = this.credits.get(addr);
    return c ? Math.max(0, AMPLIFICATION_FACTOR * c.received - c.sent) : 0;
  }

  /** Records `bytes` sent to `addr`; the caller checked `allowance` first. */
  sent(addr: string, bytes: number): void {
    this.credit(addr).sent += bytes;
  }

  /** Entries currently held (for stats and tests). */
  get size(): { ips: number; addresses: number } {
    return { ips: this.buckets.size, addresses: this.credits.size };
  }

  private credit(addr: string): ByteCredit {
    let c = this.credits.get(addr);
    if (c) {
      this.credits.delete(addr);
    } else {
      c = { received: 0, sent: 0 };
      this.evictIfFull(this.credits);
    }
    this.credits.set(addr, c);
    return c;
  }

  private evictIfFull<V>(m: Map<string, V>): void {
    if (m.size < this.maxEntries) return;
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
}

/** The key for per-address state: IPs never contain "|", so ip|port is unambiguous. */
export function addressKey(ip: string, port: number): string {
  return `${ip}|${port}`;
}
