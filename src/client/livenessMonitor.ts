import { KEEPALIVE_INTERVAL_MS, RELAY_UNREACHABLE_AFTER_MS, RELAY_UNREACHABLE_PROBES } from '../protocol/limits';

/**
 * How long a probe waits for an answer before it counts as unanswered and the next one goes
 * out (ms). Above the round trip of nearly every path (loopback and LAN well under 1 ms,
 * continents 100–200 ms); on a slower path the only cost is a probe or two more per keepalive.
 */
export const ANSWER_GRACE_MS = 200;

/**
 * Probe spacing while an answer is overdue (ms). A PING is 16 bytes (44 with IP and UDP): 10 a
 * second is 440 B/s, for at most the 2.2 s before a verdict (the verdict stops the fast
 * probes), or until the first answer: at 20 % loss each way 1 / 0.64 ≈ 1.6 probes after a
 * lost keepalive. Fast enough that RELAY_UNREACHABLE_PROBES fit in RELAY_UNREACHABLE_AFTER_MS
 * after a keepalive interval: ANSWER_GRACE_MS + 18 × 100 + ANSWER_GRACE_MS = 2.2 s.
 */
export const QUIET_PROBE_MS = 100;

export type LivenessAction = 'probe' | 'unreachable';

/**
 * When the client probes its relay and when it declares it unreachable (docs/protocol.md,
 * "Keepalive, idle timeout, presence and the roster"). Pure: the caller injects the clock, sends the probes and drives one timer
 * (`nextTimerAt()` / `onTimer()`, as with the transport's state machines; see TimerDriver).
 *
 * What the caller reports:
 * - `heard()`: any datagram from the relay, forwarded peer traffic included. The relay is there:
 *   a run of unanswered probes ends.
 * - `answered()`: a reply to something we sent (PONG, COOKIE, REGISTERED…). Also heard, and
 *   proves the relay hears us. Only this ends fast probing: forwarded traffic proves only the
 *   way down, and the relay drops a session it has not heard from for CLIENT_IDLE_TIMEOUT_MS, so
 *   a PING whose PONG does not come is repeated soon even while peers' datagrams keep arriving.
 * - `probeSent()`: a datagram that asks for an answer went out (the caller's own retransmissions
 *   of HELLO or REGISTER; `onTimer()` records the probes it asks for itself).
 *
 * Cadence: a probe `keepaliveMs` after the last one while answers come; once the latest has
 * waited ANSWER_GRACE_MS unanswered, one every QUIET_PROBE_MS until an answer comes.
 *
 * Verdict: unreachable once BOTH nothing was heard for RELAY_UNREACHABLE_AFTER_MS AND
 * RELAY_UNREACHABLE_PROBES probes in a row, each given ANSWER_GRACE_MS, went unanswered (the
 * arithmetic is at RELAY_UNREACHABLE_PROBES). Then no more probes (the caller's retries with
 * backoff go on) until the relay is heard again.
 */
export class LivenessMonitor {
  private keepaliveMs = KEEPALIVE_INTERVAL_MS;
  private lastHeardAt = 0;
  private lastProbeAt = -Infinity;
  /** Send time of the oldest probe no answer has followed yet; null when all are answered. */
  private awaitingSince: number | null = null;
  /** Send times of the probes since the last datagram heard: the first RELAY_UNREACHABLE_PROBES only. */
  private readonly unheard: number[] = [];
  private reported = false;

  constructor(private readonly now: () => number) {}

  /** Starts watching afresh (joining): the silence counts from now; a probe is due at once. */
  start(): void {
    this.lastHeardAt = this.now();
    this.lastProbeAt = -Infinity;
    this.awaitingSince = null;
    this.unheard.length = 0;
    this.reported = false;
  }

  /** The relay's keepalive interval (from REGISTERED). The caller re-arms its timer: it may be sooner. */
  setKeepalive(ms: number): void {
    this.keepaliveMs = ms;
  }

  /** The relay said it is going away (BYE): a verdict without probing, until it is heard again. */
  relayGone(): void {
    this.reported = true;
  }

  /** Whether the verdict stands (until the relay is heard again). */
  get unreachable(): boolean {
    return this.reported;
  }

  /**
   * A datagram came from the relay. True when this ends an unreachable verdict: the caller
   * re-arms its timer (there was nothing to wait for) and may announce the recovery.
   */
  heard(): boolean {
    this.lastHeardAt = this.now();
    if (this.unheard.length !== 0) this.unheard.length = 0;
    if (!this.reported) return false;
    this.reported = false;
    return true;
  }

  /** A reply to something we sent came from the relay. Same result as `heard()`. */
  answered(): boolean {
    this.awaitingSince = null;
    return this.heard();
  }

  probeSent(): void {
    const now = this.now();
    this.lastProbeAt = now;
    if (this.awaitingSince === null) this.awaitingSince = now;
    if (this.unheard.length < RELAY_UNREACHABLE_PROBES) this.unheard.push(now);
  }

  /** Probes sent since the relay was last heard that have waited ANSWER_GRACE_MS (counted up to RELAY_UNREACHABLE_PROBES). */
  unansweredProbes(): number {
    const cutoff = this.now() - ANSWER_GRACE_MS;
    let n = 0;
    while (n < this.unheard.length && this.unheard[n]! <= cutoff) n++;
    return n;
  }

  /** When `onTimer()` has something to do; null while the verdict stands. */
  nextTimerAt(): number | null {
    if (this.reported) return null;
    return Math.min(this.nextProbeAt(), this.verdictAt());
  }

  /** Call at (or after) `nextTimerAt()`: what the caller must do now, if anything. */
  onTimer(): LivenessAction | null {
    if (this.reported) return null;
    const now = this.now();
    if (now >= this.verdictAt()) {
      this.reported = true;
      return 'unreachable';
    }
    if (now >= this.nextProbeAt()) {
      this.probeSent();
      return 'probe';
    }
    return null;
  }

  private nextProbeAt(): number {
    const regular = this.lastProbeAt + this.keepaliveMs;
    if (this.awaitingSince === null) return regular;
    return Math.min(regular, Math.max(this.awaitingSince + ANSWER_GRACE_MS, this.lastProbeAt + QUIET_PROBE_MS));
  }

  private verdictAt(): number {
    if (this.unheard.length < RELAY_UNREACHABLE_PROBES) return Infinity;
    return Math.max(this.lastHeardAt + RELAY_UNREACHABLE_AFTER_MS, this.unheard[RELAY_UNREACHABLE_PROBES - 1]! + ANSWER_GRACE_MS);
  }
}
