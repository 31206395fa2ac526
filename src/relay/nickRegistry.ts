import { MAX_NICK_RESERVATIONS } from './relayLimits';

/**
 * Which key owns which nickname (ARCHITECTURE.md: "Nicknames are unique, compared
 * case-insensitively after normalisation, and bound to the key that registered them").
 *
 * Nicknames are held by their comparison key (`nicknameKey`); owners by an opaque key id (the
 * relay uses the hex of the Ed25519 public key). One owner holds at most one nickname: binding a
 * new one releases the old. A binding is either live (its owner has a session) or reserved
 * until a time (its session timed out; NICK_RESERVE_MS). Reservations are pruned in expiry order;
 * all have the same duration, so insertion order is expiry order and pruning is O(expired).
 *
 * Pure: the caller passes the time.
 */
export class NickRegistry {
  private readonly ownerOfNick = new Map<string, string>();
  private readonly nickOfOwner = new Map<string, string>();
  /** nick key -> reserved-until (ms); insertion order == expiry order. */
  private readonly reservations = new Map<string, number>();

  constructor(private readonly maxReservations: number = MAX_NICK_RESERVATIONS) {}

  /** The owner of `nickKey` (live or reserved and unexpired), or undefined if it is free. */
  ownerOf(nickKey: string, nowMs: number): string | undefined {
    const owner = this.ownerOfNick.get(nickKey);
    if (owner === undefined) return undefined;
    const until = this.reservations.get(nickKey);
    if (until !== undefined && until <= nowMs) {
      this.release(nickKey);
      return undefined;
    }
    return owner;
  }

  /** When a reserved nickname becomes free, or undefined if it is not reserved. */
  reservedUntil(nickKey: string): number | undefined {
    return this.reservations.get(nickKey);
  }

  /** The nickname key `owner` holds (live or reserved), if any. */
  nickOf(owner: string): string | undefined {
    return this.nickOfOwner.get(owner);
  }

  /**
   * Binds `nickKey` to `owner` as live. The caller checked that the nick is free or already
   * `owner`'s. Returns the nickname key the owner held before if it was a different one (now
   * released), else undefined.
   */
  bind(nickKey: string, owner: string): string | undefined {
    const previous = this.nickOfOwner.get(owner);
    if (previous !== undefined && previous !== nickKey) this.release(previous);
    this.reservations.delete(nickKey);
    this.ownerOfNick.set(nickKey, owner);
    this.nickOfOwner.set(owner, nickKey);
    return previous !== undefined && previous !== nickKey ? previous : undefined;
  }

  /** Keeps `nickKey` bound to its owner until `untilMs` although the owner has no session. */
  reserve(nickKey: string, untilMs: number): void {
    if (!this.ownerOfNick.has(nickKey)) return;
    this.reservations.delete(nickKey);
    if (this.reservations.size >= this.maxReservations) {
      const oldest = this.reservations.keys().next();
      if (!oldest.done) this.release(oldest.value);
    }
    this.reservations.set(nickKey, untilMs);
  }

  /** Frees `nickKey` at once (LEAVE, rename, expiry). */
  release(nickKey: string): void {
    const owner = this.ownerOfNick.get(nickKey);
    if (owner === undefined) return;
    this.ownerOfNick.delete(nickKey);
    this.reservations.delete(nickKey);
    if (this.nickOfOwner.get(owner) === nickKey) this.nickOfOwner.delete(owner);
  }

  /** Releases every reservation that expired at or before `nowMs`; returns how many. */
  prune(nowMs: number): number {
    let n = 0;
    for (const [nickKey, until] of this.reservations) {
      if (until > nowMs) break;
      this.release(nickKey);
      n++;
    }
    return n;
  }

  get size(): { bound: number; reserved: number } {
    return { bound: this.ownerOfNick.size, reserved: this.reservations.size };
  }
}
