/**
 * The paths to one peer device and which one carries its traffic (docs/protocol.md "Direct
 * paths"). Pure: the caller seals and sends challenges, reports what arrives, and drives the
 * timer. Models: ICE connectivity checks (RFC 8445 §7) for the candidate list and its priority,
 * QUIC path validation (RFC 9000 §8.2) for the challenge and response, tailscale magicsock's
 * `bestAddr` beside the relay for the choice and the fallback.
 *
 * - The relay path always exists and is the fallback. A direct path is an address the peer
 *   told us over our end-to-end channel (a candidate); it is used only once a PATH_CHALLENGE we
 *   sealed and sent to exactly that address was answered, from exactly that address, with a
 *   sealed PATH_RESPONSE carrying our 8 random bytes. Nothing else makes an address trusted.
 * - Probing has a fixed budget per peer: at most MAX_CANDIDATES candidates, PROBE_SCHEDULE_MS
 *   tries each per round, rounds spaced by ROUND_BACKOFF_MS (doubling to ROUND_BACKOFF_MAX_MS
 *   while nothing validates). A candidate list cannot aim a client at a victim for more than
 *   that, and the probes are small.
 * - The active direct path is kept alive (KEEPALIVE_MS: holds the NAT mapping) and watched: any
 *   authenticated datagram from it counts as heard. Silent for DEAD_AFTER_MS with at least
 *   DEAD_AFTER_PROBES challenges unanswered (fast probes while it is quiet), it is declared
 *   lost and traffic returns to the relay at once; a new round tries it again soon.
 */

/** An IP address and UDP port. */
export interface PathAddress {
  address: string;
  port: number;
}

/** Where a peer's traffic goes. */
export type ActivePath = { kind: 'relay' } | { kind: 'direct'; address: PathAddress };

/** Bytes of random data in a PATH_CHALLENGE (RFC 9000 §19.17: 8). */
export const PATH_CHALLENGE_BYTES = 8;
/** Candidates considered per peer (host addresses of a few interfaces plus the public mapping). */
export const MAX_CANDIDATES = 8;
/**
 * When each try of a round goes out, from the round's start (ms). Both sides start probing
 * about one round trip apart; a NAT drops the first probes that arrive before its own side has
 * sent (its mapping does not exist yet), so later tries get through. 7 tries over 3.2 s.
 */
export const PROBE_SCHEDULE_MS = [0, 100, 200, 400, 800, 1_600, 3_200] as const;
/** Wait before the next round after one that validated nothing, doubling up to the max (ms). */
export const ROUND_BACKOFF_MS = 15_000;
export const ROUND_BACKOFF_MAX_MS = 5 * 60_000;
/** A lost path (it worked, then went silent) is tried again this soon (ms): it often comes back. */
export const RETRY_LOST_MS = 2_000;
/**
 * The active direct path is sent a challenge this often (ms) when nothing else came from it:
 * it keeps the NATs' mappings alive (their UDP timeouts are 30 s or more, some as short as a
 * few seconds) and measures it.
 */
export const KEEPALIVE_MS = 1_000;
/**
 * While a challenge to the active path is unanswered, another goes out every QUIET_PROBE_MS (ms):
 * a lost keepalive is retried at once instead of a second later. QUIET_AFTER_MS: a path not
 * heard from this long is quiet (the peer may follow us back to the relay, see peerUsesRelay).
 */
export const QUIET_PROBE_MS = 250;
export const QUIET_AFTER_MS = 500;
/**
 * Declared lost when silent this long (ms) AND this many challenges in a row went unanswered: at
 * 20 % loss each way a challenge's round trip fails with p ≈ 0.36, and 0.36^10 ≈ 4e-5 (a keepalive
 * is lost about 1,300 times an hour, so a working path is left about once in 20 hours at that
 * loss), while a cut one is noticed about 3.3 s after it was last heard and left at once.
 */
export const DEAD_AFTER_MS = 2_500;
export const DEAD_AFTER_PROBES = 10;
/** Outstanding challenges remembered per candidate (answers to older ones are ignored). */
const MAX_OUTSTANDING = 16;

export interface PathSetOptions {
  now(): number;
  /** Seal and send a PATH_CHALLENGE with `data` to exactly `to`. */
  sendChallenge(to: PathAddress, data: Buffer): void;
  /** The path carrying the peer's traffic changed. */
  onSwitch(path: ActivePath): void;
  /** 8 random bytes (crypto.randomBytes in the client; a seeded source in tests). */
  random(): Buffer;
}

interface Candidate {
  addr: PathAddress;
  key: string;
  /** Lower is better: loopback, then private/link-local host addresses, then public ones. */
  priority: number;
  /** Challenges sent and not yet answered, by hex of their data. */
  outstanding: Map<string, number>;
  validated: boolean;
  /** Tries left in the current round, and when the next one is due. */
  triesSent: number;
  nextTryAt: number | null;
}

export interface PathSetStats {
  challengesSent: number;
  responses: number;
  switches: number;
  lost: number;
}

export class PathSet {
  private candidates: Candidate[] = [];
  private active: Candidate | null = null;
  private roundStart: number | null = null;
  private nextRoundAt: number | null = null;
  private backoff = ROUND_BACKOFF_MS;
  private lastHeard = 0;
  private lastChallengeAt = 0;
  /**
   * The round trip of the challenge that made the active direct path (ms; undefined on the relay
   * path). RFC 9002 §6.2.2 lets a new path's initial RTT come from that exchange (not as an RTT
   * sample), instead of 333 ms, whose 1 s probe timeout a lost first message would wait out.
   */
  get validationRttMs(): number | undefined {
    return this.active ? this.activeRttMs : undefined;
  }
  private activeRttMs = 0;
  /** Send time of the newest challenge to the active path that was answered (see answeredSince). */
  private answeredSentAt = -Infinity;
  private unansweredSinceHeard = 0;
  private closed = false;
  readonly stats: PathSetStats = { challengesSent: 0, responses: 0, switches: 0, lost: 0 };

  constructor(private readonly opts: PathSetOptions) {}

  /** Where traffic goes now. */
  get path(): ActivePath {
    return this.active ? { kind: 'direct', address: this.active.addr } : { kind: 'relay' };
  }

  /**
   * Candidates the peer sent (over our end-to-end channel). Replaces the list (a peer sends all
   * of its candidates at once); the active path stays if it is still listed. Starts a round.
   */
  setCandidates(list: readonly PathAddress[]): void {
    if (this.closed) return;
    const seen = new Set<string>();
    const next: Candidate[] = [];
    for (const a of list) {
      const key = addressKey(a);
      if (seen.has(key) || !plausible(a)) continue;
      seen.add(key);
      const old = this.candidates.find((c) => c.key === key);
      next.push(old ?? { addr: { address: a.address, port: a.port }, key, priority: priorityOf(a.address), outstanding: new Map(), validated: false, triesSent: 0, nextTryAt: null });
      if (next.length >= MAX_CANDIDATES) break;
    }
    next.sort((x, y) => x.priority - y.priority);
    this.candidates = next;
    if (this.active && !next.includes(this.active)) this.fallBack(false);
    this.backoff = ROUND_BACKOFF_MS;
    this.startRound(this.opts.now());
  }

  /** A PATH_RESPONSE (authenticated) arrived from `from`. */
  onResponse(from: PathAddress, data: Buffer): void {
    const c = this.candidates.find((x) => x.key === addressKey(from));
    if (!c) return; // only from an address we probed
    const hex = data.toString('hex');
    const sentAt = c.outstanding.get(hex);
    if (sentAt === undefined) return; // not one of our challenges to that address
    c.outstanding.delete(hex);
    this.stats.responses++;
    const now = this.opts.now();
    if (c === this.active) {
      this.answeredSentAt = Math.max(this.answeredSentAt, sentAt);
      this.heard(from);
      return;
    }
    c.validated = true;
    c.triesSent = PROBE_SCHEDULE_MS.length;
    c.nextTryAt = null;
    this.backoff = ROUND_BACKOFF_MS;
    if (this.active === null || c.priority < this.active.priority) this.switchTo(c, now, sentAt);
  }

  /**
   * Whether a challenge we sent to the active direct path at or after `time` was answered: our
   * small datagrams reach the peer on it and its answers reach us (false on the relay path).
   * Hearing the peer is not enough: a path cut in our direction only (or cut one direction a
   * moment before the other) still brings the peer's datagrams in while ours are lost.
   */
  answeredSince(time: number): boolean {
    return this.active !== null && this.answeredSentAt >= time;
  }

  /**
   * An authenticated datagram from the peer came through the relay while we send direct: it has
   * left the direct path. If we have not heard from the path lately either, follow it now rather
   * than wait for our own verdict, so that both ends agree quickly (its acks come our way again).
   */
  peerUsesRelay(): void {
    if (this.active && this.opts.now() - this.lastHeard >= QUIET_AFTER_MS) {
      this.stats.lost++;
      this.fallBack(true);
    }
  }

  /** An authenticated datagram came from `from` (direct): the path there is alive. */
  heard(from: PathAddress): void {
    if (this.active && this.active.key === addressKey(from)) {
      this.lastHeard = this.opts.now();
      this.unansweredSinceHeard = 0;
    }
  }

  nextTimerAt(): number | null {
    if (this.closed) return null;
    let t: number | null = null;
    const consider = (x: number | null): void => {
      if (x !== null && (t === null || x < t)) t = x;
    };
    for (const c of this.candidates) consider(c.nextTryAt);
    consider(this.nextRoundAt);
    if (this.active) {
      const now = this.opts.now();
      consider(this.lastChallengeAt + this.keepaliveInterval());
      // Only future deadlines: a past one would fire again at once, forever.
      if (now < this.lastHeard + DEAD_AFTER_MS) consider(this.lastHeard + DEAD_AFTER_MS);
    }
    return t;
  }

  onTimer(): void {
    if (this.closed) return;
    const now = this.opts.now();
    if (this.nextRoundAt !== null && now >= this.nextRoundAt) this.startRound(now);
    for (const c of this.candidates) {
      if (c.nextTryAt === null || now < c.nextTryAt) continue;
      this.challenge(c, now);
      c.triesSent++;
      c.nextTryAt = c.triesSent < PROBE_SCHEDULE_MS.length && this.roundStart !== null ? this.roundStart + PROBE_SCHEDULE_MS[c.triesSent] : null;
    }
    if (this.roundStart !== null && this.candidates.every((c) => c.nextTryAt === null)) {
      // The round is over; if nothing validated, try again later, less and less often.
      this.roundStart = null;
      if (!this.active) {
        this.nextRoundAt = now + this.backoff;
        this.backoff = Math.min(this.backoff * 2, ROUND_BACKOFF_MAX_MS);
      }
    }
    if (this.active) this.watchActive(now);
  }

  /** Forget everything (the peer left, or we leave): no more probes, no switch reported. */
  close(): void {
    this.closed = true;
    this.candidates = [];
    this.active = null;
  }

  private watchActive(now: number): void {
    if (now - this.lastHeard >= DEAD_AFTER_MS && this.unansweredSinceHeard >= DEAD_AFTER_PROBES) {
      this.stats.lost++;
      this.fallBack(true);
      return;
    }
    if (now - this.lastChallengeAt >= this.keepaliveInterval()) {
      this.challenge(this.active!, now);
      this.unansweredSinceHeard++;
    }
  }

  /** Challenges to the active path: a keepalive a second, fast retries while one is unanswered. */
  private keepaliveInterval(): number {
    return this.unansweredSinceHeard > 0 ? QUIET_PROBE_MS : KEEPALIVE_MS;
  }

  private challenge(c: Candidate, now: number): void {
    const data = this.opts.random().subarray(0, PATH_CHALLENGE_BYTES);
    c.outstanding.set(data.toString('hex'), now);
    if (c.outstanding.size > MAX_OUTSTANDING) c.outstanding.delete(c.outstanding.keys().next().value as string);
    this.stats.challengesSent++;
    if (c === this.active) this.lastChallengeAt = now;
    this.opts.sendChallenge(c.addr, data);
  }

  private startRound(now: number): void {
    this.nextRoundAt = null;
    this.roundStart = now;
    for (const c of this.candidates) {
      if (c === this.active) continue;
      c.triesSent = 0;
      c.nextTryAt = now + PROBE_SCHEDULE_MS[0];
    }
    if (this.candidates.length === 0) this.roundStart = null;
  }

  private switchTo(c: Candidate, now: number, answeredSentAt: number): void {
    this.active = c;
    this.activeRttMs = Math.max(0, now - answeredSentAt);
    this.answeredSentAt = answeredSentAt;
    this.lastHeard = now;
    this.lastChallengeAt = now;
    this.unansweredSinceHeard = 0;
    this.stats.switches++;
    this.opts.onSwitch(this.path);
  }

  /** Back to the relay; with `retry`, the lost path (and the others) are tried again soon. */
  private fallBack(retry: boolean): void {
    const lost = this.active;
    this.active = null;
    if (lost) lost.validated = false;
    this.stats.switches++;
    this.opts.onSwitch(this.path);
    if (retry && !this.closed) {
      this.roundStart = null;
      this.nextRoundAt = this.opts.now() + RETRY_LOST_MS;
    }
  }
}

export function addressKey(a: PathAddress): string {
  return `${a.address}|${a.port}`;
}

/** A port and an IP literal that could be a peer: not 0, not multicast or unspecified. */
function plausible(a: PathAddress): boolean {
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65_535) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a.address);
  if (v4) {
    const o = v4.slice(1).map(Number);
    if (o.some((x) => x > 255)) return false;
    if (o[0] === 0 || o[0] >= 224) return false; // unspecified, multicast, reserved, broadcast
    return true;
  }
  return a.address.includes(':') && !/^ff/i.test(a.address) && a.address !== '::';
}

/** ICE-like preference (RFC 8445 §5.1.2): loopback, then private and link-local, then public. */
export function priorityOf(address: string): number {
  if (address.startsWith('127.') || address === '::1') return 0;
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|fe80:|fc|fd)/i.test(address)) return 1;
  return 2;
}
